/*
 * Linking a load against its callee's exports, from Limbo: a module type
 * whose signature for a function differs from the callee's, one naming a
 * function the callee lacks, and $Sys declared with print's type wrong
 * each make `load` give nil, with Inferno's message in %r
 * (libinterp/link.c linkm: "link typecheck Mod->fn() CALLEE/IMPORTER",
 * bare hex, 0 for a missing function); a matching load still works.
 * tests/vm/limbo/linkuse.b loads tests/vm/limbo/linkb.b, both compiled by
 * Inferno's limbo.dis on this VM (its signatures give the exact text) and
 * by bin/limbo (the signatures are read back from the .dis files, so the
 * test does not depend on how bin/limbo computes them).
 */
#include "tests/vm/limbo.h"
#include "dis/dis.h"

static RunResult
run_linkuse(const char *dir)
{
	char dis[256];
	RunResult r;

	snprintf(dis, sizeof dis, "%s/linkuse.dis", dir);
	{
		char *argv[] = {"bin/dis-run", dis, NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	if (r.status != 0 || r.err[0] != 0)
		print_error("%s: status %d: %s\n", dis, r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	return r;
}

/* The signature module file dis exports for fn (k < 0), or else the one
 * it imports for fn that is not `other` (there must be exactly one: the
 * import tables are searched whatever their order). */
static uint32_t
sig_of(const char *dis, int k, const char *fn, uint32_t other)
{
	AcErr err;
	DisModule *m = dis_module_load(dis, &err);
	uint32_t sig = 0;
	int found = 0;

	if (m == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(m);
	if (k < 0) {
		for (int32_t i = 0; i < m->nlink; i++)
			if (strcmp(m->link[i].name, fn) == 0)
				sig = m->link[i].sig, found++;
	} else {
		for (int32_t j = 0; j < m->nimport; j++)
			for (int32_t i = 0; i < m->import[j].nfunc; i++)
				if (strcmp(m->import[j].func[i].name, fn) == 0 && m->import[j].func[i].sig != other)
					sig = m->import[j].func[i].sig, found++;
	}
	dis_module_free(m);
	assert_int_equal(found, 1);
	return sig;
}

static void
test_link_messages_inferno_limbo(void **state)
{
	RunResult r;

	(void)state;
	limbo_compile("linkb");
	limbo_compile("linkuse");
	r = run_linkuse(LIMBO_ROOT);
	assert_string_equal(r.out, "nil: link typecheck LinkB->inc() e67bf126/c6935858\n"
	                           "nil: link typecheck LinkB->dec() 0/e67bf126\n"
	                           "nil: link typecheck $Sys->print() ac849033/e67bf126\n"
	                           "42\n");
	run_free(&r);
}

static void
test_link_messages_ours(void **state)
{
	char want[512];
	const char *use = LIMBO_OURS "/linkuse.dis";
	uint32_t inc, winc, dec, print;
	RunResult r;

	(void)state;
	limbo_compile_ours("linkb");
	limbo_compile_ours("linkuse");
	inc = sig_of(LIMBO_OURS "/linkb.dis", -1, "inc", 0);
	winc = sig_of(use, 0, "inc", inc);
	dec = sig_of(use, 0, "dec", 0);
	print = sig_of(use, 0, "print", 0xac849033);
	snprintf(want, sizeof want,
	         "nil: link typecheck LinkB->inc() %x/%x\n"
	         "nil: link typecheck LinkB->dec() 0/%x\n"
	         "nil: link typecheck $Sys->print() ac849033/%x\n"
	         "42\n", inc, winc, dec, print);
	r = run_linkuse(LIMBO_OURS);
	assert_string_equal(r.out, want);
	run_free(&r);
}

TEST_MAIN("vm/link",
          inferno_unit_test(test_link_messages_inferno_limbo),
          cmocka_unit_test(test_link_messages_ours))
