/*
 * limbo: the Limbo compiler. Parses, type-checks and reports errors, and
 * generates Dis code (man/limbo.1): FILE.dis, or with -S assembly text.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "limbo/limbo.h"
#include "tools/cli.h"

enum { MAX_INCDIRS = 64 };

static void
usage(FILE *f)
{
	fputs("usage: limbo [-I DIR]... [-o FILE] [-S] [-g] [-w] [--parse-only | --check-only]\n"
	      "             [--dump-ast] [--sigs] FILE.b\n"
	      "       limbo [-I DIR]... [-o FILE] -t MODULE FILE.m\n"
	      "Compile a Limbo program into Dis code: FILE.dis in the current\n"
	      "directory (named after FILE.b), or the file -o names.\n"
	      "A construct the code generator does not handle yet is reported as\n"
	      "FILE:LINE: not implemented yet: CONSTRUCT (exit 1, no output file);\n"
	      "man limbo lists them.\n"
	      "\n"
	      "options:\n"
	      "  -I DIR        search DIR for included files (after the including\n"
	      "                file's own directory); may be repeated.  The module\n"
	      "                declarations installed with limbo (sys.m, draw.m,\n"
	      "                math.m, crypt.m, tensor.m) are searched after every\n"
	      "                -I DIR\n"
	      "  -o FILE       write the output to FILE (- for standard output)\n"
	      "  -S            write assembly (as dis-as reads it), FILE.s, instead\n"
	      "                of a .dis\n"
	      "  -g            accepted as Inferno's limbo takes it; no .sbl symbol\n"
	      "                file is written\n"
	      "  -w            accepted as Inferno's limbo takes it (there are no\n"
	      "                warnings yet)\n"
	      "  --parse-only  parse FILE.b and its includes, report errors, stop\n"
	      "  --check-only  parse and type-check, report errors, stop\n"
	      "  --dump-ast    parse, then print the syntax tree on standard output\n"
	      "  --sigs        type-check, then print the type signature of each\n"
	      "                exported function and each function used from another\n"
	      "                module: export|import MODULE NAME 0xHASH STRING\n"
	      "  -t MODULE     write the runtime table of builtin module MODULE,\n"
	      "                declared in FILE.m, as a C header for the VM (as\n"
	      "                Inferno's limbo -t): each function's name, signature\n"
	      "                hash and string, frame size and map, and the types of\n"
	      "                its arguments and result; to standard output, or the\n"
	      "                file -o names\n"
	      "  -h, --help    this text\n"
	      "\n"
	      "Errors are printed as FILE:LINE: message, FILE being the file the\n"
	      "error is in (an included .m file too).\n"
	      "exit status: 0 success; 1 errors (including constructs not\n"
	      "implemented yet); 2 usage.\n",
	      f);
}

/*
 * The directory of the module declarations that ship with this limbo, found
 * from where the binary is rather than a path fixed at build time, so an
 * installed tree (PREFIX/bin/limbo, PREFIX/share/acheron/module) and the
 * build tree (bin/limbo, module/) both work wherever they are, DESTDIR and
 * moved trees included.  NULL when neither exists.
 */
static const char *
default_moddir(void)
{
	static char dir[PATH_MAX];
	static const char *const rel[] = {"/../share/acheron/module", "/../module"};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;
	struct stat st;

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return NULL;
	*slash = 0;
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		if ((size_t)snprintf(dir, sizeof dir, "%s%s/sys.m", exe, rel[i]) >= sizeof dir)
			continue;
		if (stat(dir, &st) == 0 && S_ISREG(st.st_mode)) {
			*strrchr(dir, '/') = 0;
			return dir;
		}
	}
	return NULL;
}

/* FILE.b -> FILE.ext in the current directory, as Inferno's limbo names it. */
static char *
outname(const char *in, const char *ext)
{
	const char *b = strrchr(in, '/');
	size_t n;
	char *s;

	b = b != NULL ? b + 1 : in;
	n = strlen(b);
	if (n > 2 && strcmp(b + n - 2, ".b") == 0)
		n -= 2;
	s = malloc(n + strlen(ext) + 1);
	if (s != NULL) {
		memcpy(s, b, n);
		strcpy(s + n, ext);
	}
	return s;
}

/* Generates code for u into out (a path, or "-"). A file is written whole
 * through ac_file_write_atomic: nothing is left behind on failure, and a
 * device such as /dev/null is written into, never replaced. */
static int
generate(LimboUnit *u, const char *in, const char *out, int asm_only)
{
	uint8_t *dis = NULL;
	char *text = NULL;
	size_t len = 0, tlen = 0;
	FILE *f = NULL;
	AcErr err;
	int rc, tostdout = strcmp(out, "-") == 0;

	if (asm_only && !tostdout && (f = open_memstream(&text, &tlen)) == NULL) {
		fprintf(stderr, "limbo: %s: out of memory\n", out);
		return 1;
	}
	rc = limbo_gen(u, in, asm_only ? (tostdout ? stdout : f) : NULL, asm_only ? NULL : &dis, &len, &err);
	if (f != NULL && fclose(f) != 0 && rc == AC_OK)
		rc = ac_err_set(&err, AC_ENOMEM, "%s: out of memory", out);
	if (rc == AC_OK && !asm_only && tostdout && fwrite(dis, 1, len, stdout) != len)
		rc = ac_err_set(&err, AC_EIO, "writing %s: output error", out);
	else if (rc == AC_OK && !tostdout)
		rc = ac_file_write_atomic(out, asm_only ? (const void *)text : dis, asm_only ? tlen : len, &err);
	free(dis);
	free(text);
	for (int i = 0; i < limbo_unit_nerrors(u); i++)
		fprintf(stderr, "%s\n", limbo_unit_error(u, i));
	if (rc != AC_OK && limbo_unit_nerrors(u) == 0)
		fprintf(stderr, "limbo: %s\n", err.msg);
	return rc == AC_OK ? 0 : 1;
}

