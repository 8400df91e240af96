/* dis-keygen: make an Ed25519 key pair for signing modules, or (--curve) a
 * CurveZMQ certificate for the cluster's sockets. */
#include <stdio.h>
#include <string.h>

#include "dis/dis.h"
#include "proto/proto.h"
#include "tools/cli.h"

static void
usage(FILE *f)
{
	fputs("usage: dis-keygen [-f] [--curve] -o NAME\n"
	      "Make an Ed25519 key pair: NAME.key (secret, mode 0600) signs modules with\n"
	      "dis-sign; NAME.pub goes into the trust stores of the machines that run them.\n"
	      "With --curve, make a CurveZMQ certificate instead: NAME.curve (secret, mode\n"
	      "0600) identifies a scheduler, node or client; NAME.curve.pub goes into the\n"
	      "scheduler's allow directory (or, for the scheduler's own, to its peers).\n"
	      "\n"
	      "options:\n"
	      "  -o NAME     base name of the two files\n"
	      "  --curve     a CurveZMQ certificate rather than a signing key\n"
	      "  -f          replace existing files\n"
	      "  -h, --help  this text\n"
	      "\n"
	      "exit status: 0 written; 1 error; 2 usage.\n",
	      f);
}

int
main(int argc, char **argv)
{
	const char *out = NULL;
	int force = 0, curve = 0;
	DisKey k;
	AcErr err;
	char id[2 * DIS_KEYID_BYTES + 1];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "-f") == 0) {
			force = 1;
		} else if (strcmp(argv[i], "--curve") == 0) {
			curve = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != 0) {
			static const char *const valued[] = {"-o", NULL};
			return cli_bad_option("dis-keygen", valued, argv[i]);
		} else {
			return cli_usage_error("dis-keygen", "unexpected argument %s", argv[i]);
		}
	}
	if (out == NULL) {
		usage(stderr);
		return 2;
	}
	if (curve) {
		ProtoCert c;
		if (proto_cert_generate(&c, &err) != AC_OK || proto_cert_save(&c, out, force, &err) != AC_OK) {
			fprintf(stderr, "dis-keygen: %s\n", err.msg);
			return 1;
		}
		printf("%s.curve %s.curve.pub key %s\n", out, out, c.public_key);
		return 0;
	}
	if (dis_key_generate(&k, &err) != AC_OK || dis_key_save(&k, out, force, &err) != AC_OK) {
		fprintf(stderr, "dis-keygen: %s\n", err.msg);
		return 1;
	}
	dis_key_id(k.pub, id);
	printf("%s.key %s.pub key %s\n", out, out, id);
	return 0;
}
