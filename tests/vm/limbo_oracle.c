/*
 * Inferno's Limbo compiler (limbo.dis) running on our VM is an oracle for
 * both (tests/vm/limbo_oracle.h): the shipped sources compile to the
 * shipped .dis, and the compiler compiles itself.
 */
#include "tests/test.h"
#include "tests/run.h"

#define OUTDIR "build/tests/vm/oracle"
#define ORACLE_NAME "limbo.dis on this VM"
#include "tests/vm/limbo_oracle.h"

static int
setup(void **state)
{
	char cwd[1024];

	(void)state;
	if (getcwd(cwd, sizeof cwd) == NULL)
		return -1;
	if (inferno_dir()[0] == '/')
		snprintf(oracle_root, sizeof oracle_root, "%s", inferno_dir());
	else
		snprintf(oracle_root, sizeof oracle_root, "%s/%s", cwd, inferno_dir());
	return 0;
}

TEST_MAIN("limbo.dis oracle",
          inferno_unit_test_setup(test_shipped_sources, setup),
          inferno_unit_test_setup(test_self_compile, setup))
