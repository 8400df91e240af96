/* vm_sig_hash, and the builtin modules' tables (generated from module/ by
 * limbo -t) against the values Inferno's limbo computes: the signatures,
 * frame sizes and pointer maps of libinterp/sysmod.h and mathmod.h, and
 * the import signatures of Inferno's limbo.dis. */
#include "tests/test.h"

#include <string.h>

#include "base/base.h"
#include "vm/sig.h"
#include "vm/vm_impl.h"
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

/* One function as Inferno's runtab has it; size 0 where the oracle gives
 * no frame (a variadic function's caller builds it), np 0 and no map where
 * it has no pointers. */
typedef struct SigWant {
	const char *name;
	uint32_t sig;
	int32_t size;
	int32_t np;
	uint8_t map[3];
} SigWant;

static Vm *
new_vm(void)
{
	VmOptions opt;
	AcErr err;
	Vm *vm;

	memset(&opt, 0, sizeof opt);
	vm = vm_new(&opt, &err);
	if (vm == NULL) {
		print_error("vm_new: %s\n", err.msg);
		fail();
	}
	return vm;
}

/* The table registered for mod holds exactly the functions of want, every
 * one provided (a C function the VM links in), with Inferno's signature,
 * frame size and map; each signature string hashes to its hash. */
static void
check_table(const char *mod, const SigWant *want, size_t nwant, int frames)
{
	Vm *vm = new_vm();
	int n = 0;
	const VmBuiltinFunc *tab = vm_builtin_funcs(vm, mod, &n);

	assert_non_null(tab);
	assert_int_equal(n, nwant);
	for (size_t k = 0; k < nwant; k++) {
		const VmBuiltinFunc *f = NULL;

		for (int i = 0; i < n; i++)
			if (strcmp(tab[i].name, want[k].name) == 0)
				f = &tab[i];
		if (f == NULL) {
			print_error("%s: no %s\n", mod, want[k].name);
			fail();
		}
		if (f->sig != want[k].sig) {
			print_error("%s->%s: 0x%08x, want 0x%08x (\"%s\")\n", mod, want[k].name, f->sig,
			            (unsigned)want[k].sig, f->sigstr);
			fail();
		}
		assert_int_equal(vm_sig_hash(f->sigstr), f->sig);
		if (f->fn == NULL) {
			print_error("%s->%s: not provided (its C function is not linked in)\n", mod, want[k].name);
			fail();
		}
		if (!frames)
			continue;
		if (f->size != want[k].size || f->np != want[k].np ||
		    (f->np > 0 && memcmp(f->map, want[k].map, (size_t)f->np) != 0)) {
			print_error("%s->%s: frame %d bytes, map of %d bytes; want %d, %d\n", mod, want[k].name,
			            f->size, f->np, want[k].size, want[k].np);
			fail();
		}
		assert_int_equal(f->varargs, f->size == 0);
	}
	/* the interface order, by name, as Inferno's runtab */
	for (int i = 1; i < n; i++) {
		const char *a = strchr(tab[i - 1].name, '.'), *b = strchr(tab[i].name, '.');
		assert_true(strcmp(a != NULL ? a + 1 : tab[i - 1].name, b != NULL ? b + 1 : tab[i].name) <= 0);
	}
	vm_free(vm);
}

