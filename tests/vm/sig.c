/* vm_sig_hash and the builtin signature tables, against the values
 * Inferno's limbo computes (libinterp/sysmod.h, mathmod.h). */
#include "tests/test.h"

#include <string.h>

#include "base/base.h"
#include "vm/sig.h"

#define assert_sig(str, want)                                                          \
	do {                                                                           \
		uint32_t got_ = vm_sig_hash(str);                                      \
		if (got_ != (uint32_t)(want)) {                                        \
			print_error("sig(\"%s\") = 0x%08x, want 0x%08x\n", str, got_, \
			            (unsigned)(want));                                 \
			fail();                                                        \
		}                                                                      \
	} while (0)

static void
test_hash_known(void **state)
{
	/* Sys (sysmod.h), including the ones this VM does not provide: they
	 * exercise tuples, nested adts, big, lists and repeated adts (@1). */
	assert_sig("f*(s)i", 0xac849033);                        /* print */
	assert_sig("f*(s)s", 0x4c0624b6);                        /* sprint */
	assert_sig("f*(Ra(fd:i),s)i", 0xf46486c8);               /* fprint */
	assert_sig("f(i)Ra(fd:i)", 0x1478f993);                  /* fildes */
	assert_sig("f()i", 0x616977e8);                          /* millisec */
	assert_sig("f*(s)Ab", 0x77442d46);                       /* aprint */
	assert_sig("f(Ra(fd:i),Ab,i)i", 0x7cfef557);             /* read, write */
	assert_sig("f(Ra(fd:i),R@1,i)i", 0xb9e8f9ea);            /* stream */
	assert_sig("f(Ra(fd:i),R@1,s,i,s)i", 0x74c17b3a);        /* mount */
	assert_sig("f(s,i)Ra(fd:i)", 0x8f477f99);                /* open */
	assert_sig("f(s,s)t(i,Ls)", 0x57338f20);                 /* tokenize */
	assert_sig("f(ARa(fd:i))i", 0x1f2c52ea);                 /* pipe */
	assert_sig("f(Ra(fd:i))t(i,Aa(name:s,uid:s,gid:s,muid:s,qid:a(path:B,vers:i,qtype:i),"
	           "mode:i,atime:i,mtime:i,length:B,dtype:i,dev:i))",
	           0x72210d71);                                  /* dirread */
	/* Math (mathmod.h) */
	assert_sig("f(r)r", 0xa1d1fe48);                         /* sqrt, floor, ... */
	assert_sig("f(r,r)r", 0xf293f6cf);                       /* pow, atan2 */
	assert_sig("f(Ar,Ai)n", 0x0fc7c7b8);                     /* sort: no result is n */
}

static void
test_sys_table(void **state)
{
	static const struct {
		const char *name;
		uint32_t sig;
	} want[] = {
		{"aprint", 0x77442d46}, {"fildes", 0x1478f993}, {"fprint", 0xf46486c8},
		{"millisec", 0x616977e8}, {"print", 0xac849033}, {"sprint", 0x4c0624b6},
		{"write", 0x7cfef557},
	};
	size_t n = 0;

	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		uint32_t h = 0;

		assert_int_equal(vm_sig_lookup("$Sys", want[k].name, &h), AC_OK);
		assert_int_equal(h, want[k].sig);
		assert_int_equal(vm_sig_lookup("Sys", want[k].name, NULL), AC_OK);
	}
	while (vm_sig_sys[n].name != NULL)
		n++;
	assert_int_equal(n, sizeof want / sizeof want[0]);
}

static void
test_tensor_table(void **state)
{
	/* The strings follow module/tensor.m; T is a(rows:i,cols:i). */
	static const struct {
		const char *name, *sig;
	} want[] = {
		{"adam", "f(Ra(rows:i,cols:i),R@1,R@1,R@1,i,r,r,r,r)n"},
		{"addrow", "f(Ra(rows:i,cols:i),R@1)n"},
		{"correct", "f(Ra(rows:i,cols:i),R@1)i"},
		{"gather", "f(Ra(rows:i,cols:i),R@1,Ai,i)n"},
		{"gemm", "f(Ra(rows:i,cols:i),R@1,R@1,i,i,r,r)n"},
		{"perm", "f(i,i)Ai"},
		{"progress", "f(s,i,i)n"},
		{"randn", "f(i,i,r,i)Ra(rows:i,cols:i)"},
		{"readidx", "f(s)t(Ra(rows:i,cols:i),s)"},
		{"relu", "f(Ra(rows:i,cols:i),R@1)n"},
		{"relugrad", "f(Ra(rows:i,cols:i),R@1,R@1)n"},
		{"scale", "f(Ra(rows:i,cols:i),r)n"},
		{"sgd", "f(Ra(rows:i,cols:i),R@1,R@1,r,r)n"},
		{"sumrows", "f(Ra(rows:i,cols:i),R@1,r)n"},
		{"xent", "f(Ra(rows:i,cols:i),R@1,R@1)r"},
		{"zeros", "f(i,i)Ra(rows:i,cols:i)"},
	};
	size_t n = 0;

	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		const char *s = vm_sig_string("$Tensor", want[k].name);
		uint32_t h = 0;

		assert_non_null(s);
		assert_string_equal(s, want[k].sig);
		assert_int_equal(vm_sig_lookup("Tensor", want[k].name, &h), AC_OK);
		assert_int_equal(h, vm_sig_hash(want[k].sig));
	}
	while (vm_sig_tensor[n].name != NULL)
		n++;
	assert_int_equal(n, sizeof want / sizeof want[0]);
	/* Functions of the same type share a hash, as in sysmod.h. */
	assert_int_equal(vm_sig_hash(vm_sig_string("Tensor", "addrow")),
	                 vm_sig_hash(vm_sig_string("Tensor", "relu")));
}

static void
test_lookup_unknown(void **state)
{
	uint32_t h = 7;

	assert_int_equal(vm_sig_lookup("$Sys", "open", &h), AC_EINVAL);
	assert_int_equal(vm_sig_lookup("$Draw", "print", &h), AC_EINVAL);
	assert_int_equal(vm_sig_lookup(NULL, "print", &h), AC_EINVAL);
	assert_int_equal(vm_sig_lookup("$Sys", NULL, &h), AC_EINVAL);
	assert_int_equal(h, 7);
	assert_null(vm_sig_string("Tensor", "print"));
}

TEST_MAIN("vm/sig",
          cmocka_unit_test(test_hash_known),
          cmocka_unit_test(test_sys_table),
          cmocka_unit_test(test_tensor_table),
          cmocka_unit_test(test_lookup_unknown))
