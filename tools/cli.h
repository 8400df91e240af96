/*
 * Command-line parsing shared by the one-input, optional -o output tools
 * (dis-as, dis-dis).
 */
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include <stdio.h>
#include <string.h>

/* Parses "[-o OUT] IN" and -h/--help. Returns -1 to go on with *in and
 * *out (NULL when no -o) set, or the exit status to return at once. */
static inline int
cli_in_out(int argc, char **argv, const char *prog, void (*usage)(FILE *), const char **in, const char **out)
{
	*in = *out = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
			*out = argv[++i];
		} else if (a[0] == '-' && a[1] != 0) {
			fprintf(stderr, "%s: unknown option %s\n", prog, a);
			usage(stderr);
			return 2;
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