static void
test_sys_table(void **state)
{
	/* sysmod.h, the functions module/sys.m declares */
	static const SigWant want[] = {
		{"aprint", 0x77442d46, 0, 0, {0}},
		{"byte2char", 0x3d6094f9, 40, 2, {0x0, 0x80}},
		{"char2byte", 0x2ba5ab41, 48, 2, {0x0, 0x40}},
		{"chdir", 0xc6935858, 40, 2, {0x0, 0x80}},
		{"create", 0x54db77d9, 48, 2, {0x0, 0x80}},
		{"dial", 0x29e90174, 40, 2, {0x0, 0xc0}},
		{"dirread", 0x72210d71, 40, 2, {0x0, 0x80}},
		{"dup", 0x6584767b, 40, 0, {0}},
		{"fd2path", 0x749c6042, 40, 2, {0x0, 0x80}},
		{"fildes", 0x1478f993, 40, 0, {0}},
		{"fprint", 0xf46486c8, 0, 0, {0}},
		{"fstat", 0xda4499c2, 40, 2, {0x0, 0x80}},
		{"fwstat", 0x50a6c7e0, 104, 2, {0x0, 0xbc}},
		{"iounit", 0x5583b730, 40, 2, {0x0, 0x80}},
		{"millisec", 0x616977e8, 32, 0, {0}},
		{"open", 0x8f477f99, 40, 2, {0x0, 0x80}},
		{"pctl", 0x05df27fb, 40, 2, {0x0, 0x40}},
		{"pipe", 0x1f2c52ea, 40, 2, {0x0, 0x80}},
		{"pread", 0x09d8aac6, 56, 2, {0x0, 0xc0}},
		{"print", 0xac849033, 0, 0, {0}},
		{"pwrite", 0x09d8aac6, 56, 2, {0x0, 0xc0}},
		{"read", 0x7cfef557, 48, 2, {0x0, 0xc0}},
		{"remove", 0xc6935858, 40, 2, {0x0, 0x80}},
		{"seek", 0xaeccaddb, 56, 2, {0x0, 0x80}},
		{"sleep", 0xe67bf126, 40, 0, {0}},
		{"sprint", 0x4c0624b6, 0, 0, {0}},
		{"stat", 0x319328dd, 40, 2, {0x0, 0x80}},
		{"stream", 0xb9e8f9ea, 48, 2, {0x0, 0xc0}},
		{"tokenize", 0x57338f20, 40, 2, {0x0, 0xc0}},
		{"utfbytes", 0x01d4a1f4, 40, 2, {0x0, 0x80}},
		{"werrstr", 0xc6935858, 40, 2, {0x0, 0x80}},
		{"write", 0x7cfef557, 48, 2, {0x0, 0xc0}},
		{"wstat", 0x56b02096, 104, 2, {0x0, 0xbc}},
	};

	check_table("$Sys", want, sizeof want / sizeof want[0], 1);
}

