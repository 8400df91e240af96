/*
 * dis-dis: print a Dis object file as assembly that dis-as turns back into
 * the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "tools/cli.h"

static void
usage(FILE *f)
{
	fputs("usage: dis-dis [-o FILE.s] FILE.dis\n"
	      "Disassemble a Dis module into the assembly language of dis-as(1).\n"
	      "\n"
	      "options:\n"
	      "  -o FILE     write the assembly to FILE instead of standard output\n"
	      "  -h, --help  this text\n"
	      "\n"
	      "exit status: 0 done; 1 the module could not be read or written; 2 usage.\n",
	      f);
}

int
main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	AcErr err;
	DisModule *m;
	int rc;

	if ((rc = cli_in_out(argc, argv, "dis-dis", usage, &in, &out)) >= 0)
		return rc;
	m = dis_module_load(in, &err);
	if (m == NULL) {
		fprintf(stderr, "dis-dis: %s\n", err.msg);
		return 1;
	}
	if (out == NULL) {
		rc = dis_disasm(m, stdout, &err);
		if (rc == AC_OK && fflush(stdout) != 0)
			rc = ac_err_set(&err, AC_EIO, "standard output: write error");
	} else {
		/* Assemble the text in memory, then write it atomically. */
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (f == NULL)
			rc = ac_err_set(&err, AC_ENOMEM, "out of memory");
		else {
			rc = dis_disasm(m, f, &err);
			fclose(f);
			if (rc == AC_OK)
				rc = ac_file_write_atomic(out, text, len, &err);
		}
		free(text);
	}
	dis_module_free(m);
	if (rc != AC_OK) {
		fprintf(stderr, "dis-dis: %s\n", err.msg);
		return 1;
	}
	return 0;
}
