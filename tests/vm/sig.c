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

/* Checks that table `mod` holds exactly the functions of want, each with
 * Inferno's hash (sysmod.h, mathmod.h, crypt.c's table). */
typedef struct SigWant {
	const char *name;
	uint32_t sig;
} SigWant;

static void
check_table(const char *mod, const VmSigEntry *tab, const SigWant *want, size_t nwant)
{
	size_t n = 0;

	for (size_t k = 0; k < nwant; k++) {
		uint32_t h = 0;

		if (vm_sig_lookup(mod, want[k].name, &h) != AC_OK) {
			print_error("%s: no %s\n", mod, want[k].name);
			fail();
		}
		if (h != want[k].sig) {
			print_error("%s->%s: 0x%08x, want 0x%08x (\"%s\")\n", mod, want[k].name, h,
			            (unsigned)want[k].sig, vm_sig_string(mod, want[k].name));
			fail();
		}
		assert_int_equal(vm_sig_lookup(mod + 1, want[k].name, NULL), AC_OK);
	}
	while (tab[n].name != NULL)
		n++;
	assert_int_equal(n, nwant);
}

static void
test_sys_table(void **state)
{
	static const SigWant want[] = {
		{"aprint", 0x77442d46}, {"byte2char", 0x3d6094f9}, {"char2byte", 0x2ba5ab41},
		{"chdir", 0xc6935858}, {"create", 0x54db77d9}, {"dirread", 0x72210d71},
		{"dup", 0x6584767b}, {"fd2path", 0x749c6042}, {"fildes", 0x1478f993},
		{"fprint", 0xf46486c8}, {"fstat", 0xda4499c2}, {"fwstat", 0x50a6c7e0},
		{"iounit", 0x5583b730}, {"millisec", 0x616977e8}, {"open", 0x8f477f99},
		{"pctl", 0x05df27fb}, {"pipe", 0x1f2c52ea}, {"pread", 0x09d8aac6},
		{"print", 0xac849033}, {"pwrite", 0x09d8aac6}, {"read", 0x7cfef557},
		{"remove", 0xc6935858}, {"seek", 0xaeccaddb}, {"sleep", 0xe67bf126},
		{"sprint", 0x4c0624b6}, {"stat", 0x319328dd}, {"stream", 0xb9e8f9ea},
		{"tokenize", 0x57338f20}, {"utfbytes", 0x01d4a1f4}, {"werrstr", 0xc6935858},
		{"write", 0x7cfef557}, {"wstat", 0x56b02096},
	};

	check_table("$Sys", vm_sig_sys, want, sizeof want / sizeof want[0]);
}

static void
test_math_table(void **state)
{
	/* mathmod.h, all 68 */
	static const SigWant want[] = {
		{"FPcontrol", 0x6584767b}, {"FPstatus", 0x6584767b}, {"acos", 0xa1d1fe48},
		{"acosh", 0xa1d1fe48}, {"asin", 0xa1d1fe48}, {"asinh", 0xa1d1fe48},
		{"atan", 0xa1d1fe48}, {"atan2", 0xf293f6cf}, {"atanh", 0xa1d1fe48},
		{"bits32real", 0x40a58596}, {"bits64real", 0x5463c72c}, {"cbrt", 0xa1d1fe48},
		{"ceil", 0xa1d1fe48}, {"copysign", 0xf293f6cf}, {"cos", 0xa1d1fe48},
		{"cosh", 0xa1d1fe48}, {"dot", 0xfeca4db6}, {"erf", 0xa1d1fe48},
		{"erfc", 0xa1d1fe48}, {"exp", 0xa1d1fe48}, {"expm1", 0xa1d1fe48},
		{"export_int", 0x3f1d94ee}, {"export_real", 0xd1fb0c8c}, {"export_real32", 0xd1fb0c8c},
		{"fabs", 0xa1d1fe48}, {"fdim", 0xf293f6cf}, {"finite", 0x7b2e5f52},
		{"floor", 0xa1d1fe48}, {"fmax", 0xf293f6cf}, {"fmin", 0xf293f6cf},
		{"fmod", 0xf293f6cf}, {"gemm", 0x53b8cd34}, {"getFPcontrol", 0x616977e8},
		{"getFPstatus", 0x616977e8}, {"hypot", 0xf293f6cf}, {"iamax", 0xa5fc2e4d},
		{"ilogb", 0x7b2e5f52}, {"import_int", 0x3f1d94ee}, {"import_real", 0xd1fb0c8c},
		{"import_real32", 0xd1fb0c8c}, {"isnan", 0x7b2e5f52}, {"j0", 0xa1d1fe48},
		{"j1", 0xa1d1fe48}, {"jn", 0xb61ffc5b}, {"lgamma", 0x6e97c646},
		{"log", 0xa1d1fe48}, {"log10", 0xa1d1fe48}, {"log1p", 0xa1d1fe48},
		{"modf", 0x6e97c646}, {"nextafter", 0xf293f6cf}, {"norm1", 0x1629207e},
		{"norm2", 0x1629207e}, {"pow", 0xf293f6cf}, {"pow10", 0x40a58596},
		{"realbits32", 0x7b2e5f52}, {"realbits64", 0x9589d476}, {"remainder", 0xf293f6cf},
		{"rint", 0xa1d1fe48}, {"scalbn", 0x64fa84ba}, {"sin", 0xa1d1fe48},
		{"sinh", 0xa1d1fe48}, {"sort", 0x0fc7c7b8}, {"sqrt", 0xa1d1fe48},
		{"tan", 0xa1d1fe48}, {"tanh", 0xa1d1fe48}, {"y0", 0xa1d1fe48},
		{"y1", 0xa1d1fe48}, {"yn", 0xb61ffc5b},
	};

	check_table("$Math", vm_sig_math, want, sizeof want / sizeof want[0]);
}

static void
test_crypt_table(void **state)
{
	/* md5 and sha1 as limbo.dis imports them; copy as Inferno's limbo
	 * hashes the method's type. */
	static const SigWant want[] = {
		{"DigestState.copy", 0x6f7650ef}, {"md5", 0x07656377}, {"sha1", 0x07656377},
	};

	check_table("$Crypt", vm_sig_crypt, want, sizeof want / sizeof want[0]);
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

	assert_int_equal(vm_sig_lookup("$Sys", "file2chan", &h), AC_EINVAL);
	assert_int_equal(vm_sig_lookup("$Draw", "print", &h), AC_EINVAL);
	assert_int_equal(vm_sig_lookup(NULL, "print", &h), AC_EINVAL);
	assert_int_equal(vm_sig_lookup("$Sys", NULL, &h), AC_EINVAL);
	assert_int_equal(h, 7);
	assert_null(vm_sig_string("Tensor", "print"));
}

TEST_MAIN("vm/sig",
          cmocka_unit_test(test_hash_known),
          cmocka_unit_test(test_sys_table),
          cmocka_unit_test(test_math_table),
          cmocka_unit_test(test_crypt_table),
          cmocka_unit_test(test_tensor_table),
          cmocka_unit_test(test_lookup_unknown))
