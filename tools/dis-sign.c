/* dis-sign: sign a Dis module with an Ed25519 key (rewrites it as SMAGIC). */
#include <stdio.h>
#include <string.h>

#include "dis/dis.h"
#include "tools/cli.h"

static void
usage(FILE *f)
{
	fputs("usage: dis-sign -k NAME.key [-o OUT.dis] FILE.dis\n"
	      "Sign a module: FILE.dis (or OUT.dis) is rewritten, atomically, with a\n"
	      "signature block covering every byte of the module (see dis-sign(1)).\n"
	      "\n"
	      "options:\n"
	      "  -k NAME.key  the secret key (from dis-keygen)\n"
	      "  -o OUT.dis   write the signed module there instead\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "exit status: 0 signed; 1 error; 2 usage.\n",
	      f);
}

int
main(int argc, char **argv)
{
	const char *keyfile = NULL, *in = NULL, *out = NULL;
	DisModule *m;
	DisKey k;
	AcErr err;
	char id[2 * DIS_KEYID_BYTES + 1];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) {
			keyfile = argv[++i];
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != 0) {
			static const char *const valued[] = {"-k", "-o", NULL};
			return cli_bad_option("dis-sign", valued, argv[i]);
		} else if (in != NULL) {
			return cli_usage_error("dis-sign", "one module at a time");
		} else {
			in = argv[i];
		}
	}
	if (keyfile == NULL || in == NULL) {
		usage(stderr);
		return 2;
	}
	if (dis_key_load(&k, keyfile, &err) != AC_OK) {
		fprintf(stderr, "dis-sign: %s\n", err.msg);
		return 1;
	}
	if (!k.has_sec) {
		fprintf(stderr, "dis-sign: %s: a public key cannot sign (use the .key file)\n", keyfile);
		return 1;
	}
	m = dis_module_load(in, &err);
	if (m == NULL) {
		fprintf(stderr, "dis-sign: %s\n", err.msg);
		return 1;
	}
	rc = dis_module_sign(m, &k, &err);
	if (rc == AC_OK)
		rc = dis_module_save(m, out != NULL ? out : in, &err);
	dis_module_free(m);
	if (rc != AC_OK) {
		fprintf(stderr, "dis-sign: %s\n", err.msg);
		return 1;
	}
	dis_key_id(k.pub, id);
	printf("%s: signed by %s (key %s)\n", out != NULL ? out : in, k.name, id);
	return 0;
}
