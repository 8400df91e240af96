/*
 * Learning-rate schedules (nn/schedule.c): each schedule's lr over its
 * first steps against torch.optim.lr_scheduler, and applying it to an
 * optimizer.
 *
 * The expected values were printed by /usr/bin/python3 with torch 1.13:
 * o = torch.optim.SGD([p], lr=0.1); s = <Scheduler>(o, ...); then the
 * group's lr before each of n pairs o.step(); s.step() and once after,
 * written with "%.17g" (the scheduler's arguments are beside each use).
 */
#include "tests/nn/nntest.h"

static const double STEP[21] = {0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.025000000000000001, 0.025000000000000001, 0.025000000000000001, 0.012500000000000001, 0.012500000000000001, 0.012500000000000001, 0.0062500000000000003, 0.0062500000000000003, 0.0062500000000000003, 0.0031250000000000002, 0.0031250000000000002, 0.0031250000000000002, 0.0015625000000000001, 0.0015625000000000001, 0.0015625000000000001};
static const double MULTI[21] = {0.10000000000000001, 0.10000000000000001, 0.029999999999999999, 0.029999999999999999, 0.029999999999999999, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985, 0.00080999999999999985};
static const double EXPO[21] = {0.10000000000000001, 0.090000000000000011, 0.081000000000000016, 0.07290000000000002, 0.065610000000000016, 0.059049000000000018, 0.05314410000000002, 0.047829690000000022, 0.043046721000000024, 0.03874204890000002, 0.034867844010000017, 0.031381059609000013, 0.028242953648100012, 0.025418658283290013, 0.022876792454961013, 0.020589113209464913, 0.018530201888518422, 0.016677181699666581, 0.015009463529699923, 0.013508517176729932, 0.01215766545905694};
static const double COSINE[21] = {0.10000000000000001, 0.095097958961169751, 0.081362745192007313, 0.061514786230837566, 0.039485213769162447, 0.019637254807992697, 0.0059020410388302587, 0.001, 0.0059020410388302526, 0.019637254807992683, 0.039485213769162433, 0.061514786230837525, 0.081362745192007313, 0.095097958961169779, 0.10000000000000002, 0.095097958961169779, 0.081362745192007341, 0.061514786230837552, 0.039485213769162461, 0.019637254807992707, 0.0059020410388302639};
static const double ONECYCLE[21] = {0.020000000000000018, 0.065835921350012649, 0.18583592135001265, 0.33416407864998737, 0.45416407864998737, 0.5, 0.49373200311754367, 0.47524231600673683, 0.44545808878552501, 0.40587282697488153, 0.35847150089565039, 0.30563101096814466, 0.25000099999999997, 0.19437098903185537, 0.14153049910434962, 0.094129173025118487, 0.054543911214475022, 0.024759683993263143, 0.0062699968824562772, 1.9999999999999999e-06, 0.0062699968824562772};
static const double ONECYCLE3[17] = {0.050000000000000003, 0.20000000000000001, 0.34999999999999998, 0.5, 0.34999999999999998, 0.20000000000000001, 0.049999999999999989, 0.044500000000000005, 0.039000000000000007, 0.033500000000000002, 0.028000000000000004, 0.022499999999999999, 0.017000000000000001, 0.011500000000000003, 0.0060000000000000053, 0.00050000000000000044, -0.0050000000000000044};
static const double LINEAR[13] = {0.025000000000000001, 0.037500000000000006, 0.050000000000000003, 0.0625, 0.074999999999999997, 0.087500000000000008, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001};

/* PyTorch steps the chainable forms (lr *= gamma each step); the closed
 * forms here differ from them by rounding only. */
static void
expect_seq(const NnSchedule *s, const double *want, int n)
{
	for (int i = 0; i < n; i++) {
		double lr = nn_schedule_lr(s, i);
		if (!(fabs(lr - want[i]) <= 1e-15 + 1e-13 * fabs(want[i])))
			print_error("step %d:\n", i);
		assert_close(lr, want[i], 1e-15, 1e-13);
	}
}

static void
test_step_lr(void **state)
{
	NnSchedule s;

	assert_int_equal(nn_step_lr(&s, 0.1, 3, 0.5, NULL), AC_OK);  /* StepLR(step_size=3, gamma=0.5) */
	expect_seq(&s, STEP, 21);
}

static void
test_multi_step_lr(void **state)
{
	NnSchedule s;

	/* MultiStepLR(milestones=[2, 5, 5, 11], gamma=0.3): a repeated
	 * milestone counts twice; given here out of order */
	assert_int_equal(nn_multi_step_lr(&s, 0.1, 4, (int64_t[]){5, 11, 2, 5}, 0.3, NULL), AC_OK);
	expect_seq(&s, MULTI, 21);
}

