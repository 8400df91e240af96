/*
 * Inferno's shipped commands ($ACHERON_INFERNO/dis, compiled by Inferno's
 * limbo) run on our VM and behave as their man pages and Limbo sources
 * (appl/cmd/NAME.b) say, on files and on standard input. They exercise $Sys
 * (open, read, seek, stat, create, tokenize, byte2char, ...), $Math (calc,
 * units) and the Dis library modules bufio, arg, string, crc, rand,
 * daytime. The last test prints how many commands pass.
 */
#include "tests/test.h"
#include "tests/run.h"

#include "tests/vm/cmd_cases.h"

static int case_ok[NCASES];

static void
run_case(void **state)
{
	const Case *c = *state;
	char dis[512];

	snprintf(dis, sizeof dis, "%s/dis/%s.dis", inferno_dir(), c->cmd);
	if (!cmd_case_check(c, inferno_dir(), dis))
		fail();
	case_ok[c - cases] = 1;
}

/* Prints how many commands pass every one of their cases. */
static void
test_summary(void **state)
{
	int ncmd = 0, npass = 0;

	for (int i = 0; i < NCASES; i++) {
		int first = 1, ok = 1;
		for (int j = 0; j < i; j++)
			if (strcmp(cases[j].cmd, cases[i].cmd) == 0)
				first = 0;
		if (!first)
			continue;
		for (int j = i; j < NCASES; j++)
			if (strcmp(cases[j].cmd, cases[i].cmd) == 0 && !case_ok[j])
				ok = 0;
		ncmd++;
		npass += ok;
	}
	printf("# %d of %d Inferno commands pass\n", npass, ncmd);
	assert_int_equal(npass, ncmd);
}

/* inferno_unit_test with the case as state: every case needs Inferno's files */
#define C(i)                                                                                      \
	{                                                                                         \
		inferno_present() || inferno_required() ? cases[i].cmd : "case " #i " # SKIP " INFERNO_MISSING, \
		inferno_present() ? run_case : inferno_required() ? inferno_missing : test_skipped,      \
		NULL, NULL, inferno_present() ? (void *)&cases[i] : (void *)INFERNO_MISSING       \
	}

TEST_MAIN("vm/inferno_cmds",
          C(0), C(1), C(2), C(3), C(4), C(5), C(6), C(7), C(8), C(9),
          C(10), C(11), C(12), C(13), C(14), C(15), C(16), C(17), C(18), C(19),
          C(20), C(21), C(22), C(23), C(24), C(25), C(26), C(27), C(28), C(29),
          C(30), C(31), C(32), C(33), C(34), C(35),
          inferno_unit_test(test_summary))
_Static_assert(NCASES == 36, "one C(i) per case above");
