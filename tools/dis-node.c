/*
 * dis-node: a worker of the Acheron cluster. `dis-node join EP` registers
 * with the scheduler at EP and runs the Dis modules it is given, each in
 * its own dis-run process under the job's limits, until SIGTERM or SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "proto/proto.h"
#include "tools/cli.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fputs("usage: dis-node join [EP] [options]\n"
	      "Join the Acheron cluster whose scheduler serves at EP (default\n"
	      "$ACHERON_SCHEDULER, else tcp://127.0.0.1:5555) and run the Dis modules it\n"
	      "assigns, each in its own dis-run process, until SIGTERM or SIGINT.\n"
	      "\n"
	      "options:\n"
	      "  --server-key FILE    the scheduler's public certificate (.curve.pub;\n"
	      "                       default $ACHERON_SERVER_KEY)\n"
	      "  --cert FILE          this node's certificate (.curve; default $ACHERON_CERT)\n"
	      "  --capability CAP     advertise CAP ([a-z0-9_.-]); repeatable\n"
	      "  --slots N            tasks run at once (default: the number of cores)\n"
	      "  --trust DIR          run only modules signed by a key in DIR (*.pub)\n"
	      "  --insecure           run unsigned modules (no --trust needed)\n"
	      "  --node-id ID         node name and routing id (default HOSTNAME-PID)\n"
	      "  --work DIR           cache and task directories (default\n"
	      "                       $TMPDIR/acheron-node-ID)\n"
	      "  --heartbeat MS       heartbeat interval until the scheduler sets it (1000)\n"
	      "  --liveness N         missed heartbeats before the scheduler is dead (3)\n"
	      "  --dis-run PATH       the dis-run to run tasks with (default: beside dis-node)\n"
	      "  --data DIR           a directory tasks may read (besides their module and\n"
	      "                       their own directory); repeatable, at most 16\n"
	      "                       (default " NODE_DEFAULT_DATA ")\n"
	      "  --default-memory BYTES  memory of a task whose job sets none: its\n"
	      "                       Dis heap and tensors (suffix k, m, g; default 2g)\n"
	      "  --default-cpu SECONDS   CPU time of such a task (default 3600)\n"
	      "  --default-timeout SECONDS  wall clock of such a task (default 3600)\n"
	      "  --default-max-instructions N  instruction budget of every task\n"
	      "                       (dis-run --max-instructions; default none)\n"
	      "  --default-max-threads N  spawned threads alive at once in every task\n"
	      "                       (dis-run --max-threads; default 1024)\n"
	      "  --default-max-files N  files open in a task whose job sets no max_files\n"
	      "                       (dis-run --max-files; default 256)\n"
	      "  --default-max-output BYTES  standard output and error of every task\n"
	      "                       (dis-run --max-output; suffix k, m, g; default 1g)\n"
	      "  -v                   log every task and message (debug)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "One of --trust and --insecure is required.\n"
	      "exit status: 0 stopped by SIGTERM/SIGINT; 1 could not start (certificate,\n"
	      "trust store, work directory, dis-run); 2 usage.\n",
	      f);
}

static int
parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end != 0 || s[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "dis-node: %s: '%s' is not a number from %u to %u\n", opt, s, lo, hi);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* BYTES with an optional k, m or g suffix, 1 MiB to 1 TiB. */
static int
parse_bytes(const char *opt, const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;

	if (end != s && (*end == 'k' || *end == 'K'))
		shift = 10, end++;
	else if (end != s && (*end == 'm' || *end == 'M'))
		shift = 20, end++;
	else if (end != s && (*end == 'g' || *end == 'G'))
		shift = 30, end++;
	if (end == s || *end != 0 || s[0] == '-' || v > (1ull << 40) >> shift ||
	    (v << shift) < (1ull << 20)) {
		fprintf(stderr, "dis-node: %s: '%s' is not a size from 1m to 1024g\n", opt, s);
		return -1;
	}
	*out = (uint64_t)v << shift;
	return 0;
}