static void
test_math_table(void **state)
{
	/* mathmod.h, all 68 */
	static const SigWant want[] = {
		{"FPcontrol", 0x6584767b, 40, 0, {0}}, {"FPstatus", 0x6584767b, 40, 0, {0}},
		{"acos", 0xa1d1fe48, 40, 0, {0}}, {"acosh", 0xa1d1fe48, 40, 0, {0}},
		{"asin", 0xa1d1fe48, 40, 0, {0}}, {"asinh", 0xa1d1fe48, 40, 0, {0}},
		{"atan", 0xa1d1fe48, 40, 0, {0}}, {"atan2", 0xf293f6cf, 48, 0, {0}},
		{"atanh", 0xa1d1fe48, 40, 0, {0}}, {"bits32real", 0x40a58596, 40, 0, {0}},
		{"bits64real", 0x5463c72c, 40, 0, {0}}, {"cbrt", 0xa1d1fe48, 40, 0, {0}},
		{"ceil", 0xa1d1fe48, 40, 0, {0}}, {"copysign", 0xf293f6cf, 48, 0, {0}},
		{"cos", 0xa1d1fe48, 40, 0, {0}}, {"cosh", 0xa1d1fe48, 40, 0, {0}},
		{"dot", 0xfeca4db6, 40, 2, {0x0, 0xc0}}, {"erf", 0xa1d1fe48, 40, 0, {0}},
		{"erfc", 0xa1d1fe48, 40, 0, {0}}, {"exp", 0xa1d1fe48, 40, 0, {0}},
		{"expm1", 0xa1d1fe48, 40, 0, {0}}, {"export_int", 0x3f1d94ee, 40, 2, {0x0, 0xc0}},
		{"export_real", 0xd1fb0c8c, 40, 2, {0x0, 0xc0}},
		{"export_real32", 0xd1fb0c8c, 40, 2, {0x0, 0xc0}},
		{"fabs", 0xa1d1fe48, 40, 0, {0}}, {"fdim", 0xf293f6cf, 48, 0, {0}},
		{"finite", 0x7b2e5f52, 40, 0, {0}}, {"floor", 0xa1d1fe48, 40, 0, {0}},
		{"fmax", 0xf293f6cf, 48, 0, {0}}, {"fmin", 0xf293f6cf, 48, 0, {0}},
		{"fmod", 0xf293f6cf, 48, 0, {0}}, {"gemm", 0x53b8cd34, 96, 3, {0x0, 0x0, 0xa2}},
		{"getFPcontrol", 0x616977e8, 32, 0, {0}}, {"getFPstatus", 0x616977e8, 32, 0, {0}},
		{"hypot", 0xf293f6cf, 48, 0, {0}}, {"iamax", 0xa5fc2e4d, 40, 2, {0x0, 0x80}},
		{"ilogb", 0x7b2e5f52, 40, 0, {0}}, {"import_int", 0x3f1d94ee, 40, 2, {0x0, 0xc0}},
		{"import_real", 0xd1fb0c8c, 40, 2, {0x0, 0xc0}},
		{"import_real32", 0xd1fb0c8c, 40, 2, {0x0, 0xc0}},
		{"isnan", 0x7b2e5f52, 40, 0, {0}}, {"j0", 0xa1d1fe48, 40, 0, {0}},
		{"j1", 0xa1d1fe48, 40, 0, {0}}, {"jn", 0xb61ffc5b, 48, 0, {0}},
		{"lgamma", 0x6e97c646, 40, 0, {0}}, {"log", 0xa1d1fe48, 40, 0, {0}},
		{"log10", 0xa1d1fe48, 40, 0, {0}}, {"log1p", 0xa1d1fe48, 40, 0, {0}},
		{"modf", 0x6e97c646, 40, 0, {0}}, {"nextafter", 0xf293f6cf, 48, 0, {0}},
		{"norm1", 0x1629207e, 40, 2, {0x0, 0x80}}, {"norm2", 0x1629207e, 40, 2, {0x0, 0x80}},
		{"pow", 0xf293f6cf, 48, 0, {0}}, {"pow10", 0x40a58596, 40, 0, {0}},
		{"realbits32", 0x7b2e5f52, 40, 0, {0}}, {"realbits64", 0x9589d476, 40, 0, {0}},
		{"remainder", 0xf293f6cf, 48, 0, {0}}, {"rint", 0xa1d1fe48, 40, 0, {0}},
		{"scalbn", 0x64fa84ba, 48, 0, {0}}, {"sin", 0xa1d1fe48, 40, 0, {0}},
		{"sinh", 0xa1d1fe48, 40, 0, {0}}, {"sort", 0x0fc7c7b8, 40, 2, {0x0, 0xc0}},
		{"sqrt", 0xa1d1fe48, 40, 0, {0}}, {"tan", 0xa1d1fe48, 40, 0, {0}},
		{"tanh", 0xa1d1fe48, 40, 0, {0}}, {"y0", 0xa1d1fe48, 40, 0, {0}},
		{"y1", 0xa1d1fe48, 40, 0, {0}}, {"yn", 0xb61ffc5b, 48, 0, {0}},
	};

	check_table("$Math", want, sizeof want / sizeof want[0], 1);
}

static void
test_crypt_table(void **state)
{
	/* The import table of a program calling md5 and s.copy(), compiled by
	 * Inferno's limbo.dis (copy's self argument is S in its signature). */
	static const SigWant want[] = {
		{"DigestState.copy", 0x491fbd11, 40, 2, {0x0, 0x80}},
		{"md5", 0x07656377, 48, 2, {0x0, 0xb0}},
		{"sha1", 0x07656377, 48, 2, {0x0, 0xb0}},
	};

	check_table("$Crypt", want, sizeof want / sizeof want[0], 1);
}

