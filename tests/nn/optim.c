/*
 * Optimizers and gradient clipping (nn/optim.c, nn/clip.c): four steps of
 * each optimizer on literal parameters and gradients against torch.optim,
 * on the f64 and the f32 paths; checkpointing the state; clipping against
 * torch.nn.utils.clip_grad_norm_.
 *
 * The expected values were printed by /usr/bin/python3 with torch 1.13:
 * p1 = tensor(P0[:6], f64).reshape(2, 3), p2 = tensor(P0[6:], f64);
 * o = torch.optim.<Class>([p1, p2], **options); then for k in 0..3:
 * p1.grad, p2.grad = G[k][:6], G[k][6:]; o.step(); each final parameter
 * written with "%.17g" (the options are beside each array's use).
 */
#include "tests/nn/nntest.h"
#include "nn/nn_impl.h"

#include <stdlib.h>

static const double P0[9] = {0.5, -0.3, 0.8, 0.1, -1.2, 0.4, 0.7, -0.6, 0.05};
static const double G[4][9] = {
	{0.3, -0.2, 0.1, 0.5, -0.4, 0.25, 0.05, -0.6, 0.9},
	{0.1, 0.4, -0.3, 0.2, -0.1, 0.6, -0.25, 0.3, 0.7},
	{-0.5, 0.2, 0.15, -0.35, 0.45, 0.05, 0.2, -0.1, 0.4},
	{0.25, -0.3, 0.35, 0.1, 0.2, -0.45, 0.6, 0.15, -0.2},
};

static const double SGD[9] = {0.48499999999999999, -0.30999999999999994, 0.77000000000000002, 0.055, -1.2149999999999999, 0.35499999999999998, 0.6399999999999999, -0.57499999999999996, -0.13};
static const double SGD_MOM[9] = {0.43973000000000001, -0.34761999999999998, 0.78341000000000005, -0.069650000000000031, -1.1408399999999999, 0.18692499999999995, 0.65255499999999989, -0.47095999999999988, -0.50521000000000005};
static const double SGD_DAMP_WD[9] = {0.43143594904923444, -0.33346035973099875, 0.77485026343107322, -0.070288284428077122, -1.1231480296448346, 0.19663634971511665, 0.64962668690195524, -0.45854753068657733, -0.48008497601165362};
static const double SGD_NESTEROV[9] = {0.40347406194915614, -0.33451074381251877, 0.70691987990117511, -0.098210610713618765, -1.0936696986395751, 0.14498829225583751, 0.55497727658285623, -0.42766450180528742, -0.6192484080834969};
static const double SGD_MAX[9] = {0.49209922500000003, -0.24967083300000001, 0.7757020979999999, 0.17712140100000001, -1.1305323719999998, 0.48699252900000001, 0.71369090199999996, -0.62120564600000006, 0.37060838550000008};
static const double ADAM[9] = {0.48219041143212071, -0.29944263173417335, 0.79195518109807828, 0.075887246101360079, -1.1841755774597607, 0.37085175477683374, 0.6904447738220606, -0.58323178255832497, 0.014265107715205436};
static const double ADAM_WD_AMS[9] = {0.4801098876848941, -0.2973435135368761, 0.7823654742560987, 0.076967218950150268, -1.1784384482644983, 0.3710103685489598, 0.68198399058593151, -0.58077000274991841, 0.01512141143305902};
static const double ADAM_MAX[9] = {0.51774003943398106, -0.3005394935780063, 0.80795643319119581, 0.12405440699338016, -1.2157786879129817, 0.4290624451780059, 0.70937522985447776, -0.61673514960692699, 0.085687540089182376};
static const double ADAMW[9] = {0.48199500279653656, -0.29932439802161498, 0.79163716925032379, 0.075852282752864972, -1.1837002725699266, 0.37069744449351633, 0.69016664943706718, -0.58299564879943733, 0.014251012568177159};
static const double ADAMW_AMS[9] = {0.48023898826710371, -0.29826188972572221, 0.78877935691094336, 0.075538117143232678, -1.1794289693451407, 0.36931077486899883, 0.68766728559591894, -0.58087365320691398, 0.014124390184579137};
static const double RMSPROP[9] = {0.41379774078400416, -0.27795744319509919, 0.68081836030386766, 0.0019937664542613795, -1.1810962156936666, 0.25713168437442907, 0.54800524367552705, -0.55190786769274536, -0.12840518788977337};
static const double RMSPROP_MOM_C_WD[9] = {0.16002522349087445, -0.20250886268599017, 0.47814132047967411, -0.25253214213293618, -0.87006977737614133, -0.15604298547882525, 0.35055270978380776, -0.32807107288791676, -0.50433802290991203};
static const double RMSPROP_C[9] = {0.46968251739712197, -0.29193139518683425, 0.75932366560306919, 0.066284432192111206, -1.1931815373908803, 0.35114724373387857, 0.64901338770325401, -0.58418502904893432, -0.012174722761157037};
static const double ADAGRAD[9] = {0.41396770169819996, -0.27804425139042604, 0.68130050892578431, 0.0019712430920594045, -1.1806172681234945, 0.25683015413084265, 0.54834845876493254, -0.55157163646603191, -0.12816836525913011};
static const double ADAGRAD_ALL[9] = {0.42500549108093083, -0.28976913135851512, 0.69215124490756053, 0.017418072423566713, -1.139533951571065, 0.28793162891982615, 0.57601095082882026, -0.53448345607030545, -0.11682017462146649};

