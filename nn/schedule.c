/*
 * Learning-rate schedules (nn.h "Optimizers, schedules and gradient
 * clipping"): PyTorch's lr_scheduler values in closed form, so a step's
 * lr never depends on the steps before it.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <string.h>

static const char *const type_names[] = {
	[NN_SCHED_STEP_LR] = "StepLR", [NN_SCHED_MULTI_STEP_LR] = "MultiStepLR",
	[NN_SCHED_EXPONENTIAL_LR] = "ExponentialLR",
	[NN_SCHED_COSINE_ANNEALING_LR] = "CosineAnnealingLR", [NN_SCHED_ONE_CYCLE_LR] = "OneCycleLR",
	[NN_SCHED_LINEAR_LR] = "LinearLR",
};

static int
start(NnSchedule *s, NnScheduleKind kind, double base_lr, AcErr *err)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->base_lr = base_lr;
	if (!(base_lr >= 0))
		return ac_err_set(err, AC_EINVAL, "%s: lr %g, want >= 0", type_names[kind], base_lr);
	return AC_OK;
}

int
nn_step_lr(NnSchedule *s, double base_lr, int64_t step_size, double gamma, AcErr *err)
{
	int rc = start(s, NN_SCHED_STEP_LR, base_lr, err);

	if (rc == AC_OK && step_size < 1)
		rc = ac_err_set(err, AC_EINVAL, "StepLR: step_size %lld, want >= 1", (long long)step_size);
	s->step_size = step_size;
	s->gamma = gamma;
	return rc;
}

int
nn_multi_step_lr(NnSchedule *s, double base_lr, int nmilestones, const int64_t *milestones,
                 double gamma, AcErr *err)
{
	int rc = start(s, NN_SCHED_MULTI_STEP_LR, base_lr, err);

	if (rc != AC_OK)
		return rc;
	if (nmilestones < 0 || nmilestones > NN_MAX_MILESTONES || (nmilestones > 0 && milestones == NULL))
		return ac_err_set(err, AC_EINVAL, "MultiStepLR: %d milestones, want 0 to %d", nmilestones,
		                  NN_MAX_MILESTONES);
	s->nmilestones = nmilestones;
	if (nmilestones > 0)
		memcpy(s->milestones, milestones, (size_t)nmilestones * sizeof *milestones);
	s->gamma = gamma;
	return AC_OK;
}

int
nn_exponential_lr(NnSchedule *s, double base_lr, double gamma, AcErr *err)
{
	int rc = start(s, NN_SCHED_EXPONENTIAL_LR, base_lr, err);

	s->gamma = gamma;
	return rc;
}

int
nn_cosine_annealing_lr(NnSchedule *s, double base_lr, int64_t t_max, double eta_min, AcErr *err)
{
	int rc = start(s, NN_SCHED_COSINE_ANNEALING_LR, base_lr, err);

	if (rc == AC_OK && t_max < 1)
		rc = ac_err_set(err, AC_EINVAL, "CosineAnnealingLR: T_max %lld, want >= 1", (long long)t_max);
	s->t_max = t_max;
	s->eta_min = eta_min;
	return rc;
}

int
nn_one_cycle_lr(NnSchedule *s, double max_lr, int64_t total_steps, double pct_start,
                bool anneal_linear, double div_factor, double final_div_factor, bool three_phase,
                AcErr *err)
{
	int rc = start(s, NN_SCHED_ONE_CYCLE_LR, max_lr, err);

	if (rc != AC_OK)
		return rc;
	if (total_steps < 1)
		return ac_err_set(err, AC_EINVAL, "OneCycleLR: total_steps %lld, want >= 1",
		                  (long long)total_steps);
	if (!(pct_start >= 0 && pct_start <= 1))
		return ac_err_set(err, AC_EINVAL, "OneCycleLR: pct_start %g is outside [0, 1]", pct_start);
	if (!(div_factor > 0) || !(final_div_factor > 0))
		return ac_err_set(err, AC_EINVAL, "OneCycleLR: div_factor %g, final_div_factor %g, want > 0",
		                  div_factor, final_div_factor);
	s->max_lr = max_lr;
	s->base_lr = max_lr / div_factor;
	s->total_steps = total_steps;
	s->pct_start = pct_start;
	s->anneal_linear = anneal_linear;
	s->div_factor = div_factor;
	s->final_div_factor = final_div_factor;
	s->three_phase = three_phase;
	return AC_OK;
}

int
nn_linear_lr(NnSchedule *s, double base_lr, double start_factor, double end_factor,
             int64_t total_iters, AcErr *err)
{
	int rc = start(s, NN_SCHED_LINEAR_LR, base_lr, err);

	if (rc != AC_OK)
		return rc;
	if (!(start_factor > 0 && start_factor <= 1))
		return ac_err_set(err, AC_EINVAL, "LinearLR: start_factor %g is outside (0, 1]", start_factor);
	if (!(end_factor >= 0 && end_factor <= 1))
		return ac_err_set(err, AC_EINVAL, "LinearLR: end_factor %g is outside [0, 1]", end_factor);
	if (total_iters < 1)
		return ac_err_set(err, AC_EINVAL, "LinearLR: total_iters %lld, want >= 1",
		                  (long long)total_iters);
	s->start_factor = start_factor;
	s->end_factor = end_factor;
	s->total_iters = total_iters;
	return AC_OK;
}

/* OneCycleLR's _annealing_cos and _annealing_linear. */
static double
anneal(const NnSchedule *s, double from, double to, double pct)
{
	if (s->anneal_linear)
		return (to - from) * pct + from;
	return to + (from - to) / 2.0 * (cos(M_PI * pct) + 1);
}

