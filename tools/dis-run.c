/*
 * dis-run: load a Dis module and run its init, as Inferno's shell runs a
 * command: init(nil, argv) with argv[0] the module path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "dis/dis.h"
#include "vm/vm.h"
#include "tools/cli.h"

enum { MAX_ALLOW = 32 }; /* --allow-read, --allow-write, DIS_PATH entries each */

/* The uncaught exception of a command that failed on purpose (vm/sched.c
 * words the error; Inferno's emu keeps such programs quiet). */
#define FAIL_PREFIX "uncaught exception: fail:"

static void
usage(FILE *f)
{
	fputs("usage: dis-run [options] FILE.dis [args...]\n"
	      "Run a Dis module: load FILE.dis, link it against the builtin modules\n"
	      "($Sys, $Tensor) and call its init with argv = FILE.dis args...\n"
	      "\n"
	      "options:\n"
	      "  -r DIR                 Inferno root: absolute module paths resolve under DIR\n"
	      "  --heap-max BYTES       Dis heap quota (suffix k, m, g; default 2g)\n"
	      "  --max-instructions N   stop after N instructions (exit 3); work that grows\n"
	      "                         with data (list cells walked, bytes allocated or\n"
	      "                         copied / 64, tensor work) counts too\n"
	      "  --timeout MS           stop after MS milliseconds of wall-clock time (exit 5);\n"
	      "                         sleep, reads, writes to a full pipe and opens of a\n"
	      "                         FIFO wake for it; a host call blocked elsewhere ends\n"
	      "                         the process 1 s later\n"
	      "  --max-threads N        at most N spawned threads alive at once (exit 6)\n"
	      "  --max-files N          at most N files open in the program's file table\n"
	      "                         besides 0-2: open, create, pipe ends, dup (exit 7)\n"
	      "  --max-output BYTES     at most BYTES written to standard output and error,\n"
	      "                         however reached (suffix k, m, g) (exit 8)\n"
	      "                         Each limit raises \"thread limit exceeded\" (\"file\",\n"
	      "                         \"output\"), which no handler catches: the program\n"
	      "                         ends. With none of them given there is no limit.\n"
	      "  --stats                print instructions executed and CPU time on stderr\n"
	      "  --sandbox              confine the process first: a new session (no\n"
	      "                         terminal); only the system calls the VM needs:\n"
	      "                         no exec, fork, sockets (see --allow-tcp),\n"
	      "                         io_uring, ptrace,\n"
	      "                         signals only to itself (seccomp); files\n"
	      "                         only beneath the module's directory, -r DIR,\n"
	      "                         DIS_PATH, /usr/lib, /lib and --allow-read (read)\n"
	      "                         and the working directory, /dev/null and\n"
	      "                         --allow-write (read, write) (Landlock)\n"
	      "  --allow-read DIR       with --sandbox: also read beneath DIR; repeatable\n"
	      "  --allow-write DIR      with --sandbox: also write beneath DIR; repeatable\n"
	      "  --allow-tcp HOST:PORT  let Sys->dial connect to HOST (a name, resolved\n"
	      "                         once at start, or an address; [V6]:PORT for IPv6)\n"
	      "                         on TCP port PORT, and nothing else; repeatable.\n"
	      "                         With --sandbox: TCP client sockets allowed, and\n"
	      "                         connects only to the granted ports (Landlock)\n"
	      "  --verify               load and verify FILE.dis (and its signature, with\n"
	      "                         --trust or --require-signed) without running it;\n"
	      "                         print \"FILE.dis: ok\"\n"
	      "  --json                 with --verify: print a JSON object instead\n"
	      "  --require-signed       run only modules signed by a key in the trust store\n"
	      "  --trust DIR            the trust store (*.pub files, see dis-keygen)\n"
	      "  -h, --help             this text\n"
	      "\n"
	      "environment: DIS_PATH, colon-separated directories searched for modules\n"
	      "loaded by relative path (after the working directory and the loader's own).\n"
	      "\n"
	      "exit status: 0 init returned; 1 the module could not be loaded or raised an\n"
	      "uncaught exception (one raised as \"fail:...\", the Limbo way for a command\n"
	      "to fail after reporting why itself, exits 1 with no message of dis-run's);\n"
	      "2 usage; 3 instruction budget exhausted; 4 Dis heap leaked (only with\n"
	      "ACHERON_HEAPCHECK set); 5 --timeout passed; 6 --max-threads, 7 --max-files,\n"
	      "8 --max-output exceeded. With --verify:\n"
	      "0 the module would load, 1 it would not (one line says why), 2 usage.\n",
	      f);
}