/* Two parameters, weight [2,3] and bias [3], holding P0. */
typedef struct Params {
	NnParam p[2];
	NnParam *list[2];
} Params;

static void
params_init(Params *ps, MlDtype dt)
{
	static const char *names[2] = {"weight", "bias"};
	int64_t ne[2][2] = {{2, 3}, {3, 1}};
	int nd[2] = {2, 1}, off[2] = {0, 6};

	memset(ps, 0, sizeof *ps);
	for (int k = 0; k < 2; k++) {
		NnParam *p = &ps->p[k];
		snprintf(p->name, sizeof p->name, "%s", names[k]);
		p->value = ml_tensor_zeros(dt, nd[k], ne[k], NULL);
		p->grad = ml_tensor_zeros(dt, nd[k], ne[k], NULL);
		assert_non_null(p->value);
		assert_non_null(p->grad);
		for (int64_t i = 0; i < ml_tensor_numel(p->value); i++)
			ml_set(p->value, (int64_t[]){nd[k] == 2 ? i / 3 : i, i % 3}, P0[off[k] + i], NULL);
		ps->list[k] = p;
	}
}

static void
params_free(Params *ps)
{
	for (int k = 0; k < 2; k++) {
		ml_tensor_unref(ps->p[k].value);
		ml_tensor_unref(ps->p[k].grad);
	}
}

/* Element i of the nine, over both parameters. */
static double
get9(Params *ps, MlTensor *(*which)(NnParam *), int i)
{
	MlTensor *t = which(&ps->p[i < 6 ? 0 : 1]);
	int64_t j = i < 6 ? i : i - 6;

	return t->dtype == ML_F32 ? ML_F32(t)[j] : D64(t)[j];
}

static MlTensor *
value_of(NnParam *p)
{
	return p->value;
}

static void
set_grads(Params *ps, int k)
{
	for (int i = 0; i < 9; i++) {
		MlTensor *g = ps->p[i < 6 ? 0 : 1].grad;
		int64_t j = i < 6 ? i : i - 6;
		if (g->dtype == ML_F32)
			ML_F32(g)[j] = (float)G[k][i];
		else
			D64(g)[j] = G[k][i];
	}
}

/* Steps opt from step `from` to `to` with G's gradients. */
static void
steps(NnOptim *opt, Params *ps, int from, int to)
{
	AcErr err = {0};

	for (int k = from; k < to; k++) {
		set_grads(ps, k);
		if (nn_optim_step(opt, &err) != AC_OK)
			print_error("step: %s\n", err.msg);
		assert_int_equal(err.code, AC_OK);
	}
}

