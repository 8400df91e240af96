/*
 * Optimizers (nn.h "Optimizers"): SGD, Adam, AdamW, RMSprop and Adagrad
 * with PyTorch 1.13's update rules, one element at a time in double so
 * that the f32 and f64 paths differ only by the rounding of what is
 * stored.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NSTATE = 3 };  /* state tensors a parameter can have */

struct NnOptim {
	NnOptimKind kind;
	NnOptimOptions o;
	int64_t step;              /* steps taken */
	int nparams;
	NnParam **param;           /* borrowed parameters; the array owned */
	MlTensor *(*state)[NSTATE];/* per parameter, by slot (below); owned, NULL until used */
};

/*
 * State slots: what slot s of a parameter holds for each kind, and
 * whether the options use it.
 *   SGD:      0 momentum_buffer
 *   Adam(W):  0 exp_avg, 1 exp_avg_sq, 2 max_exp_avg_sq
 *   RMSprop:  0 square_avg, 1 momentum_buffer, 2 grad_avg
 *   Adagrad:  0 sum
 */
static const char *const slot_names[][NSTATE] = {
	[NN_OPTIM_SGD] = {"momentum_buffer"},
	[NN_OPTIM_ADAM] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
	[NN_OPTIM_ADAMW] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
	[NN_OPTIM_RMSPROP] = {"square_avg", "momentum_buffer", "grad_avg"},
	[NN_OPTIM_ADAGRAD] = {"sum"},
};

static const char *const type_names[] = {
	[NN_OPTIM_SGD] = "SGD", [NN_OPTIM_ADAM] = "Adam", [NN_OPTIM_ADAMW] = "AdamW",
	[NN_OPTIM_RMSPROP] = "RMSprop", [NN_OPTIM_ADAGRAD] = "Adagrad",
};

static bool
slot_used(const NnOptim *opt, int s)
{
	const NnOptimOptions *o = &opt->o;

	switch (opt->kind) {
	case NN_OPTIM_SGD:
		return s == 0 && o->momentum != 0;
	case NN_OPTIM_ADAM:
	case NN_OPTIM_ADAMW:
		return s < 2 || o->amsgrad;
	case NN_OPTIM_RMSPROP:
		return s == 0 || (s == 1 && o->momentum > 0) || (s == 2 && o->centered);
	case NN_OPTIM_ADAGRAD:
		return s == 0;
	}
	return false;
}

NnOptimOptions
nn_optim_defaults(NnOptimKind kind)
{
	NnOptimOptions o = {0};

	switch (kind) {
	case NN_OPTIM_SGD:
		o.lr = 0.01;
		break;
	case NN_OPTIM_ADAM:
	case NN_OPTIM_ADAMW:
		o.lr = 1e-3;
		o.beta1 = 0.9;
		o.beta2 = 0.999;
		o.eps = 1e-8;
		o.weight_decay = kind == NN_OPTIM_ADAMW ? 0.01 : 0;
		break;
	case NN_OPTIM_RMSPROP:
		o.lr = 0.01;
		o.alpha = 0.99;
		o.eps = 1e-8;
		break;
	case NN_OPTIM_ADAGRAD:
		o.lr = 0.01;
		o.eps = 1e-10;
		break;
	}
	return o;
}

/* PyTorch's constructor checks. */
static int
check_options(NnOptimKind kind, const NnOptimOptions *o, AcErr *err)
{
	const char *t = type_names[kind];
	struct {
		const char *name;
		double v;
	} nonneg[] = {{"lr", o->lr}, {"weight_decay", o->weight_decay}, {"momentum", o->momentum},
	              {"eps", o->eps}, {"alpha", o->alpha}, {"lr_decay", o->lr_decay},
	              {"initial_accumulator_value", o->initial_accumulator_value}};

	for (size_t i = 0; i < sizeof nonneg / sizeof nonneg[0]; i++)
		if (!(nonneg[i].v >= 0))
			return ac_err_set(err, AC_EINVAL, "%s: %s %g, want >= 0", t, nonneg[i].name,
			                  nonneg[i].v);
	if (kind == NN_OPTIM_ADAM || kind == NN_OPTIM_ADAMW) {
		if (!(o->beta1 >= 0 && o->beta1 < 1))
			return ac_err_set(err, AC_EINVAL, "%s: beta1 %g is outside [0, 1)", t, o->beta1);
		if (!(o->beta2 >= 0 && o->beta2 < 1))
			return ac_err_set(err, AC_EINVAL, "%s: beta2 %g is outside [0, 1)", t, o->beta2);
	}
	if (kind == NN_OPTIM_SGD && o->nesterov && (o->momentum <= 0 || o->dampening != 0))
		return ac_err_set(err, AC_EINVAL, "SGD: nesterov needs momentum > 0 and dampening 0");
	return AC_OK;
}