/* limbo -t: the module's table into out (a path, or "-"), written whole. */
static int
table(LimboUnit *u, const char *mod, const char *in, const char *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	AcErr err;
	int rc;

	if (f == NULL) {
		fprintf(stderr, "limbo: out of memory\n");
		return 1;
	}
	rc = limbo_modtab(u, mod, in, f, &err);
	if (fclose(f) != 0 && rc == AC_OK)
		rc = ac_err_set(&err, AC_ENOMEM, "%s: out of memory", out);
	if (rc == AC_OK && strcmp(out, "-") == 0 && fwrite(text, 1, len, stdout) != len)
		rc = ac_err_set(&err, AC_EIO, "writing %s: output error", out);
	else if (rc == AC_OK && strcmp(out, "-") != 0)
		rc = ac_file_write_atomic(out, text, len, &err);
	free(text);
	if (rc != AC_OK)
		fprintf(stderr, "limbo: %s\n", err.msg);
	return rc == AC_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *incdirs[MAX_INCDIRS + 1];	/* and the default directory */
	size_t nincdirs = 0;
	const char *in = NULL, *out = NULL, *tabmod = NULL;
	int asm_only = 0;
	int parse_only = 0, check_only = 0, dump = 0, sigs = 0, n, rc;
	LimboOptions opt;
	LimboUnit *u;
	AcErr err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--parse-only") == 0) {
			parse_only = 1;
		} else if (strcmp(a, "--check-only") == 0) {
			check_only = 1;
		} else if (strcmp(a, "--sigs") == 0) {
			sigs = 1;
		} else if (strcmp(a, "-S") == 0) {
			asm_only = 1;
		} else if (strcmp(a, "-g") == 0 || strcmp(a, "-w") == 0 || strcmp(a, "-gw") == 0 ||
		           strcmp(a, "-wg") == 0) {
			/* Inferno's build lines pass them: no debugger symbols or
			 * warnings here yet */
		} else if (strcmp(a, "-o") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == 0) {
				fprintf(stderr, "limbo: -o needs a file\n");
				usage(stderr);
				return 2;
			}
			out = argv[++i];
		} else if (strcmp(a, "-t") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == 0) {
				fprintf(stderr, "limbo: -t needs a module name\n");
				usage(stderr);
				return 2;
			}
			tabmod = argv[++i];
		} else if (strcmp(a, "--dump-ast") == 0) {
			dump = 1;
		} else if (strncmp(a, "-I", 2) == 0) {
			const char *d = a[2] != 0 ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (d == NULL || *d == 0) {
				fprintf(stderr, "limbo: -I needs a directory\n");
				usage(stderr);
				return 2;
			}
			if (nincdirs == MAX_INCDIRS) {
				fprintf(stderr, "limbo: too many -I directories (at most %d)\n", MAX_INCDIRS);
				return 2;
			}
			incdirs[nincdirs++] = d;
		} else if (a[0] == '-' && a[1] != 0) {
			return cli_bad_option("limbo", NULL, a);
		} else if (in == NULL) {
			in = a;
		} else {
			fprintf(stderr, "limbo: one source file at a time\n");
			usage(stderr);
			return 2;
		}
	}
	if (in == NULL) {
		usage(stderr);
		return 2;
	}
	if ((incdirs[nincdirs] = default_moddir()) != NULL)
		nincdirs++;
	opt = (LimboOptions){incdirs, nincdirs, 0};
	u = limbo_parse_file(in, &opt, &err);
	if (u == NULL) {
		fprintf(stderr, "limbo: %s\n", err.msg);
		return 1;
	}
	/* check after a clean parse, unless only the parse or the tree is wanted */
	if (limbo_unit_nerrors(u) == 0 && !parse_only && !(dump && !check_only && !sigs) &&
	    limbo_check(u, &err) != AC_OK) {
		fprintf(stderr, "limbo: %s\n", err.msg);
		limbo_unit_free(u);
		return 1;
	}
	n = limbo_unit_nerrors(u);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s\n", limbo_unit_error(u, i));
	rc = n > 0 ? 1 : 0;
	if (rc == 0 && dump && limbo_unit_dump(u, stdout) != AC_OK) {
		fprintf(stderr, "limbo: writing the tree: output error\n");
		rc = 1;
	}
	for (int i = 0; rc == 0 && sigs && i < limbo_unit_nsigs(u); i++) {
		const LimboSig *s = limbo_unit_sig(u, i);
		printf("%s %s %s 0x%08x %s\n", s->exported ? "export" : "import", s->module, s->name,
		       (unsigned)s->sig, s->str);
	}
	if (rc == 0 && tabmod != NULL && !parse_only && !check_only && !dump && !sigs) {
		rc = table(u, tabmod, in, out != NULL ? out : "-");
	} else if (rc == 0 && !parse_only && !check_only && !dump && !sigs) {
		char *name = out != NULL ? NULL : outname(in, asm_only ? ".s" : ".dis");
		if (out == NULL && name == NULL) {
			fprintf(stderr, "limbo: out of memory\n");
			rc = 1;
		} else {
			rc = generate(u, in, out != NULL ? out : name, asm_only);
		}
		free(name);
	}
	limbo_unit_free(u);
	if (fflush(stdout) != 0 && rc == 0)
		rc = 1;
	return rc;
}