/* Four steps of kind with options o, in f64 and f32, against want. */
static void
check_optim(NnOptimKind kind, NnOptimOptions o, const double *want)
{
	MlDtype dts[2] = {ML_F64, ML_F32};

	for (int d = 0; d < 2; d++) {
		Params ps;
		AcErr err = {0};
		NnOptim *opt;
		double tol = dts[d] == ML_F64 ? 1e-14 : 2e-6;

		params_init(&ps, dts[d]);
		opt = nn_optim_new_params(kind, &o, ps.list, 2, &err);
		if (opt == NULL)
			print_error("new: %s\n", err.msg);
		assert_non_null(opt);
		steps(opt, &ps, 0, 4);
		assert_int_equal(nn_optim_get_step(opt), 4);
		for (int i = 0; i < 9; i++)
			assert_close(get9(&ps, value_of, i), want[i], tol, tol);
		nn_optim_free(opt);
		params_free(&ps);
	}
}

static void
test_sgd(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_SGD);

	o.lr = 0.1;
	check_optim(NN_OPTIM_SGD, o, SGD);  /* SGD(lr=0.1) */
	o.momentum = 0.9;
	check_optim(NN_OPTIM_SGD, o, SGD_MOM);  /* momentum=0.9 */
	o.dampening = 0.1;
	o.weight_decay = 0.01;
	check_optim(NN_OPTIM_SGD, o, SGD_DAMP_WD);  /* momentum=0.9, dampening=0.1, weight_decay=0.01 */
	o.dampening = 0;
	o.weight_decay = 0.05;
	o.nesterov = true;
	check_optim(NN_OPTIM_SGD, o, SGD_NESTEROV);  /* momentum=0.9, nesterov=True, weight_decay=0.05 */
	o = nn_optim_defaults(NN_OPTIM_SGD);
	o.lr = 0.1;
	o.momentum = 0.5;
	o.maximize = true;
	o.weight_decay = 0.1;
	check_optim(NN_OPTIM_SGD, o, SGD_MAX);  /* momentum=0.5, maximize=True, weight_decay=0.1 */
}

static void
test_adam(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAM);

	assert_true(o.lr == 1e-3 && o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8);
	o.lr = 0.01;
	check_optim(NN_OPTIM_ADAM, o, ADAM);  /* Adam(lr=0.01) */
	o.weight_decay = 0.1;
	o.amsgrad = true;
	o.beta1 = 0.8;
	o.beta2 = 0.9;
	check_optim(NN_OPTIM_ADAM, o, ADAM_WD_AMS);  /* weight_decay=0.1, amsgrad=True, betas=(0.8, 0.9) */
	o = nn_optim_defaults(NN_OPTIM_ADAM);
	o.lr = 0.01;
	o.maximize = true;
	o.eps = 1e-3;
	check_optim(NN_OPTIM_ADAM, o, ADAM_MAX);  /* maximize=True, eps=1e-3 */
}

static void
test_adamw(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAMW);

	assert_true(o.weight_decay == 0.01);
	o.lr = 0.01;
	check_optim(NN_OPTIM_ADAMW, o, ADAMW);  /* AdamW(lr=0.01) */
	o.weight_decay = 0.1;
	o.amsgrad = true;
	check_optim(NN_OPTIM_ADAMW, o, ADAMW_AMS);  /* weight_decay=0.1, amsgrad=True */
}

static void
test_rmsprop(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_RMSPROP);

	check_optim(NN_OPTIM_RMSPROP, o, RMSPROP);  /* RMSprop(lr=0.01) */
	o.momentum = 0.9;
	o.centered = true;
	o.weight_decay = 0.1;
	check_optim(NN_OPTIM_RMSPROP, o, RMSPROP_MOM_C_WD);  /* momentum=0.9, centered, weight_decay=0.1 */
	o = nn_optim_defaults(NN_OPTIM_RMSPROP);
	o.centered = true;
	o.alpha = 0.9;
	check_optim(NN_OPTIM_RMSPROP, o, RMSPROP_C);  /* centered=True, alpha=0.9 */
}