NnOptim *
nn_optim_new_params(NnOptimKind kind, const NnOptimOptions *o, NnParam *const *params, int nparams,
                    AcErr *err)
{
	NnOptim *opt;

	if (kind < NN_OPTIM_SGD || kind > NN_OPTIM_ADAGRAD || o == NULL || nparams < 0 ||
	    (nparams > 0 && params == NULL)) {
		ac_err_set(err, AC_EINVAL, "optimizer: bad kind, options or parameter list");
		return NULL;
	}
	if (check_options(kind, o, err) != AC_OK)
		return NULL;
	for (int i = 0; i < nparams; i++) {
		const NnParam *p = params[i];
		if (p == NULL || p->grad == NULL || (p->value->dtype != ML_F32 && p->value->dtype != ML_F64)) {
			ac_err_set(err, AC_EDTYPE, "%s: parameter %d (%s) is not an f32 or f64 parameter",
			           type_names[kind], i, p != NULL ? p->name : "nil");
			return NULL;
		}
	}
	if ((opt = calloc(1, sizeof *opt)) == NULL ||
	    (opt->param = calloc((size_t)nparams + 1, sizeof *opt->param)) == NULL ||
	    (opt->state = calloc((size_t)nparams + 1, sizeof *opt->state)) == NULL) {
		nn_optim_free(opt);
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", type_names[kind]);
		return NULL;
	}
	opt->kind = kind;
	opt->o = *o;
	opt->nparams = nparams;
	if (nparams > 0)
		memcpy(opt->param, params, (size_t)nparams * sizeof *params);
	return opt;
}

NnOptim *
nn_optim_new(NnOptimKind kind, const NnOptimOptions *o, NnModule *m, AcErr *err)
{
	NnParam **params;
	NnOptim *opt;
	int n;

	if ((params = nn_parameters(m, &n, err)) == NULL)
		return NULL;
	opt = nn_optim_new_params(kind, o, params, n, err);
	free(params);
	return opt;
}

void
nn_optim_free(NnOptim *opt)
{
	if (opt == NULL)
		return;
	for (int i = 0; opt->state != NULL && i < opt->nparams; i++)
		for (int s = 0; s < NSTATE; s++)
			ml_tensor_unref(opt->state[i][s]);
	free(opt->state);
	free(opt->param);
	free(opt);
}

void
nn_optim_zero_grad(NnOptim *opt)
{
	for (int i = 0; opt != NULL && i < opt->nparams; i++)
		ml_fill(opt->param[i]->grad, 0, NULL);
}

void
nn_optim_set_lr(NnOptim *opt, double lr)
{
	opt->o.lr = lr;
}

double
nn_optim_get_lr(const NnOptim *opt)
{
	return opt->o.lr;
}

NnOptimOptions *
nn_optim_options(NnOptim *opt)
{
	return &opt->o;
}

NnOptimKind
nn_optim_kind(const NnOptim *opt)
{
	return opt->kind;
}

const char *
nn_optim_type(const NnOptim *opt)
{
	return type_names[opt->kind];
}

int
nn_optim_nparams(const NnOptim *opt)
{
	return opt->nparams;
}

NnParam *
nn_optim_param(NnOptim *opt, int index)
{
	return index >= 0 && index < opt->nparams ? opt->param[index] : NULL;
}

int64_t
nn_optim_get_step(const NnOptim *opt)
{
	return opt->step;
}

void
nn_optim_set_step(NnOptim *opt, int64_t step)
{
	opt->step = step;
}

