/*
 * What a submitted module must be, checked by the client before it queues
 * the module and by the scheduler again when it arrives (a client's check is
 * a courtesy, never a guarantee): a Dis module by the loader's own rules,
 * and, under a signing policy, signed by a trusted key. Also the bound on
 * the reasons jobs end with.
 */
#include <string.h>

#include "scheduler/sched.h"

int
sched_module_check(const uint8_t *buf, size_t len, const char *name, const DisTrust *trust, AcErr *err)
{
	DisModule *m;
	AcErr e;
	char signer[64];
	const char *why;
	size_t n = strlen(name);
	int rc = AC_OK;

	/* dis-run loads with dis_module_read (dis_module_load); the same
	 * reader here, so a module passes exactly when dis-run would load it. */
	if ((m = dis_module_read(buf, len, name, &e)) == NULL) {
		why = e.msg;
		/* The reader names the file; say it once, with what it is not. */
		if (strncmp(why, name, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
			why += n + 2;
		if (e.code == AC_ENOMEM)
			return ac_err_set(err, AC_ENOMEM, "%s: %s", name, why);
		return ac_err_set(err, AC_EFORMAT, "%s: not a Dis module: %s", name, why);
	}
	if (trust != NULL && dis_module_verify(m, trust, name, signer, &e) != AC_OK)
		rc = ac_err_set(err, e.code, "%s", e.msg);
	dis_module_free(m);
	return rc;
}

void
sched_reason_clean(const char *in, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)(in != NULL ? in : "");
	size_t k = 0;

	/* One printable line: a node's (or a task's) text is not trusted to be
	 * short or to hold no newlines and escapes. */
	for (; *p && k + 1 < size; p++)
		out[k++] = (char)(*p < 0x20 || *p == 0x7f ? ' ' : *p);
	if (*p != 0) {
		/* Cut: no half of a UTF-8 sequence at the end (a whole one may go). */
		while (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)out[k - 1] & 0x80))
			k--;
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = 0;
}