static void
test_adagrad(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAGRAD);

	o.lr = 0.1;
	check_optim(NN_OPTIM_ADAGRAD, o, ADAGRAD);  /* Adagrad(lr=0.1) */
	o.lr_decay = 0.01;
	o.weight_decay = 0.1;
	o.initial_accumulator_value = 0.1;
	check_optim(NN_OPTIM_ADAGRAD, o, ADAGRAD_ALL);  /* lr_decay=0.01, weight_decay=0.1,
	                                                 * initial_accumulator_value=0.1 */
}

/* The state after four steps is PyTorch's (o.state[p2] of the Adam with
 * weight_decay=0.1, amsgrad=True, betas=(0.8, 0.9)), and two steps, a
 * save, a new optimizer with the state loaded and two more steps end
 * where four steps do. */
static void
test_state_checkpoint(void **state)
{
	static const double exp_avg[3] = {0.16598902397175389, -0.043779979845176648,
	                                  0.20768452819617597};
	static const double exp_avg_sq[3] = {0.054973572553386182, 0.039566945009491532,
	                                     0.11838653732920446};
	static const double max_exp_avg_sq[3] = {0.054973572553386182, 0.045012099999269688,
	                                         0.12718858119304133};
	const double *want[3] = {exp_avg, exp_avg_sq, max_exp_avg_sq};
	const char *names[3] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, *name;
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAM);
	struct {
		NnOptimKind kind;
		const double *want;
	} cases[2] = {{NN_OPTIM_ADAM, ADAM_WD_AMS}, {NN_OPTIM_SGD, SGD_DAMP_WD}};
	Params ps;
	NnOptim *opt, *opt2;
	MlTensor *saved[2][3] = {{0}};

	o.lr = 0.01, o.weight_decay = 0.1, o.amsgrad = true, o.beta1 = 0.8, o.beta2 = 0.9;
	params_init(&ps, ML_F64);
	opt = nn_optim_new_params(NN_OPTIM_ADAM, &o, ps.list, 2, NULL);
	assert_non_null(opt);
	steps(opt, &ps, 0, 4);
	for (int k = 0; k < 3; k++) {
		MlTensor *t = nn_optim_state(opt, 1, k, &name, NULL);
		assert_non_null(t);
		assert_string_equal(name, names[k]);
		for (int i = 0; i < 3; i++)
			assert_close(D64(t)[i], want[k][i], 1e-15, 1e-14);
	}
	assert_null(nn_optim_state(opt, 1, 3, &name, NULL));
	assert_null(nn_optim_state(opt, 2, 0, &name, NULL));
	nn_optim_free(opt);
	params_free(&ps);

	for (int c = 0; c < 2; c++) {
		NnOptimOptions oc = o;
		int64_t step;
		if (cases[c].kind == NN_OPTIM_SGD) {
			oc = nn_optim_defaults(NN_OPTIM_SGD);
			oc.lr = 0.1, oc.momentum = 0.9, oc.dampening = 0.1, oc.weight_decay = 0.01;
		}
		params_init(&ps, ML_F64);
		opt = nn_optim_new_params(cases[c].kind, &oc, ps.list, 2, NULL);
		assert_non_null(opt);
		steps(opt, &ps, 0, 2);
		step = nn_optim_get_step(opt);
		for (int p = 0; p < 2; p++)
			for (int k = 0; k < 3; k++) {
				MlTensor *t = nn_optim_state(opt, p, k, NULL, NULL);
				saved[p][k] = t != NULL ? ml_cast(t, ML_F64, NULL) : NULL;
			}
		nn_optim_free(opt);
		opt2 = nn_optim_new_params(cases[c].kind, &oc, ps.list, 2, NULL);
		assert_non_null(opt2);
		nn_optim_set_step(opt2, step);
		for (int p = 0; p < 2; p++)
			for (int k = 0; k < 3; k++) {
				MlTensor *t = nn_optim_state(opt2, p, k, NULL, NULL);
				assert_true((t == NULL) == (saved[p][k] == NULL));
				if (t != NULL)
					assert_int_equal(ml_copy(t, saved[p][k], NULL), AC_OK);
				ml_tensor_unref(saved[p][k]);
			}
		steps(opt2, &ps, 2, 4);
		for (int i = 0; i < 9; i++)
			assert_close(get9(&ps, value_of, i), cases[c].want[i], 1e-14, 1e-14);
		nn_optim_free(opt2);
		params_free(&ps);
	}
}

