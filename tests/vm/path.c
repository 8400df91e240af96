/* Inferno path names are cleaned lexically, so "/.." stays at the root. */
#include "tests/test.h"

#include <string.h>

#include "vm/vm_impl.h"

static void
check(const char *in, const char *want)
{
	char b[256];

	snprintf(b, sizeof b, "%s", in);
	vm_path_clean(b);
	if (strcmp(b, want) != 0) {
		print_error("clean(%s) = %s, want %s\n", in, b, want);
		fail();
	}
}

static void
test_clean(void **state)
{
	check("/", "/");
	check("/..", "/");
	check("/../x", "/x");
	check("/a/../b", "/b");
	check("/a/./b//c/", "/a/b/c");
	check("/dis/../lib/./x.dis", "/lib/x.dis");
	check("/a/b/../../..", "/");
	check("a/b/..", "a");
	check("a/../..", "..");
	check("../a", "../a");
	check("x/../../y", "../y");
	check("", ".");
	check(".", ".");
}

TEST_MAIN("vm/path", cmocka_unit_test(test_clean))