static void
test_tensor_table(void **state)
{
	/* The strings follow module/tensor.m; T is a(x:i), opaque. */
	static const struct {
		const char *name, *sig;
	} strs[] = {
		{"adam", "f(Ra(x:i),R@1,R@1,R@1,i,r,r,r,r)n"},
		{"addrow", "f(Ra(x:i),R@1)n"},
		{"cast", "f(Ra(x:i),s)R@1"},
		{"contiguous", "f(Ra(x:i))R@1"},
		{"copy", "f(Ra(x:i),R@1)n"},
		{"correct", "f(Ra(x:i),R@1)i"},
		{"device", "f(Ra(x:i))s"},
		{"dtype", "f(Ra(x:i))s"},
		{"expand", "f(Ra(x:i),Ai)R@1"},
		{"fromint", "f(Ai,Ai,s)Ra(x:i)"},
		{"fromreal", "f(Ar,Ai,s)Ra(x:i)"},
		{"full", "f(Ai,r,s)Ra(x:i)"},
		{"gather", "f(Ra(x:i),R@1,Ai,i)n"},
		{"gemm", "f(Ra(x:i),R@1,R@1,i,i,r,r)n"},
		{"get", "f(Ra(x:i),Ai)r"},
		{"loadgguf", "f(s)t(As,ARa(x:i),s)"},
		{"loadnpy", "f(s)t(Ra(x:i),s)"},
		{"numel", "f(Ra(x:i))i"},
		{"op", "f(s,ARa(x:i),s)R@1"},
		{"opinto", "f(s,Ra(x:i),AR@1,s)n"},
		{"ops", "f()As"},
		{"perm", "f(i,i)Ai"},
		{"permute", "f(Ra(x:i),Ai)R@1"},
		{"progress", "f(s,i,i)n"},
		{"randn", "f(Ai,r,i)Ra(x:i)"},
		{"readidx", "f(s)t(Ra(x:i),s)"},
		{"relu", "f(Ra(x:i),R@1)n"},
		{"relugrad", "f(Ra(x:i),R@1,R@1)n"},
		{"reshape", "f(Ra(x:i),Ai)R@1"},
		{"savegguf", "f(s,As,ARa(x:i))s"},
		{"savenpy", "f(Ra(x:i),s)s"},
		{"scale", "f(Ra(x:i),r)n"},
		{"set", "f(Ra(x:i),Ai,r)n"},
		{"sgd", "f(Ra(x:i),R@1,R@1,r,r)n"},
		{"shape", "f(Ra(x:i))Ai"},
		{"slice", "f(Ra(x:i),i,i,i,i)R@1"},
		{"squeeze", "f(Ra(x:i),i)R@1"},
		{"sumrows", "f(Ra(x:i),R@1,r)n"},
		{"toint", "f(Ra(x:i))Ai"},
		{"toreal", "f(Ra(x:i))Ar"},
		{"transpose", "f(Ra(x:i),i,i)R@1"},
		{"unsqueeze", "f(Ra(x:i),i)R@1"},
		{"view", "f(Ra(x:i),Ai)R@1"},
		{"xent", "f(Ra(x:i),R@1,R@1)r"},
		{"zeros", "f(Ai,s)Ra(x:i)"},
	};
	SigWant want[sizeof strs / sizeof strs[0]];
	Vm *vm = new_vm();
	int n = 0;
	const VmBuiltinFunc *tab = vm_builtin_funcs(vm, "$Tensor", &n);

	for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
		want[k] = (SigWant){strs[k].name, vm_sig_hash(strs[k].sig), 0, 0, {0}};
		assert_int_equal(n, sizeof strs / sizeof strs[0]);
		assert_string_equal(tab[k].name, strs[k].name);
		assert_string_equal(tab[k].sigstr, strs[k].sig);
	}
	vm_free(vm); /* one runtime at a time: the arena is mapped at one place */
	check_table("$Tensor", want, sizeof want / sizeof want[0], 0);
	/* Functions of the same type share a hash, as in sysmod.h. */
	assert_int_equal(want[1].sig, want[26].sig); /* addrow, relu */
}