/* ---- over a module ---- */

static int
noop_output(NnModule *m, MlTensor *input, AcErr *err)
{
	return nn_ensure_like(&m->output, input, err);
}

static int
noop_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	return nn_ensure_like(&m->grad_input, input, err);
}

static const NnClass noop = {.type = "Noop", .update_output = noop_output,
                             .update_grad_input = noop_grad_input};

/* nn_optim_new walks the module's parameters (not its buffers);
 * zero_grad and set_lr / get_lr work on them. */
static void
test_module(void **state)
{
	NnModule *m = nn_module_new(&noop, 0, NULL);
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_SGD);
	int64_t ne[1] = {2};
	NnOptim *opt;
	NnParam **list;
	int n;

	assert_non_null(m);
	assert_int_equal(nn_param_add(m, "weight", t64(1, ne, (double[]){1, 2}), true, NULL), AC_OK);
	assert_int_equal(nn_param_add(m, "running_mean", t64(1, ne, (double[]){5, 5}), false, NULL), AC_OK);
	assert_int_equal(nn_param_add(m, "bias", t64(1, ne, (double[]){3, 4}), true, NULL), AC_OK);
	list = nn_parameters(m, &n, NULL);
	assert_non_null(list);
	assert_int_equal(n, 2);
	assert_ptr_equal(list[1], &m->param[2]);
	free(list);
	opt = nn_optim_new(NN_OPTIM_SGD, &o, m, NULL);
	assert_non_null(opt);
	assert_int_equal(nn_optim_nparams(opt), 2);
	assert_string_equal(nn_optim_type(opt), "SGD");
	nn_optim_set_lr(opt, 0.5);
	assert_true(nn_optim_get_lr(opt) == 0.5);
	ml_fill(m->param[0].grad, 1, NULL);
	ml_fill(m->param[2].grad, -2, NULL);
	assert_int_equal(nn_optim_step(opt, NULL), AC_OK);
	assert_true(D64(m->param[0].value)[1] == 1.5);
	assert_true(D64(m->param[2].value)[0] == 4);
	assert_true(D64(m->param[1].value)[0] == 5);  /* a buffer is not stepped */
	nn_optim_zero_grad(opt);
	assert_true(D64(m->param[2].grad)[1] == 0);
	nn_optim_free(opt);
	nn_free(m);
}

static void
test_errors(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAM);
	AcErr err = {0};
	Params ps;

	params_init(&ps, ML_F32);
	o.beta1 = 1;
	assert_null(nn_optim_new_params(NN_OPTIM_ADAM, &o, ps.list, 2, &err));
	assert_string_equal(err.msg, "Adam: beta1 1 is outside [0, 1)");
	o = nn_optim_defaults(NN_OPTIM_SGD);
	o.nesterov = true;
	assert_null(nn_optim_new_params(NN_OPTIM_SGD, &o, ps.list, 2, &err));
	assert_string_equal(err.msg, "SGD: nesterov needs momentum > 0 and dampening 0");
	o.nesterov = false;
	o.lr = -1;
	assert_null(nn_optim_new_params(NN_OPTIM_SGD, &o, ps.list, 2, &err));
	assert_string_equal(err.msg, "SGD: lr -1, want >= 0");
	params_free(&ps);
}

/* ---- clipping ---- */

/* torch.nn.utils.clip_grad_norm_([a, b], max_norm, norm_type) with
 * a.grad = [[0.3,-1.2,0.8],[2.0,-0.5,0.1]], b.grad = [-1.5,0.7] (f64):
 * the total norm it returned and the clipped gradients. */
