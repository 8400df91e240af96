/*
 * Command-line parsing shared by the tools: one wording for usage errors
 * (exit status 2), and the one-input, optional -o output parse of dis-as
 * and dis-dis.
 */
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Exit status of a usage error, in every tool. */
enum { CLI_EXIT_USAGE = 2 };

/* Prints "PROG: message (see PROG --help)" on one line and returns
 * CLI_EXIT_USAGE: the problem is named, the usage is one flag away. */
static inline int
cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", prog);
	return CLI_EXIT_USAGE;
}

/* argv[i] is not an option the tool knows: a missing value when it is one
 * that takes a value (listed in valued, NULL-ended) and is the last
 * argument, else an unknown option. Returns CLI_EXIT_USAGE. */
static inline int
cli_bad_option(const char *prog, const char *const *valued, const char *a)
{
	for (; valued != NULL && *valued != NULL; valued++)
		if (strcmp(a, *valued) == 0)
			return cli_usage_error(prog, "option %s needs a value", a);
	return cli_usage_error(prog, "unknown option %s", a);
}

/* Parses "[-o OUT] IN" and -h/--help. Returns -1 to go on with *in and
 * *out (NULL when no -o) set, or the exit status to return at once. */
static inline int
cli_in_out(int argc, char **argv, const char *prog, void (*usage)(FILE *), const char **in, const char **out)
{
	static const char *const valued[] = {"-o", NULL};

	*in = *out = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
			*out = argv[++i];
		} else if (a[0] == '-' && a[1] != 0) {
			return cli_bad_option(prog, valued, a);
		} else if (*in == NULL) {
			*in = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (*in == NULL) {
		usage(stderr);
		return 2;
	}
	return -1;
}

#endif