static void
test_argument_types(void **state)
{
	/* What the marshaller reads: Sys->read(fd: ref FD, buf: array of
	 * byte, n: int): int and Sys->fwstat's Dir by value. */
	Vm *vm = new_vm();
	int n = 0;
	const VmBuiltinFunc *tab = vm_builtin_funcs(vm, "$Sys", &n), *rd = NULL, *fw = NULL;

	for (int i = 0; i < n; i++) {
		if (strcmp(tab[i].name, "read") == 0)
			rd = &tab[i];
		if (strcmp(tab[i].name, "fwstat") == 0)
			fw = &tab[i];
	}
	assert_non_null(rd);
	assert_int_equal(rd->nargs, 3);
	assert_string_equal(rd->args[0].name, "fd");
	assert_int_equal(rd->args[0].off, 32);
	assert_int_equal(rd->args[0].type->kind, VM_BT_REF);
	assert_int_equal(rd->args[0].type->of->kind, VM_BT_ADT);
	assert_string_equal(rd->args[0].type->of->name, "FD");
	assert_int_equal(rd->args[0].type->of->size, 4);
	assert_string_equal(rd->args[1].name, "buf");
	assert_int_equal(rd->args[1].off, 36);
	assert_int_equal(rd->args[1].type->kind, VM_BT_ARRAY);
	assert_int_equal(rd->args[1].type->of->kind, VM_BT_BYTE);
	assert_int_equal(rd->args[2].type->kind, VM_BT_INT);
	assert_int_equal(rd->ret->kind, VM_BT_INT);
	assert_non_null(fw);
	assert_int_equal(fw->args[1].off, 40);
	assert_int_equal(fw->args[1].type->kind, VM_BT_ADT);
	assert_int_equal(fw->args[1].type->size, 64);
	assert_int_equal(fw->args[1].type->np, 1);
	assert_int_equal(fw->args[1].type->map[0], 0xf0); /* its four strings */
	assert_int_equal(fw->args[1].type->nfields, 11);
	assert_string_equal(fw->args[1].type->fields[4].name, "qid");
	assert_int_equal(fw->args[1].type->fields[4].type->size, 16);
	vm_free(vm);
}

static void
provided(VmThread *t, uint8_t *fp)
{
	(void)t;
	(void)fp;
}

/* What a module's hooks saw: its state is its own, made at registration,
 * released when the runtime finishes and freed with it. */
static int inits, releases, finis;
static int test_state;

static int
test_init(Vm *vm, void **state, AcErr *err)
{
	(void)vm;
	(void)err;
	inits++;
	*state = &test_state;
	return AC_OK;
}

static void
test_release(Vm *vm, void *state)
{
	(void)vm;
	assert_ptr_equal(state, &test_state);
	releases++;
}

static void
test_fini(Vm *vm, void *state)
{
	(void)vm;
	assert_ptr_equal(state, &test_state);
	finis++;
}

static void
test_registration(void **state)
{
	/* A function a .m declares and the VM does not provide (fn NULL) is
	 * left out of the module: importing it fails to link, as any name the
	 * module lacks. */
	static const VmBuiltinType t_int = {.kind = VM_BT_INT, .size = 4};
	static const VmBuiltinFunc funcs[] = {
		{.name = "absent", .sig = 1, .fn = NULL, .sigstr = "f()i", .size = 32, .ret = &t_int},
		{.name = "here", .sig = 2, .fn = provided, .sigstr = "f()i", .size = 32, .ret = &t_int},
	};
	static const VmBuiltinDef def = {"$Test", funcs, 2, test_init, test_release, test_fini};
	Vm *vm = new_vm();
	AcErr err;
	VmModule *m;

	inits = releases = finis = 0;
	assert_int_equal(vm_builtin_register(vm, &def, &err), AC_OK);
	assert_int_equal(inits, 1);
	assert_ptr_equal(vm_builtin_state(vm, &def), &test_state);
	assert_non_null(vm_builtin_state(vm, &vm_sys_def));
	m = vm_builtin_module(vm, "$Test", &err);
	assert_non_null(m);
	assert_int_equal(m->nlink, 1);
	assert_string_equal(m->link[0].name, "here");
	assert_int_equal(m->link[0].frame->size, 32);
	vm_module_unref(vm, m);
	assert_int_equal(vm_heap_leaked(vm), 0);  /* every module's types released */
	assert_int_equal(releases, 1);
	assert_int_equal(finis, 0);
	vm_free(vm);
	assert_int_equal(releases, 1);
	assert_int_equal(finis, 1);
}

static void
test_lookup_unknown(void **state)
{
	Vm *vm = new_vm();
	int n = 7;

	assert_null(vm_builtin_funcs(vm, "$Draw", &n));
	assert_int_equal(n, 0);
	assert_null(vm_builtin_funcs(vm, "Sys", &n));
	vm_free(vm);
}

TEST_MAIN("vm/sig",
          cmocka_unit_test(test_hash_known),
          cmocka_unit_test(test_sys_table),
          cmocka_unit_test(test_math_table),
          cmocka_unit_test(test_crypt_table),
          cmocka_unit_test(test_tensor_table),
          cmocka_unit_test(test_argument_types),
          cmocka_unit_test(test_registration),
          cmocka_unit_test(test_lookup_unknown))
