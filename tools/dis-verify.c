/* dis-verify: check a module's signature against a trust store. */
#include <stdio.h>
#include <string.h>

#include "dis/dis.h"
#include "tools/cli.h"

static void
usage(FILE *f)
{
	fputs("usage: dis-verify [--trust DIR] FILE.dis\n"
	      "Check that FILE.dis is signed by a key in DIR (its *.pub files) and that\n"
	      "no byte changed since; print the signer's key id and name, or why not.\n"
	      "Without --trust, check only that the signature block is well formed and\n"
	      "print its key id.\n"
	      "\n"
	      "options:\n"
	      "  --trust DIR  the trust store\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "exit status: 0 verified; 1 not signed, unknown signer, changed or unreadable; 2 usage.\n",
	      f);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *in = NULL;
	DisTrust *trust = NULL;
	DisModule *m;
	AcErr err;
	char signer[64], id[2 * DIS_KEYID_BYTES + 1];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != 0) {
			static const char *const valued[] = {"--trust", NULL};
			return cli_bad_option("dis-verify", valued, argv[i]);
		} else if (in != NULL) {
			return cli_usage_error("dis-verify", "one module at a time");
		} else {
			in = argv[i];
		}
	}
	if (in == NULL) {
		usage(stderr);
		return 2;
	}
	if (dir != NULL && (trust = dis_trust_load(dir, &err)) == NULL) {
		fprintf(stderr, "dis-verify: %s\n", err.msg);
		return 1;
	}
	m = dis_module_load(in, &err);
	rc = m != NULL ? dis_module_sig_id(m, in, id, &err) : err.code;
	if (rc == AC_OK && trust != NULL)
		rc = dis_module_verify(m, trust, in, signer, &err);
	dis_module_free(m);
	dis_trust_free(trust);
	if (rc != AC_OK) {
		fprintf(stderr, "dis-verify: %s\n", err.msg);
		return 1;
	}
	if (trust != NULL)
		printf("%s: signed by %s (%s)\n", in, id, signer);
	else
		printf("%s: signed by %s\n", in, id);
	return 0;
}
