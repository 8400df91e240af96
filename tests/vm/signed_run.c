/*
 * dis-keygen, dis-sign, dis-verify and dis-run --require-signed as a user
 * runs them: a signed module runs; an unsigned, tampered or unknown one is
 * refused before it runs, with one line; a signed module that loads an
 * unsigned one gets nil from load, with the reason in %r.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <stdlib.h>
#include <string.h>

#define D "build/tests/vm/signed"

static RunResult
run(char *const argv[])
{
	return run_cmd(argv, "hello\n", 20000);
}

static void
copy(const char *from, const char *to)
{
	char cmd[1200];

	snprintf(cmd, sizeof cmd, "cp %s %s", from, to);
	assert_int_equal(system(cmd), 0);
}

static void
test_signed_modules(void **state)
{
	const char *hello = "examples/hello/hello.dis";
	RunResult r;

	assert_int_equal(system("rm -rf " D " && mkdir -p " D "/trust " D "/other"), 0);
	copy(hello, D "/hello.dis");
	copy(hello, D "/plain.dis");
	{
		char *a[] = {"bin/dis-keygen", "-o", D "/trust/alice", NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		run_free(&r);
		char *b[] = {"bin/dis-keygen", "-o", D "/other/mallory", NULL};
		r = run(b);
		assert_int_equal(r.status, 0);
		run_free(&r);
		/* no overwriting without -f; usage errors exit 2 */
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, "dis-keygen: " D "/trust/alice.key: exists (use -f to replace it)\n");
		run_free(&r);
		char *c[] = {"bin/dis-keygen", NULL};
		r = run(c);
		assert_int_equal(r.status, 2);
		run_free(&r);
		char *d[] = {"bin/dis-verify", NULL};
		r = run(d);
		assert_int_equal(r.status, 2);
		run_free(&r);
		char *e[] = {"bin/dis-run", "--require-signed", D "/hello.dis", NULL};
		r = run(e);
		assert_int_equal(r.status, 2);
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-sign", "-k", D "/trust/alice.key", D "/hello.dis", NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		run_free(&r);
		char *c[] = {"bin/dis-sign", "-k", D "/other/mallory.key", "-o", D "/mallory.dis", (char *)hello, NULL};
		r = run(c);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-verify", "--trust", D "/trust", D "/hello.dis", NULL};
		char want[200];
		r = run(a);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, D "/hello.dis: signed by "));
		assert_non_null(strstr(r.out, " (alice)\n"));
		assert_int_equal(strlen(r.out), strlen(D "/hello.dis: signed by ") + 16 + strlen(" (alice)\n"));
		/* without a trust store: the key id only */
		snprintf(want, sizeof want, "%.*s\n", (int)(strlen(r.out) - strlen(" (alice)\n")), r.out);
		run_free(&r);
		char *b[] = {"bin/dis-verify", D "/hello.dis", NULL};
		r = run(b);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.out, want);
		run_free(&r);
		char *c[] = {"bin/dis-verify", D "/plain.dis", NULL};
		r = run(c);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		assert_string_equal(r.err, "dis-verify: " D "/plain.dis: not signed\n");
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-run", "--require-signed", "--trust", D "/trust", D "/hello.dis", "signed", NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.out, "hello, signed\n");
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-run", "--require-signed", "--trust", D "/trust", D "/plain.dis", "x", NULL};
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		assert_string_equal(r.err, "dis-run: " D "/plain.dis: not signed\n");
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-run", "--require-signed", "--trust", D "/trust", D "/mallory.dis", "x", NULL};
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "dis-run: " D "/mallory.dis: signed by unknown key "));
		run_free(&r);
	}
	/* one changed byte in the signed hello's code: refused */
	copy(D "/hello.dis", D "/code.dis");
	assert_int_equal(system("printf '\\001' | dd of=" D "/code.dis bs=1 seek=20 conv=notrunc status=none"), 0);
	{
		char *a[] = {"bin/dis-run", "--require-signed", "--trust", D "/trust", D "/code.dis", "x", NULL};
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "dis-run: " D "/code.dis: "));
		assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);  /* one line */
		run_free(&r);
	}
	/* one changed byte of a well-formed part (the source file name at the
	 * end): the signature refuses it */
	assert_int_equal(system("f=" D "/hello.dis; printf '\\001' | dd of=$f bs=1 seek=$(($(stat -c %s $f) - 2)) conv=notrunc status=none"), 0);
	{
		char *a[] = {"bin/dis-run", "--require-signed", "--trust", D "/trust", D "/hello.dis", "x", NULL};
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		assert_string_equal(r.err, "dis-run: " D "/hello.dis: signature does not match its contents\n");
		run_free(&r);
	}
}

/* Signed sort loads Inferno's unsigned bufio.dis: load gives nil. */
static void
test_signed_loads_unsigned(void **state)
{
	char sort[512], root[512];
	RunResult r;

	assert_int_equal(system("rm -rf " D "/lib && mkdir -p " D "/lib/trust"), 0);
	snprintf(sort, sizeof sort, "%s/dis/sort.dis", inferno_dir());
	snprintf(root, sizeof root, "%s", inferno_dir());
	{
		char *a[] = {"bin/dis-keygen", "-o", D "/lib/trust/alice", NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		run_free(&r);
		char *b[] = {"bin/dis-sign", "-k", D "/lib/trust/alice.key", "-o", D "/lib/sort.dis", sort, NULL};
		r = run(b);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-run", "--require-signed", "--trust", D "/lib/trust", "-r", root, D "/lib/sort.dis",
		             NULL};
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "sort: cannot load /dis/lib/bufio.dis: "));
		assert_non_null(strstr(r.err, "bufio.dis: not signed\n"));
		run_free(&r);
	}
}

TEST_MAIN("vm/signed modules", cmocka_unit_test(test_signed_modules), inferno_unit_test(test_signed_loads_unsigned))