static double
one_cycle(const NnSchedule *s, int64_t step)
{
	double initial = s->base_lr, min_lr = initial / s->final_div_factor, t = (double)s->total_steps;
	/* the phases' end steps and lrs, as OneCycleLR's _schedule_phases */
	double end[3], from[3], to[3], begin = 0;
	int n;

	if (step > s->total_steps)
		return NAN;
	if (s->three_phase) {
		n = 3;
		end[0] = s->pct_start * t - 1, from[0] = initial, to[0] = s->max_lr;
		end[1] = 2 * s->pct_start * t - 2, from[1] = s->max_lr, to[1] = initial;
		end[2] = t - 1, from[2] = initial, to[2] = min_lr;
	} else {
		n = 2;
		end[0] = s->pct_start * t - 1, from[0] = initial, to[0] = s->max_lr;
		end[1] = t - 1, from[1] = s->max_lr, to[1] = min_lr;
	}
	for (int i = 0; i < n; i++) {
		if ((double)step <= end[i] || i == n - 1)
			return anneal(s, from[i], to[i], ((double)step - begin) / (end[i] - begin));
		begin = end[i];
	}
	return NAN;
}

double
nn_schedule_lr(const NnSchedule *s, int64_t step)
{
	int64_t k = 0;

	if (step < 0)
		return NAN;
	switch (s->kind) {
	case NN_SCHED_STEP_LR:
		return s->base_lr * pow(s->gamma, (double)(step / s->step_size));
	case NN_SCHED_MULTI_STEP_LR:
		for (int i = 0; i < s->nmilestones; i++)
			k += s->milestones[i] <= step;  /* bisect_right over the sorted list */
		return s->base_lr * pow(s->gamma, (double)k);
	case NN_SCHED_EXPONENTIAL_LR:
		return s->base_lr * pow(s->gamma, (double)step);
	case NN_SCHED_COSINE_ANNEALING_LR:
		return s->eta_min +
		       (s->base_lr - s->eta_min) * (1 + cos(M_PI * (double)step / (double)s->t_max)) / 2;
	case NN_SCHED_ONE_CYCLE_LR:
		return one_cycle(s, step);
	case NN_SCHED_LINEAR_LR:
		k = step < s->total_iters ? step : s->total_iters;
		return s->base_lr * (s->start_factor + (s->end_factor - s->start_factor) * (double)k /
		                                           (double)s->total_iters);
	}
	return NAN;
}

int
nn_schedule_apply(const NnSchedule *s, NnOptim *opt, int64_t step, AcErr *err)
{
	double lr = nn_schedule_lr(s, step);

	if (isnan(lr)) {
		if (s->kind == NN_SCHED_ONE_CYCLE_LR && step > s->total_steps)
			return ac_err_set(err, AC_ERANGE, "OneCycleLR: step %lld is past total_steps %lld",
			                  (long long)step, (long long)s->total_steps);
		return ac_err_set(err, AC_ERANGE, "%s: no lr at step %lld", type_names[s->kind],
		                  (long long)step);
	}
	nn_optim_set_lr(opt, lr);
	return AC_OK;
}