static void
test_exponential_lr(void **state)
{
	NnSchedule s;

	assert_int_equal(nn_exponential_lr(&s, 0.1, 0.9, NULL), AC_OK);  /* ExponentialLR(gamma=0.9) */
	expect_seq(&s, EXPO, 21);
}

static void
test_cosine_annealing_lr(void **state)
{
	NnSchedule s;

	/* CosineAnnealingLR(T_max=7, eta_min=0.001), past T_max too */
	assert_int_equal(nn_cosine_annealing_lr(&s, 0.1, 7, 0.001, NULL), AC_OK);
	expect_seq(&s, COSINE, 21);
}

static void
test_one_cycle_lr(void **state)
{
	NnSchedule s;
	AcErr err = {0};

	/* OneCycleLR(max_lr=0.5, total_steps=20, cycle_momentum=False) */
	assert_int_equal(nn_one_cycle_lr(&s, 0.5, 20, 0.3, false, 25, 1e4, false, NULL), AC_OK);
	expect_seq(&s, ONECYCLE, 21);
	assert_true(isnan(nn_schedule_lr(&s, 21)));
	/* OneCycleLR(max_lr=0.5, total_steps=16, three_phase=True,
	 * anneal_strategy='linear', pct_start=0.25, div_factor=10,
	 * final_div_factor=100, cycle_momentum=False) */
	assert_int_equal(nn_one_cycle_lr(&s, 0.5, 16, 0.25, true, 10, 100, true, NULL), AC_OK);
	expect_seq(&s, ONECYCLE3, 17);
	assert_int_equal(nn_one_cycle_lr(&s, 0.5, 0, 0.3, false, 25, 1e4, false, &err), AC_EINVAL);
	assert_string_equal(err.msg, "OneCycleLR: total_steps 0, want >= 1");
}

static void
test_linear_lr(void **state)
{
	NnSchedule s;
	AcErr err = {0};

	/* LinearLR(start_factor=0.25, end_factor=1.0, total_iters=6) */
	assert_int_equal(nn_linear_lr(&s, 0.1, 0.25, 1.0, 6, NULL), AC_OK);
	expect_seq(&s, LINEAR, 13);
	assert_int_equal(nn_linear_lr(&s, 0.1, 0, 1.0, 6, &err), AC_EINVAL);
	assert_string_equal(err.msg, "LinearLR: start_factor 0 is outside (0, 1]");
}

/* A schedule sets the optimizer's lr, which the next step uses; past
 * OneCycleLR's total_steps it refuses, as PyTorch does. */
static void
test_apply(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_SGD);
	NnParam p = {.name = "w"};
	NnParam *list[1] = {&p};
	NnSchedule s;
	NnOptim *opt;
	AcErr err = {0};

	p.value = t64(1, (int64_t[]){1}, (double[]){1});
	p.grad = t64(1, (int64_t[]){1}, (double[]){1});
	o.lr = 0.1;
	opt = nn_optim_new_params(NN_OPTIM_SGD, &o, list, 1, NULL);
	assert_non_null(opt);
	assert_int_equal(nn_step_lr(&s, nn_optim_get_lr(opt), 3, 0.5, NULL), AC_OK);
	for (int step = 0; step < 5; step++) {
		assert_int_equal(nn_schedule_apply(&s, opt, step, NULL), AC_OK);
		assert_int_equal(nn_optim_step(opt, NULL), AC_OK);
	}
	/* 1 - 3 * 0.1 - 2 * 0.05 */
	assert_close(D64(p.value)[0], 0.6, 1e-15, 0);
	assert_int_equal(nn_one_cycle_lr(&s, 0.5, 20, 0.3, false, 25, 1e4, false, NULL), AC_OK);
	assert_int_equal(nn_schedule_apply(&s, opt, 20, NULL), AC_OK);
	assert_close(nn_optim_get_lr(opt), ONECYCLE[20], 1e-15, 1e-13);
	assert_int_equal(nn_schedule_apply(&s, opt, 21, &err), AC_ERANGE);
	assert_string_equal(err.msg, "OneCycleLR: step 21 is past total_steps 20");
	nn_optim_free(opt);
	ml_tensor_unref(p.value);
	ml_tensor_unref(p.grad);
}

TEST_MAIN("nn lr schedules", cmocka_unit_test(test_step_lr), cmocka_unit_test(test_multi_step_lr),
          cmocka_unit_test(test_exponential_lr), cmocka_unit_test(test_cosine_annealing_lr),
          cmocka_unit_test(test_one_cycle_lr), cmocka_unit_test(test_linear_lr),
          cmocka_unit_test(test_apply))