int
main(int argc, char **argv)
{
	NodeOptions o;
	AcErr err;
	const char *caps[NODE_MAX_CAPABILITIES], *data[NODE_MAX_DATA];
	struct sigaction sa;
	int i = 1;

	memset(&o, 0, sizeof o);
	o.capabilities = caps;
	o.data = data;
	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0) {
			usage(stdout);
			return 0;
		}
	if (argc < 2 || strcmp(argv[1], "join") != 0) {
		if (argc >= 2)
			fprintf(stderr, "dis-node: unknown command '%s' (expected join)\n", argv[1]);
		usage(stderr);
		return 2;
	}
	o.endpoint = getenv("ACHERON_SCHEDULER");
	o.server_key = getenv("ACHERON_SERVER_KEY");
	o.cert = getenv("ACHERON_CERT");
	if (o.endpoint == NULL || o.endpoint[0] == 0)
		o.endpoint = "tcp://127.0.0.1:5555";
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (a[0] != '-') {
			if (i != 2) {
				fprintf(stderr, "dis-node: unexpected argument '%s'\n", a);
				return 2;
			}
			o.endpoint = a;
		} else if (strcmp(a, "--server-key") == 0 && more) {
			o.server_key = argv[++i];
		} else if (strcmp(a, "--cert") == 0 && more) {
			o.cert = argv[++i];
		} else if (strcmp(a, "--capability") == 0 && more) {
			if (o.ncapabilities == NODE_MAX_CAPABILITIES) {
				fprintf(stderr, "dis-node: --capability: at most %d\n", NODE_MAX_CAPABILITIES);
				return 2;
			}
			if (!node_capability_ok(argv[i + 1])) {
				fprintf(stderr, "dis-node: --capability '%s': not 1-64 of [a-z0-9_.-]\n", argv[i + 1]);
				return 2;
			}
			caps[o.ncapabilities++] = argv[++i];
		} else if (strcmp(a, "--slots") == 0 && more) {
			if (parse_u32(a, argv[++i], 1, 4096, &o.slots) != 0)
				return 2;
		} else if (strcmp(a, "--trust") == 0 && more) {
			o.trust = argv[++i];
		} else if (strcmp(a, "--insecure") == 0) {
			o.insecure = 1;
		} else if (strcmp(a, "--node-id") == 0 && more) {
			o.node_id = argv[++i];
		} else if (strcmp(a, "--work") == 0 && more) {
			o.work = argv[++i];
		} else if (strcmp(a, "--heartbeat") == 0 && more) {
			if (parse_u32(a, argv[++i], 10, 600000, &o.heartbeat_ms) != 0)
				return 2;
		} else if (strcmp(a, "--liveness") == 0 && more) {
			if (parse_u32(a, argv[++i], 1, 1000, &o.liveness) != 0)
				return 2;
		} else if (strcmp(a, "--dis-run") == 0 && more) {
			o.dis_run = argv[++i];
		} else if (strcmp(a, "--data") == 0 && more) {
			if (o.ndata == NODE_MAX_DATA) {
				fprintf(stderr, "dis-node: --data: at most %d\n", NODE_MAX_DATA);
				return 2;
			}
			data[o.ndata++] = argv[++i];
		} else if (strcmp(a, "--default-memory") == 0 && more) {
			if (parse_bytes(a, argv[++i], &o.default_memory_bytes) != 0)
				return 2;
		} else if (strcmp(a, "--default-cpu") == 0 && more) {
			uint32_t s;
			if (parse_u32(a, argv[++i], 1, 4000000, &s) != 0)
				return 2;
			o.default_cpu_ms = s * 1000;
		} else if (strcmp(a, "--default-timeout") == 0 && more) {
			uint32_t s;
			if (parse_u32(a, argv[++i], 1, 4000000, &s) != 0)
				return 2;
			o.default_timeout_ms = s * 1000;
		} else if (strcmp(a, "--default-max-instructions") == 0 && more) {
			char *end;
			const char *v = argv[++i];
			unsigned long long n = strtoull(v, &end, 10);
			if (end == v || *end != 0 || v[0] == '-' || n == 0) {
				fprintf(stderr, "dis-node: %s: '%s' is not a positive number\n", a, v);
				return 2;
			}
			o.default_max_instructions = n;
		} else if (strcmp(a, "--default-max-threads") == 0 && more) {
			if (parse_u32(a, argv[++i], 1, 1000000, &o.default_max_threads) != 0)
				return 2;
		} else if (strcmp(a, "--default-max-files") == 0 && more) {
			if (parse_u32(a, argv[++i], 1, 1000000, &o.default_max_files) != 0)
				return 2;
		} else if (strcmp(a, "--default-max-output") == 0 && more) {
			if (parse_bytes(a, argv[++i], &o.default_max_output_bytes) != 0)
				return 2;
		} else if (strcmp(a, "-v") == 0) {
			ac_log_level = AC_LOG_DEBUG;
			continue;
		} else {
			static const char *const valued[] = {"--server-key", "--cert", "--capability", "--slots",
			                                     "--trust", "--node-id", "--work", "--heartbeat",
			                                     "--liveness", "--dis-run", "--data", "--default-memory",
			                                     "--default-cpu", "--default-timeout",
			                                     "--default-max-instructions", "--default-max-threads",
			                                     "--default-max-files", "--default-max-output", NULL};
			return cli_bad_option("dis-node", valued, a);
		}
	}
	if (ac_log_level > AC_LOG_INFO)
		ac_log_level = AC_LOG_INFO;
	if (o.trust == NULL && !o.insecure) {
		fprintf(stderr, "dis-node: no trust store: give --trust DIR (the public keys whose signed modules "
				"this node runs), or --insecure to run unsigned modules\n");
		return 2;
	}
	if (o.cert == NULL || o.cert[0] == 0) {
		fprintf(stderr, "dis-node: no certificate: give --cert FILE.curve or set ACHERON_CERT\n");
		return 2;
	}
	if (o.server_key == NULL || o.server_key[0] == 0) {
		fprintf(stderr, "dis-node: no scheduler key: give --server-key FILE.curve.pub or set "
				"ACHERON_SERVER_KEY\n");
		return 2;
	}
	if (o.node_id != NULL && !proto_name_ok(o.node_id, PROTO_MAX_ID)) {
		fprintf(stderr, "dis-node: --node-id '%s': not 1-64 of [A-Za-z0-9._-]\n", o.node_id);
		return 2;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ac_err_clear(&err);
	if (node_run(&o, &stop, &err) != AC_OK) {
		fprintf(stderr, "dis-node: %s\n", err.msg);
		return 1;
	}
	return 0;
}
