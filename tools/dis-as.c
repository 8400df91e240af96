/*
 * dis-as: assemble `limbo -S` assembly into a Dis object file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "tools/cli.h"

static void
usage(FILE *f)
{
	fputs("usage: dis-as [-o FILE.dis] FILE.s\n"
	      "Assemble Dis assembly (the language `limbo -S` writes) into a module.\n"
	      "The output defaults to FILE.s with its .s extension replaced by .dis.\n"
	      "\n"
	      "options:\n"
	      "  -o FILE     write the module to FILE\n"
	      "  -h, --help  this text\n"
	      "\n"
	      "exit status: 0 assembled; 1 errors (printed as FILE:LINE: message); 2 usage.\n",
	      f);
}

/* FILE.s -> FILE.dis; any other name gets .dis appended. */
static char *
outname(const char *in)
{
	size_t n = strlen(in);
	char *out = malloc(n + 5);

	if (out == NULL)
		return NULL;
	memcpy(out, in, n + 1);
	if (n > 2 && strcmp(in + n - 2, ".s") == 0)
		out[n - 2] = 0;
	strcat(out, ".dis");
	return out;
}

int
main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	char *dflt = NULL;
	uint8_t *src;
	size_t len;
	AcErr err;
	DisModule *m;
	int rc;

	if ((rc = cli_in_out(argc, argv, "dis-as", usage, &in, &out)) >= 0)
		return rc;
	if (out == NULL) {
		out = dflt = outname(in);
		if (out == NULL) {
			fprintf(stderr, "dis-as: out of memory\n");
			return 1;
		}
	}
	if (ac_file_read(in, &src, &len, &err) != AC_OK) {
		fprintf(stderr, "dis-as: %s\n", err.msg);
		free(dflt);
		return 1;
	}
	/* Print each error as it is found, prefixed with the program name. */
	{
		char *diagbuf = NULL;
		size_t diaglen = 0;
		FILE *diag = open_memstream(&diagbuf, &diaglen);
		m = dis_asm_report((const char *)src, len, in, diag, &err);
		if (diag != NULL) {
			fclose(diag);
			if (m == NULL && diagbuf != NULL) {
				char *line = diagbuf, *nl;
				while (*line && (nl = strchr(line, '\n')) != NULL) {
					*nl = 0;
					fprintf(stderr, "dis-as: %s\n", line);
					line = nl + 1;
				}
			}
			free(diagbuf);
		} else if (m == NULL)
			fprintf(stderr, "dis-as: %s\n", err.msg);
	}
	free(src);
	if (m == NULL) {
		free(dflt);
		return 1;
	}
	rc = dis_module_save(m, out, &err);
	dis_module_free(m);
	if (rc != AC_OK) {
		fprintf(stderr, "dis-as: %s\n", err.msg);
		free(dflt);
		return 1;
	}
	free(dflt);
	return 0;
}