/* --require-signed: every module must verify against the trust store. */
static int
verify_module(void *ctx, const DisModule *m, const char *path, AcErr *err)
{
	char signer[64];

	return dis_module_verify(m, ctx, path, signer, err);
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != 0; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* --verify: everything the loader checks before any instruction runs
 * (dis_module_load is the same reader dis-run, dis-node and dis-sched
 * use), and the signature when a trust store is given. Runs nothing. */
static int
verify_only(const char *path, const char *trustdir, int require_signed, int json)
{
	AcErr err;
	DisModule *m = dis_module_load(path, &err);
	DisTrust *trust = NULL;
	char signer[64] = "";
	int32_t nimport = 0;

	if (m == NULL)
		goto fail;
	if (trustdir != NULL && (require_signed || m->magic == DIS_SMAGIC)) {
		if ((trust = dis_trust_load(trustdir, &err)) == NULL ||
		    dis_module_verify(m, trust, path, signer, &err) != AC_OK)
			goto fail;
	}
	if (!json) {
		printf("%s: ok\n", path);
	} else {
		for (int32_t k = 0; k < m->nimport; k++)
			nimport += m->import[k].nfunc;
		printf("{\"file\":");
		json_str(stdout, path);
		printf(",\"module\":");
		json_str(stdout, m->name);
		printf(",\"code\":%d,\"types\":%d,\"links\":%d,\"imports\":%d,\"signer\":",
		       m->ninst, m->ntype, m->nlink, nimport);
		if (signer[0] != 0)
			json_str(stdout, signer);
		else
			printf("null");
		printf("}\n");
	}
	dis_trust_free(trust);
	dis_module_free(m);
	return 0;
fail:
	/* Loader and signature messages already start with the file name. */
	if (strncmp(err.msg, path, strlen(path)) == 0 && err.msg[strlen(path)] == ':')
		fprintf(stderr, "dis-run: %s\n", err.msg);
	else
		fprintf(stderr, "dis-run: %s: %s\n", path, err.msg);
	dis_trust_free(trust);
	dis_module_free(m);
	return 1;
}

/* --timeout's backstop: the runtime wakes its own waits at the deadline
 * (reads, writes to a full pipe, FIFO opens, dial's connect, sleep), but
 * a host call blocked where it does not look is ended by this signal a
 * second later. */
static void
on_backstop(int sig)
{
	static const char msg[] = "dis-run: wall-clock limit exceeded in a blocking host call\n";

	(void)sig;
	if (write(2, msg, sizeof msg - 1) < 0) {
		/* nothing more to do: the exit status says it */
	}
	_exit(5);
}

static void
arm_backstop(long long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	signal(SIGALRM, on_backstop);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* A count or byte size: digits and an optional k, m or g; above 0. */
static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;

	if (end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end != 0 || v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end != 0 || v == 0 || v > ((size_t)3 << 30))
		return -1;
	*out = (size_t)v;
	return 0;
}

int
main(int argc, char **argv)
{
	VmOptions opt;
	AcErr err;
	Vm *vm;
	int i, rc, stats = 0, require_signed = 0, sandbox = 0, nread = 0, nwrite = 0;
	int verify = 0, json = 0;
	const char *reads[2 * MAX_ALLOW + 8], *writes[MAX_ALLOW + 3];
	const char *trustdir = NULL, *tcp[MAX_ALLOW + 1];
	int ntcp = 0, tcp_ports[MAX_ALLOW];
	DisTrust *trust = NULL;
	int64_t cpu0;

	memset(&opt, 0, sizeof opt);
	opt.dis_path = getenv("DIS_PATH");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-r") == 0 && i + 1 < argc) {
			opt.root = argv[++i];
		} else if (strncmp(a, "-r", 2) == 0 && a[2] != 0) {
			opt.root = a + 2;
		} else if (strcmp(a, "--heap-max") == 0 && i + 1 < argc) {
			if (parse_size(argv[++i], &opt.heap_max_bytes) != 0) {
				fprintf(stderr, "dis-run: --heap-max: bad size '%s' (1 byte to 3g)\n", argv[i]);
				return 2;
			}
		} else if (strcmp(a, "--stats") == 0) {
			stats = 1;
		} else if (strcmp(a, "--sandbox") == 0) {
			sandbox = 1;
		} else if ((strcmp(a, "--allow-read") == 0 || strcmp(a, "--allow-write") == 0) && i + 1 < argc) {
			int w = a[8] == 'w';
			if ((w ? nwrite : nread) == MAX_ALLOW) {
				fprintf(stderr, "dis-run: %s: at most %d\n", a, MAX_ALLOW);
				return 2;
			}
			if (w)
				writes[nwrite++] = argv[++i];
			else
				reads[nread++] = argv[++i];
		} else if (strcmp(a, "--allow-tcp") == 0 && i + 1 < argc) {
			char host[256];
			if (ntcp == MAX_ALLOW) {
				fprintf(stderr, "dis-run: %s: at most %d\n", a, MAX_ALLOW);
				return 2;
			}
			if (vm_tcp_grant_parse(argv[++i], host, sizeof host, &tcp_ports[ntcp], &err) != AC_OK) {
				fprintf(stderr, "dis-run: --allow-tcp: %s\n", err.msg);
				return 2;
			}
			tcp[ntcp++] = argv[i];
		} else if (strcmp(a, "--verify") == 0) {
			verify = 1;
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--require-signed") == 0) {
			require_signed = 1;
		} else if (strcmp(a, "--trust") == 0 && i + 1 < argc) {
			trustdir = argv[++i];
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			char *end;
			long long ms = strtoll(argv[++i], &end, 10);
			if (end == argv[i] || *end != 0 || ms <= 0 || ms > 1000LL * 86400 * 365) {
				fprintf(stderr, "dis-run: --timeout: bad milliseconds '%s'\n", argv[i]);
				return 2;
			}
			opt.timeout_ms = ms;
		} else if (strcmp(a, "--max-instructions") == 0 && i + 1 < argc) {
			opt.max_instructions = strtoull(argv[++i], NULL, 10);
		} else if ((strcmp(a, "--max-threads") == 0 || strcmp(a, "--max-files") == 0) && i + 1 < argc) {
			uint64_t v;
			if (parse_u64(argv[++i], &v) != 0 || v > UINT32_MAX) {
				fprintf(stderr, "dis-run: %s: bad count '%s'\n", a, argv[i]);
				return 2;
			}
			*(a[6] == 't' ? &opt.max_threads : &opt.max_files) = (uint32_t)v;
		} else if (strcmp(a, "--max-output") == 0 && i + 1 < argc) {
			if (parse_u64(argv[++i], &opt.max_output_bytes) != 0) {
				fprintf(stderr, "dis-run: --max-output: bad size '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else {
			static const char *const valued[] = {"-r", "--heap-max", "--allow-read", "--allow-write",
			                                     "--allow-tcp", "--trust", "--max-instructions", "--timeout",
			                                     "--max-threads", "--max-files", "--max-output", NULL};
			return cli_bad_option("dis-run", valued, a);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	ac_err_clear(&err);
	if (require_signed && trustdir == NULL) {
		fprintf(stderr, "dis-run: --require-signed needs --trust DIR\n");
		return 2;
	}
	if (json && !verify) {
		fprintf(stderr, "dis-run: --json goes with --verify\n");
		return 2;
	}
	if (verify) {
		if (i + 1 != argc) {
			fprintf(stderr, "dis-run: --verify takes one module and no arguments\n");
			return 2;
		}
		return verify_only(argv[i], trustdir, require_signed, json);
	}
	if (require_signed) {
		trust = dis_trust_load(trustdir, &err);
		if (trust == NULL) {
			fprintf(stderr, "dis-run: %s\n", err.msg);
			return 1;
		}
		opt.verify = verify_module;
		opt.verify_ctx = trust;
	}
	tcp[ntcp] = NULL;
	opt.allow_tcp = tcp;
	if (sandbox) {
		int st;
		rc = vm_sandbox_session(&st, &err);
		if (rc == 1)
			return st;
		if (rc != AC_OK) {
			fprintf(stderr, "dis-run: %s\n", err.msg);
			return 1;
		}
	}
	vm = vm_new(&opt, &err);
	if (opt.timeout_ms > 0)
		arm_backstop(opt.timeout_ms + 1000);  /* before the sandbox, which may deny it */
	if (vm != NULL && sandbox) {
		/* what the module may read: itself and what it loads */
		char *dir = strdup(argv[i]), *slash = dir != NULL ? strrchr(dir, '/') : NULL;
		char *dp = opt.dis_path != NULL ? strdup(opt.dis_path) : NULL, *save = NULL;
		VmSandbox fs = {reads, writes, tcp_ports, ntcp};
		if (slash != NULL)
			*slash = 0;
		reads[nread++] = slash != NULL ? dir : ".";
		if (opt.root != NULL)
			reads[nread++] = opt.root;
		for (char *p = dp != NULL ? strtok_r(dp, ":", &save) : NULL; p != NULL && nread < 2 * MAX_ALLOW + 2;
		     p = strtok_r(NULL, ":", &save))
			reads[nread++] = p;
		/* the shared libraries loaded on first use (OpenBLAS, for the
		 * first matrix multiply), found through ld.so.cache */
		reads[nread++] = "/usr/lib";
		reads[nread++] = "/lib";
		reads[nread++] = "/etc/ld.so.cache";
		reads[nread++] = "/dev/zero";
		reads[nread++] = "/dev/urandom";
		reads[nread] = NULL;
		writes[nwrite++] = ".";
		writes[nwrite++] = "/dev/null";
		writes[nwrite] = NULL;
		/* the VM checks the same lists itself, for what Landlock does
		 * not cover (stat) and where the kernel has no Landlock */
		rc = vm_confine(vm, &fs, &err);
		if (rc == AC_OK)
			rc = vm_sandbox_enter(&fs, &err);
		free(dir);
		free(dp);
		if (rc != AC_OK) {
			fprintf(stderr, "dis-run: %s\n", err.msg);
			vm_free(vm);
			dis_trust_free(trust);
			return 1;
		}
	}
	if (vm == NULL) {
		fprintf(stderr, "dis-run: %s\n", err.msg);
		vm_free(vm);
		dis_trust_free(trust);
		return 1;
	}
	cpu0 = ac_cpu_ns();
	rc = vm_run_file(vm, argv[i], argc - i, argv + i, &err);
	fflush(stdout);
	if (stats) {
		double secs = (double)(ac_cpu_ns() - cpu0) / 1e9;
		unsigned long long n = (unsigned long long)vm_instructions(vm);
		fprintf(stderr, "dis-run: %llu instructions, %.3f s CPU, %.0f million/s\n", n, secs,
		        secs > 0 ? (double)n / secs / 1e6 : 0.0);
	}
	if (rc == AC_EEXCEPT && strncmp(err.msg, FAIL_PREFIX, strlen(FAIL_PREFIX)) == 0) {
		/* "fail:" is how a Limbo command exits unsuccessfully after
		 * saying why itself: Inferno's emu reports it not as a broken
		 * program but silently, and so does dis-run (exit 1). */
	} else if (rc != AC_OK) {
		size_t n = strlen(argv[i]);
		/* Messages from the loader already start with the file name. */
		if (strncmp(err.msg, argv[i], n) == 0 && err.msg[n] == ':')
			fprintf(stderr, "dis-run: %s\n", err.msg);
		else
			fprintf(stderr, "dis-run: %s: %s\n", argv[i], err.msg);
	}
	/* ACHERON_HEAPCHECK=1 (make check-leaks): a Dis heap left non-empty
	 * after the program ended is an error, unless a limit (budget, wall
	 * clock) stopped it mid-flight with threads still holding what they
	 * had. */
	if (getenv("ACHERON_HEAPCHECK") != NULL && rc != AC_EBUDGET && rc != AC_ETIMEOUT && rc != AC_ELIMIT) {
		size_t left = vm_heap_leaked(vm);
		if (left != 0) {
			fprintf(stderr, "dis-run: %s: %zu bytes of Dis heap leaked\n", argv[i], left);
			vm_free(vm);
			dis_trust_free(trust);
			return 4;
		}
	}
	if (rc == AC_ELIMIT) {
		static const int status[] = {1, 6, 7, 8};  /* by VM_LIMIT_* */
		rc = status[vm_limit_hit(vm)];
		vm_free(vm);
		dis_trust_free(trust);
		return rc;
	}
	vm_free(vm);
	dis_trust_free(trust);
	return rc == AC_OK ? 0 : rc == AC_EBUDGET ? 3 : rc == AC_ETIMEOUT ? 5 : 1;
}