static void
test_clip_grad_norm(void **state)
{
	static const double g0[8] = {0.3, -1.2, 0.8, 2.0, -0.5, 0.1, -1.5, 0.7};
	static const struct {
		double norm_type, max_norm, total, g[8];
	} cases[] = {
		{2, 1, 3.0282007859453439,
		 {0.099068695287208533, -0.39627478114883413, 0.26418318743255614, 0.66045796858139028,
		  -0.16511449214534757, 0.033022898429069518, -0.49534347643604271, 0.23116028900348659}},
		{INFINITY, 0.5, 2,
		 {0.074999962500018738, -0.29999985000007495, 0.19999990000005, 0.49999975000012498,
		  -0.12499993750003124, 0.02499998750000625, -0.37499981250009373, 0.17499991250004374}},
		{1, 2.5, 7.0999999999999996,
		 {0.1056337879389031, -0.4225351517556124, 0.28169010117040827, 0.70422525292602067,
		  -0.17605631323150517, 0.035211262646301034, -0.5281689396945155, 0.24647883852410721}},
		{2, 100, 3.0282007859453439, {0.3, -1.2, 0.8, 2, -0.5, 0.1, -1.5, 0.7}},
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
		for (int d = 0; d < 2; d++) {
			MlDtype dt = d == 0 ? ML_F64 : ML_F32;
			double tol = d == 0 ? 1e-15 : 1e-6, total = 0;
			NnParam p[2] = {{.name = "a"}, {.name = "b"}};
			NnParam *list[2] = {&p[0], &p[1]};
			MlTensor *a = t64(2, (int64_t[]){2, 3}, g0), *b = t64(1, (int64_t[]){2}, g0 + 6);
			p[0].grad = ml_cast(a, dt, NULL);
			p[1].grad = ml_cast(b, dt, NULL);
			assert_int_equal(nn_clip_grad_norm(list, 2, cases[c].max_norm, cases[c].norm_type,
			                                   &total, NULL), AC_OK);
			assert_close(total, cases[c].total, tol, tol);
			for (int i = 0; i < 8; i++) {
				MlTensor *g = p[i < 6 ? 0 : 1].grad;
				int j = i < 6 ? i : i - 6;
				assert_close(dt == ML_F32 ? ML_F32(g)[j] : D64(g)[j], cases[c].g[i], tol, tol);
			}
			ml_tensor_unref(a), ml_tensor_unref(b);
			ml_tensor_unref(p[0].grad), ml_tensor_unref(p[1].grad);
		}
}

/* clip_grad_value_([a], 0.6) gives [0.3, -0.6, 0.6, 0.6, -0.5, 0.1]. */
static void
test_clip_grad_value(void **state)
{
	static const double g0[6] = {0.3, -1.2, 0.8, 2.0, -0.5, 0.1};
	static const double want[6] = {0.3, -0.6, 0.6, 0.6, -0.5, 0.1};
	NnParam p = {.name = "a"};
	NnParam *list[1] = {&p};
	AcErr err = {0};

	p.grad = t64(2, (int64_t[]){2, 3}, g0);
	assert_int_equal(nn_clip_grad_value(list, 1, 0.6, NULL), AC_OK);
	for (int i = 0; i < 6; i++)
		assert_true(D64(p.grad)[i] == want[i]);
	assert_int_equal(nn_clip_grad_value(list, 1, -1, &err), AC_EINVAL);
	assert_int_equal(nn_clip_grad_norm(list, 1, 1, 0, NULL, &err), AC_EINVAL);
	assert_string_equal(err.msg, "clip_grad_norm: norm_type 0, want > 0");
	ml_tensor_unref(p.grad);
}

TEST_MAIN("nn optimizers and clipping", cmocka_unit_test(test_sgd), cmocka_unit_test(test_adam),
          cmocka_unit_test(test_adamw), cmocka_unit_test(test_rmsprop),
          cmocka_unit_test(test_adagrad), cmocka_unit_test(test_state_checkpoint),
          cmocka_unit_test(test_module), cmocka_unit_test(test_errors),
          cmocka_unit_test(test_clip_grad_norm), cmocka_unit_test(test_clip_grad_value))
