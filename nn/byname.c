/*
 * Losses and optimizers by PyTorch's class name and keyword arguments
 * written as text ("CrossEntropyLoss", "reduction=sum label_smoothing=0.1";
 * "AdamW", "lr=0.001 betas=0.9,0.999 weight_decay=0.01"): the way $Nn and
 * command lines make them. Every option is checked: a name the type does
 * not take is refused, not ignored.
 */
#include "nn/nn_impl.h"

#include <stdlib.h>
#include <string.h>

/* A copy of opts with the word-valued options turned into numbers the
 * hyper-parameter parser reads: reduction=none|mean|sum|batchmean ->
 * 0|1|2|3, betas=a,b -> beta1=a beta2=b. */
static int
normalise(const char *opts, char *out, size_t outbytes, AcErr *err)
{
	static const char *const red[] = {"none", "mean", "sum", "batchmean"};
	size_t o = 0;

	out[0] = 0;
	for (const char *p = opts != NULL ? opts : ""; *p != 0;) {
		char word[256];
		size_t n;
		int w;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if ((n = strcspn(p, " \t\n")) == 0)
			break;
		if (n >= sizeof word)
			return ac_err_set(err, AC_EINVAL, "options: '%.32s...' is too long", p);
		memcpy(word, p, n);
		word[n] = 0;
		p += n;
		if (strncmp(word, "reduction=", 10) == 0) {
			int k = -1;
			for (int i = 0; i < 4; i++)
				if (strcmp(word + 10, red[i]) == 0)
					k = i;
			if (k < 0)
				return ac_err_set(err, AC_EINVAL, "options: reduction=%s: want none, mean, sum or batchmean",
				                  word + 10);
			w = snprintf(out + o, outbytes - o, "reduction=%d ", k);
		} else if (strncmp(word, "betas=", 6) == 0) {
			char *comma = strchr(word + 6, ',');
			if (comma == NULL)
				return ac_err_set(err, AC_EINVAL, "options: betas=%s: want two numbers a,b", word + 6);
			*comma = 0;
			w = snprintf(out + o, outbytes - o, "beta1=%s beta2=%s ", word + 6, comma + 1);
		} else
			w = snprintf(out + o, outbytes - o, "%s ", word);
		if (w < 0 || (size_t)w >= outbytes - o)
			return ac_err_set(err, AC_EINVAL, "options: too long");
		o += (size_t)w;
	}
	return AC_OK;
}

/* Parses opts and checks that every name is one of allowed (a
 * space-separated list). */
static int
parse(const char *type, const char *opts, const char *allowed, NnHparams *hp, AcErr *err)
{
	char buf[1024];
	int rc;

	if ((rc = normalise(opts, buf, sizeof buf, err)) != AC_OK ||
	    (rc = nn_hparams_parse(hp, buf, err)) != AC_OK)
		return rc;
	for (int i = 0; i < hp->n; i++) {
		const char *p = strstr(allowed, hp->h[i].name);
		size_t n = strlen(hp->h[i].name);
		while (p != NULL && ((p != allowed && p[-1] != ' ') || (p[n] != ' ' && p[n] != 0)))
			p = strstr(p + 1, hp->h[i].name);
		if (p == NULL)
			return ac_err_set(err, AC_EINVAL, "%s: no option '%s' (it takes: %s)", type, hp->h[i].name,
			                  allowed);
	}
	return AC_OK;
}