/* Makes slot s of parameter i if it is not there; *fresh says it was not. */
static int
make_slot(NnOptim *opt, int i, int s, bool *fresh, AcErr *err)
{
	const MlTensor *v = opt->param[i]->value;
	MlTensor *t;

	if (fresh != NULL)
		*fresh = opt->state[i][s] == NULL;
	if (opt->state[i][s] != NULL)
		return AC_OK;
	if ((t = ml_tensor_zeros(v->dtype, v->ndim, v->ne, err)) == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	if (opt->kind == NN_OPTIM_ADAGRAD)
		ml_fill(t, opt->o.initial_accumulator_value, NULL);
	opt->state[i][s] = t;
	return AC_OK;
}

MlTensor *
nn_optim_state(NnOptim *opt, int index, int k, const char **name, AcErr *err)
{
	if (index < 0 || index >= opt->nparams) {
		ac_err_set(err, AC_ERANGE, "%s: parameter %d outside 0..%d", type_names[opt->kind], index,
		           opt->nparams - 1);
		return NULL;
	}
	for (int s = 0; s < NSTATE; s++) {
		if (!slot_used(opt, s) || k-- > 0)
			continue;
		if (make_slot(opt, index, s, NULL, err) != AC_OK)
			return NULL;
		if (name != NULL)
			*name = slot_names[opt->kind][s];
		return opt->state[index][s];
	}
	return NULL;
}

/* ---- the updates ---- */

/* Per-step scalars, computed once. */
typedef struct Coef {
	double lr, wd, step_size, bc2_sqrt, clr;
	bool first;  /* SGD: the first step sets the momentum buffer */
} Coef;

/* Adam and AdamW on f32 without amsgrad or maximize, the common case, in
 * f32 arithmetic as PyTorch's f32 kernel computes it (the general loop
 * below rounds each stored moment from double instead; the two differ by
 * rounding only), with the per-element switches hoisted so that the
 * compiler vectorises it: most of an MLP's step otherwise. */
static void
adam_f32(const NnOptim *opt, const Coef *c, float *restrict p, const float *restrict grad,
         float *restrict m, float *restrict v, int64_t n)
{
	const NnOptimOptions *o = &opt->o;
	const float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
	const float step = (float)c->step_size, bc2 = (float)c->bc2_sqrt;
	const float decay = opt->kind == NN_OPTIM_ADAMW ? (float)(1 - c->lr * o->weight_decay) : 1;
	const float l2 = opt->kind == NN_OPTIM_ADAM ? (float)o->weight_decay : 0;

	for (int64_t i = 0; i < n; i++) {
		float g = grad[i] + l2 * p[i];
		float mi = m[i] * b1 + (1 - b1) * g, vi = v[i] * b2 + (1 - b2) * (g * g);
		m[i] = mi;
		v[i] = vi;
		p[i] = p[i] * decay - step * (mi / (sqrtf(vi) / bc2 + eps));
	}
}

static void
update(const NnOptim *opt, const Coef *c, MlTensor *p, const MlTensor *grad, MlTensor *const *s,
       bool sgd_fresh)
{
	const NnOptimOptions *o = &opt->o;
	int64_t n = ml_tensor_numel(p);

	if ((opt->kind == NN_OPTIM_ADAM || opt->kind == NN_OPTIM_ADAMW) && !o->amsgrad && !o->maximize &&
	    p->dtype == ML_F32 && grad->dtype == ML_F32 && s[0]->dtype == ML_F32 && s[1]->dtype == ML_F32) {
		adam_f32(opt, c, ML_F32(p), ML_F32(grad), ML_F32(s[0]), ML_F32(s[1]), n);
		return;
	}

	for (int64_t i = 0; i < n; i++) {
		double pv = nn_ld(p, i), g = nn_ld(grad, i), b, m, v, d, a;

		if (o->maximize)
			g = -g;
		switch (opt->kind) {
		case NN_OPTIM_SGD:
			if (o->weight_decay != 0)
				g += o->weight_decay * pv;
			if (o->momentum != 0) {
				b = sgd_fresh ? g : o->momentum * nn_ld(s[0], i) + (1 - o->dampening) * g;
				nn_st(s[0], i, b);
				g = o->nesterov ? g + o->momentum * b : b;
			}
			pv -= c->lr * g;
			break;
		case NN_OPTIM_ADAMW:
		case NN_OPTIM_ADAM:
			if (opt->kind == NN_OPTIM_ADAMW)
				pv *= 1 - c->lr * o->weight_decay;
			else if (o->weight_decay != 0)
				g += o->weight_decay * pv;
			m = nn_ld(s[0], i) * o->beta1 + (1 - o->beta1) * g;
			v = nn_ld(s[1], i) * o->beta2 + (1 - o->beta2) * (g * g);
			nn_st(s[0], i, m);
			nn_st(s[1], i, v);
			if (o->amsgrad) {
				v = fmax(nn_ld(s[2], i), v);
				nn_st(s[2], i, v);
			}
			/* re-read what was stored so that f32 rounds as torch's f32 does */
			m = nn_ld(s[0], i);
			v = o->amsgrad ? nn_ld(s[2], i) : nn_ld(s[1], i);
			pv -= c->step_size * (m / (sqrt(v) / c->bc2_sqrt + o->eps));
			break;
		case NN_OPTIM_RMSPROP:
			if (o->weight_decay != 0)
				g += o->weight_decay * pv;
			v = nn_ld(s[0], i) * o->alpha + (1 - o->alpha) * (g * g);
			nn_st(s[0], i, v);
			v = nn_ld(s[0], i);
			if (o->centered) {
				a = nn_ld(s[2], i) * o->alpha + (1 - o->alpha) * g;
				nn_st(s[2], i, a);
				a = nn_ld(s[2], i);
				d = sqrt(v - a * a) + o->eps;
			} else {
				d = sqrt(v) + o->eps;
			}
			if (o->momentum > 0) {
				b = nn_ld(s[1], i) * o->momentum + g / d;
				nn_st(s[1], i, b);
				pv -= c->lr * nn_ld(s[1], i);
			} else {
				pv -= c->lr * (g / d);
			}
			break;
		case NN_OPTIM_ADAGRAD:
			if (o->weight_decay != 0)
				g += o->weight_decay * pv;
			v = nn_ld(s[0], i) + g * g;
			nn_st(s[0], i, v);
			pv -= c->clr * (g / (sqrt(nn_ld(s[0], i)) + o->eps));
			break;
		}
		nn_st(p, i, pv);
	}
}

int
nn_optim_step(NnOptim *opt, AcErr *err)
{
	const NnOptimOptions *o = &opt->o;
	Coef c = {.lr = o->lr, .wd = o->weight_decay};
	double t;
	int rc;

	opt->step++;
	t = (double)opt->step;
	c.step_size = o->lr / (1 - pow(o->beta1, t));
	c.bc2_sqrt = sqrt(1 - pow(o->beta2, t));
	c.clr = o->lr / (1 + (t - 1) * o->lr_decay);
	for (int i = 0; i < opt->nparams; i++) {
		NnParam *p = opt->param[i];
		MlTensor *s[NSTATE] = {0};
		bool fresh = false;
		char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];

		if (!ml_same_shape(p->value, p->grad) || p->value->dtype != p->grad->dtype ||
		    !ml_tensor_is_contiguous(p->value) || !ml_tensor_is_contiguous(p->grad) ||
		    (p->value->dtype != ML_F32 && p->value->dtype != ML_F64))
			return ac_err_set(err, AC_ESHAPE, "%s: parameter %d (%s) value %s %s, grad %s %s",
			                  type_names[opt->kind], i, p->name, ml_shape_fmt(p->value, a),
			                  ml_dtype_name(p->value->dtype), ml_shape_fmt(p->grad, b),
			                  ml_dtype_name(p->grad->dtype));
		for (int k = 0; k < NSTATE; k++) {
			MlTensor *st_k = opt->state[i][k];
			if (!slot_used(opt, k))
				continue;
			/* a model converted by nn_to_dtype after the state was made */
			if (st_k != NULL && (st_k->dtype != p->value->dtype || !ml_same_shape(st_k, p->value))) {
				MlTensor *cv = ml_same_shape(st_k, p->value) ? ml_cast(st_k, p->value->dtype, err)
				                                             : NULL;
				if (cv == NULL)
					return ac_err_set(err, AC_ESHAPE, "%s: parameter %d (%s) changed shape",
					                  type_names[opt->kind], i, p->name);
				ml_tensor_unref(st_k);
				opt->state[i][k] = cv;
			}
			if ((rc = make_slot(opt, i, k, k == 0 ? &fresh : NULL, err)) != AC_OK)
				return rc;
			s[k] = opt->state[i][k];
		}
		update(opt, &c, p->value, p->grad, s, fresh || opt->step == 1);
	}
	return AC_OK;
}

/* ---- parameter lists ---- */

typedef struct List {
	NnParam **p;
	int n, cap;
} List;

static int
collect(void *ctx, const char *name, NnParam *p)
{
	List *l = ctx;

	(void)name;
	if (l->n == l->cap) {
		int cap = l->cap > 0 ? 2 * l->cap : 16;
		NnParam **np = realloc(l->p, (size_t)cap * sizeof *np);
		if (np == NULL)
			return 1;
		l->p = np;
		l->cap = cap;
	}
	l->p[l->n++] = p;
	return 0;
}

NnParam **
nn_parameters(NnModule *m, int *n, AcErr *err)
{
	List l = {0};

	if (nn_named_parameters(m, false, collect, &l) != 0 ||
	    (l.p == NULL && (l.p = malloc(sizeof *l.p)) == NULL)) {
		free(l.p);
		ac_err_set(err, AC_ENOMEM, "parameters: out of memory");
		return NULL;
	}
	*n = l.n;
	return l.p;
}
