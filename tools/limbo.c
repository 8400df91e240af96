/*
 * limbo: the Limbo compiler. For now the front end: it parses, type-checks
 * and reports errors; code generation is not written yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limbo/limbo.h"

enum { MAX_INCDIRS = 64 };

static void
usage(FILE *f)
{
	fputs("usage: limbo [-I DIR]... [--parse-only | --check-only] [--dump-ast] [--sigs] FILE.b\n"
	      "Compile a Limbo program. NOTE: only the front end (parser and type\n"
	      "checker) exists so far; code generation is not implemented yet, so\n"
	      "without --parse-only, --check-only or --dump-ast limbo checks FILE.b,\n"
	      "reports any errors, and then exits 1 with\n"
	      "\"limbo: code generation not implemented yet\".\n"
	      "\n"
	      "options:\n"
	      "  -I DIR        search DIR for included files (after the including\n"
	      "                file's own directory); may be repeated\n"
	      "  --parse-only  parse FILE.b and its includes, report errors, stop\n"
	      "  --check-only  parse and type-check, report errors, stop\n"
	      "  --dump-ast    parse, then print the syntax tree on standard output\n"
	      "  --sigs        type-check, then print the type signature of each\n"
	      "                exported function and each function used from another\n"
	      "                module: export|import MODULE NAME 0xHASH STRING\n"
	      "  -h, --help    this text\n"
	      "\n"
	      "Errors are printed as FILE:LINE: message, FILE being the file the\n"
	      "error is in (an included .m file too).\n"
	      "exit status: 0 no errors (--parse-only, --check-only, --dump-ast,\n"
	      "--sigs); 1 errors, or code generation requested; 2 usage.\n",
	      f);
}

int
main(int argc, char **argv)
{
	const char *incdirs[MAX_INCDIRS];
	size_t nincdirs = 0;
	const char *in = NULL;
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
			fprintf(stderr, "limbo: unknown option %s\n", a);
			usage(stderr);
			return 2;
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
	if (rc == 0 && !parse_only && !check_only && !dump && !sigs) {
		fprintf(stderr, "limbo: code generation not implemented yet\n");
		rc = 1;
	}
	limbo_unit_free(u);
	if (fflush(stdout) != 0 && rc == 0)
		rc = 1;
	return rc;
}