NnLoss *
nn_loss_create(const char *type, const char *opts, AcErr *err)
{
	NnHparams hp;
	NnReduction r;

	if (strcmp(type, "CrossEntropyLoss") == 0) {
		if (parse(type, opts, "reduction ignore_index label_smoothing", &hp, err) != AC_OK)
			return NULL;
		r = (NnReduction)nn_hparam_geti(&hp, "reduction", NN_REDUCTION_MEAN);
		return nn_cross_entropy_loss(r, NULL, nn_hparam_geti(&hp, "ignore_index", -100),
		                             nn_hparam_getf(&hp, "label_smoothing", 0), err);
	}
	if (strcmp(type, "NLLLoss") == 0) {
		if (parse(type, opts, "reduction ignore_index", &hp, err) != AC_OK)
			return NULL;
		r = (NnReduction)nn_hparam_geti(&hp, "reduction", NN_REDUCTION_MEAN);
		return nn_nll_loss(r, NULL, nn_hparam_geti(&hp, "ignore_index", -100), err);
	}
	if (strcmp(type, "MSELoss") == 0 || strcmp(type, "L1Loss") == 0 || strcmp(type, "BCELoss") == 0 ||
	    strcmp(type, "BCEWithLogitsLoss") == 0) {
		if (parse(type, opts, "reduction", &hp, err) != AC_OK)
			return NULL;
		r = (NnReduction)nn_hparam_geti(&hp, "reduction", NN_REDUCTION_MEAN);
		if (type[0] == 'M')
			return nn_mse_loss(r, err);
		if (type[0] == 'L')
			return nn_l1_loss(r, err);
		if (strcmp(type, "BCELoss") == 0)
			return nn_bce_loss(r, NULL, err);
		return nn_bce_with_logits_loss(r, NULL, NULL, err);
	}
	if (strcmp(type, "SmoothL1Loss") == 0) {
		if (parse(type, opts, "reduction beta", &hp, err) != AC_OK)
			return NULL;
		r = (NnReduction)nn_hparam_geti(&hp, "reduction", NN_REDUCTION_MEAN);
		return nn_smooth_l1_loss(r, nn_hparam_getf(&hp, "beta", 1.0), err);
	}
	if (strcmp(type, "KLDivLoss") == 0) {
		if (parse(type, opts, "reduction log_target", &hp, err) != AC_OK)
			return NULL;
		r = (NnReduction)nn_hparam_geti(&hp, "reduction", NN_REDUCTION_MEAN);
		return nn_kl_div_loss(r, nn_hparam_geti(&hp, "log_target", 0) != 0, err);
	}
	ac_err_set(err, AC_EINVAL,
	           "no loss '%s' (CrossEntropyLoss NLLLoss MSELoss L1Loss SmoothL1Loss BCELoss "
	           "BCEWithLogitsLoss KLDivLoss)", type);
	return NULL;
}

static const struct {
	const char *type;
	NnOptimKind kind;
	const char *allowed;
} optims[] = {
	{"SGD", NN_OPTIM_SGD, "lr momentum dampening weight_decay nesterov maximize"},
	{"Adam", NN_OPTIM_ADAM, "lr beta1 beta2 eps weight_decay amsgrad maximize"},
	{"AdamW", NN_OPTIM_ADAMW, "lr beta1 beta2 eps weight_decay amsgrad maximize"},
	{"RMSprop", NN_OPTIM_RMSPROP, "lr alpha eps weight_decay momentum centered maximize"},
	{"Adagrad", NN_OPTIM_ADAGRAD, "lr lr_decay weight_decay initial_accumulator_value eps maximize"},
};

NnOptim *
nn_optim_create(const char *type, NnModule *m, const char *opts, AcErr *err)
{
	for (size_t i = 0; i < sizeof optims / sizeof optims[0]; i++) {
		NnOptimOptions o;
		NnHparams hp;
		if (strcmp(type, optims[i].type) != 0)
			continue;
		if (parse(type, opts, optims[i].allowed, &hp, err) != AC_OK)
			return NULL;
		o = nn_optim_defaults(optims[i].kind);
		o.lr = nn_hparam_getf(&hp, "lr", o.lr);
		o.weight_decay = nn_hparam_getf(&hp, "weight_decay", o.weight_decay);
		o.maximize = nn_hparam_geti(&hp, "maximize", o.maximize) != 0;
		o.momentum = nn_hparam_getf(&hp, "momentum", o.momentum);
		o.dampening = nn_hparam_getf(&hp, "dampening", o.dampening);
		o.nesterov = nn_hparam_geti(&hp, "nesterov", o.nesterov) != 0;
		o.beta1 = nn_hparam_getf(&hp, "beta1", o.beta1);
		o.beta2 = nn_hparam_getf(&hp, "beta2", o.beta2);
		o.eps = nn_hparam_getf(&hp, "eps", o.eps);
		o.amsgrad = nn_hparam_geti(&hp, "amsgrad", o.amsgrad) != 0;
		o.alpha = nn_hparam_getf(&hp, "alpha", o.alpha);
		o.centered = nn_hparam_geti(&hp, "centered", o.centered) != 0;
		o.lr_decay = nn_hparam_getf(&hp, "lr_decay", o.lr_decay);
		o.initial_accumulator_value =
			nn_hparam_getf(&hp, "initial_accumulator_value", o.initial_accumulator_value);
		return nn_optim_new(optims[i].kind, &o, m, err);
	}
	ac_err_set(err, AC_EINVAL, "no optimizer '%s' (SGD Adam AdamW RMSprop Adagrad)", type);
	return NULL;
}
