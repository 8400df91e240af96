/*
 * dis-sched: the Acheron scheduler (`serve`) and the commands that talk to
 * it (submit, status, wait, logs, cancel, nodes, drain, result), in the
 * manner of Slurm's sbatch/squeue/scancel/sinfo. The contract (options,
 * environment, exit status) is man/dis-sched.1.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scheduler/cli.h"
#include "scheduler/sched.h"

#define PROG "dis-sched"
#define DEFAULT_ENDPOINT "tcp://127.0.0.1:5555"
#define DEFAULT_TIMEOUT_MS 5000

static const char common_help[] =
	"\n"
	"connection options (every command but serve):\n"
	"  --scheduler EP          scheduler endpoint (ACHERON_SCHEDULER, default " DEFAULT_ENDPOINT ")\n"
	"  --server-key FILE       the scheduler's .curve.pub (ACHERON_SERVER_KEY)\n"
	"  --cert FILE             this client's .curve certificate (ACHERON_CERT)\n"
	"  --request-timeout MS    give up after MS without an answer (default 5000)\n"
	"  -h, --help              this text\n"
	"\n"
	"exit status: 0 success (wait: the job COMPLETED); 1 the job finished otherwise,\n"
	"was not found, the request was refused, or another error; 2 usage; 3 no\n"
	"answer from the scheduler within the request timeout.\n";

typedef struct Cmd {
	const char *name;
	const char *help;  /* usage line and options, without common_help */
	int (*run)(int argc, char **argv);
} Cmd;

static int cmd_serve(int, char **);
static int cmd_submit(int, char **);
static int cmd_status(int, char **);
static int cmd_wait(int, char **);
static int cmd_logs(int, char **);
static int cmd_cancel(int, char **);
static int cmd_nodes(int, char **);
static int cmd_drain(int, char **);
static int cmd_result(int, char **);

static const Cmd cmds[] = {
	{"serve", "usage: dis-sched serve [--bind EP] --db FILE --cert SCHED.curve --allow DIR\n"
		  "                       [--heartbeat MS] [--liveness N] [--endpoint-file FILE]\n"
		  "                       [--require-signed --trust DIR] [-v]\n"
		  "Run the scheduler: nodes (dis-node join) and clients connect to EP with\n"
		  "CurveZMQ; only keys in DIR are let in. Jobs are kept in the SQLite FILE.\n"
		  "\n"
		  "options:\n"
		  "  --bind EP               endpoint to bind (default tcp://0.0.0.0:5555; port 0: any)\n"
		  "  --db FILE               the job database (created if missing)\n"
		  "  --cert SCHED.curve      the scheduler's certificate (dis-keygen --curve)\n"
		  "  --allow DIR             directory of the *.curve.pub of allowed nodes and clients\n"
		  "  --heartbeat MS          heartbeat interval (default 1000)\n"
		  "  --liveness N            heartbeats missed before a node is dead (default 3)\n"
		  "  --endpoint-file FILE    write the bound endpoint to FILE once serving\n"
		  "  --require-signed        refuse submitted modules not signed by a key in --trust\n"
		  "  --trust DIR             directory of the *.pub module signing keys (dis-keygen)\n"
		  "  -v                      log more (twice: debug)\n"
		  "  -h, --help              this text\n"
		  "\n"
		  "One scheduler per FILE: a second is refused while the first runs (FILE.lock).\n"
		  "SIGTERM or SIGINT stops it cleanly (exit 0). Exit 1 if it cannot start, 2 usage.\n",
	 cmd_serve},
	{"submit", "usage: dis-sched submit [options] FILE.dis [args...]\n"
		   "Check FILE.dis (a Dis module dis-run would load), queue it to run with args\n"
		   "on a node, and print the job id. A module that fails the check is not queued.\n"
		   "\n"
		   "options:\n"
		   "  --priority P            higher runs first (default 0)\n"
		   "  --strategy S            round-robin, least-loaded (default), random, capability\n"
		   "  --require CAP           run only on a node with capability CAP (repeatable)\n"
		   "  --retries N             requeues allowed after node loss (default 3)\n"
		   "  --timeout SECONDS       wall-clock limit (suffix s, m, h, d)\n"
		   "  --memory SIZE           address-space limit (suffix k, m, g)\n"
		   "  --cpu SECONDS           CPU-time limit\n"
		   "  --files N               open-file limit\n"
		   "  --name NAME             the job's name (default: FILE.dis's base name)\n"
		   "  --trust DIR             refuse FILE.dis unless signed by a key in DIR (*.pub)\n"
		   "  --wait                  then wait for it, as `dis-sched wait`\n"
		   "  --json                  print {\"job_id\": N} (with --wait: the job) as JSON\n",
	 cmd_submit},
	{"status", "usage: dis-sched status [JOB] [--json]\n"
		   "Show a job, or the newest 1000 jobs: JOBID STATE NODE ATTEMPTS EXIT TIME NAME\n"
		   "REASON (why a job FAILED, TIMED_OUT or is NODE_FAIL).\n"
		   "\n"
		   "options:\n"
		   "  --json                  {\"jobs\": [...]} as JSON\n",
	 cmd_status},
	{"wait", "usage: dis-sched wait JOB [--json]\n"
		 "Block until the job is finished, then print its final state.\n"
		 "\n"
		 "options:\n"
		 "  --json                  print the job as JSON\n",
	 cmd_wait},
	{"logs", "usage: dis-sched logs JOB [--follow]\n"
		 "Write the job's standard output to stdout and its standard error to stderr.\n"
		 "\n"
		 "options:\n"
		 "  -f, --follow            then go on writing new output until the job ends\n",
	 cmd_logs},
	{"cancel", "usage: dis-sched cancel JOB\n"
		   "Cancel a pending or running job (a running task is killed).\n",
	 cmd_cancel},
	{"nodes", "usage: dis-sched nodes [--wait N [--timeout MS]] [--json]\n"
		  "List the nodes: NODE STATE SLOTS RUNNING LOAD CAPABILITIES.\n"
		  "\n"
		  "options:\n"
		  "  --wait N                first wait until at least N nodes are registered (not DEAD)\n"
		  "  --timeout MS            give up waiting after MS (default 30000): exit 1\n"
		  "  --json                  {\"nodes\": [...]} as JSON\n",
	 cmd_nodes},
	{"drain", "usage: dis-sched drain NODE [--resume]\n"
		  "Stop giving NODE new tasks (its running tasks finish).\n"
		  "\n"
		  "options:\n"
		  "  --resume                give it tasks again\n",
	 cmd_drain},
	{"result", "usage: dis-sched result JOB [-o DIR]\n"
		   "Write the result files of a finished job (what it left in out/) into DIR.\n"
		   "\n"
		   "options:\n"
		   "  -o DIR                  where to write them (default .; created if missing)\n",
	 cmd_result},
};

static void
usage(FILE *f)
{
	fputs("usage: dis-sched COMMAND [options] [args]\n"
	      "The Acheron scheduler and its client.\n"
	      "\n"
	      "commands:\n"
	      "  serve                   run the scheduler\n"
	      "  submit FILE.dis [args]  queue a job, print its id\n"
	      "  status [JOB]            show jobs\n"
	      "  wait JOB                block until the job is finished\n"
	      "  logs JOB [--follow]     the job's output\n"
	      "  cancel JOB              cancel a job\n"
	      "  nodes                   list the nodes\n"
	      "  drain NODE [--resume]   stop (or resume) giving a node tasks\n"
	      "  result JOB [-o DIR]     fetch the job's result files\n"
	      "\n"
	      "`dis-sched COMMAND --help` describes each.\n",
	      f);
	fputs(common_help, f);
}

static const Cmd *
cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static void
cmd_usage(const char *name, FILE *f)
{
	const Cmd *c = cmd_find(name);

	fputs(c->help, f);
	if (strcmp(name, "serve") != 0)
		fputs(common_help, f);
}

/* One line for a usage error; the status to exit with. */
static int __attribute__((format(printf, 2, 3)))
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", PROG, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s %s --help)\n", PROG, cmd);
	return SCHED_EXIT_USAGE;
}

/* ------------------------------------------------------------ option parsing */

/* The arguments of one command being parsed: argv[0] is the command. */
typedef struct Args {
	int argc;
	char **argv;
	int i;              /* the argument being looked at */
	const char *cmd;
	int status;         /* the exit status once an option was bad */
} Args;

enum { OPT_NO = 0, OPT_YES = 1, OPT_BAD = -1 };

/* Whether argv[i] is the option name ("--name VALUE" or "--name=VALUE");
 * *val is its value. A missing value is OPT_BAD (message printed). */
static int
opt_value(Args *a, const char *name, const char **val)
{
	const char *s = a->argv[a->i];
	size_t n = strlen(name);

	if (strncmp(s, name, n) != 0)
		return OPT_NO;
	if (s[n] == '=' && name[1] == '-') {
		*val = s + n + 1;
		return OPT_YES;
	}
	if (s[n] != 0)
		return OPT_NO;
	if (a->i + 1 >= a->argc) {
		a->status = usage_error(a->cmd, "%s needs a value", name);
		return OPT_BAD;
	}
	*val = a->argv[++a->i];
	return OPT_YES;
}

/* An integer option in [min, max]. */
static int
opt_int(Args *a, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v;
	int rc = opt_value(a, name, &v);

	if (rc != OPT_YES)
		return rc;
	if (sched_cli_parse_int(v, min, max, out) != 0) {
		a->status = usage_error(a->cmd, "%s: '%s' is not a number from %" PRId64 " to %" PRId64, name, v, min,
					max);
		return OPT_BAD;
	}
	return OPT_YES;
}

static int
opt_flag(Args *a, const char *name, const char *alias, int *flag)
{
	const char *s = a->argv[a->i];

	if (strcmp(s, name) != 0 && (alias == NULL || strcmp(s, alias) != 0))
		return OPT_NO;
	*flag = 1;
	return OPT_YES;
}

/* The connection options every client command takes. */
typedef struct Conn {
	const char *endpoint;
	const char *server_key;
	const char *cert;
	uint32_t timeout_ms;
} Conn;

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != 0 ? v : NULL;
}

/* The options every client command takes, and --help. OPT_YES consumed;
 * OPT_BAD: a->status is the exit status (0 after --help). */
static int
opt_common(Args *a, Conn *c)
{
	const char *s = a->argv[a->i];
	int64_t v;
	int rc;

	if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
		cmd_usage(a->cmd, stdout);
		a->status = SCHED_EXIT_OK;
		return OPT_BAD;
	}
	if ((rc = opt_value(a, "--scheduler", &c->endpoint)) != OPT_NO ||
	    (rc = opt_value(a, "--server-key", &c->server_key)) != OPT_NO ||
	    (rc = opt_value(a, "--cert", &c->cert)) != OPT_NO)
		return rc;
	if ((rc = opt_int(a, "--request-timeout", 1, 3600000, &v)) == OPT_YES)
		c->timeout_ms = (uint32_t)v;
	return rc;
}

/* An argument that no option took: a positional one, or an unknown option. */
static int
unknown_option(Args *a)
{
	const char *s = a->argv[a->i];

	if (s[0] == '-' && s[1] != 0) {
		a->status = usage_error(a->cmd, "unknown option '%s'", s);
		return 1;
	}
	return 0;
}

static void
conn_init(Conn *c)
{
	c->endpoint = env("ACHERON_SCHEDULER");
	c->server_key = env("ACHERON_SERVER_KEY");
	c->cert = env("ACHERON_CERT");
	c->timeout_ms = DEFAULT_TIMEOUT_MS;
}

/* Opens the connection; NULL with *status set (message printed). */
static SchedClient *
conn_open(const Conn *c, const char *cmd, int *status)
{
	SchedClient *cl;
	AcErr err;

	*status = SCHED_EXIT_USAGE;
	if (c->cert == NULL) {
		fprintf(stderr, "%s %s: no client certificate: give --cert FILE.curve or set ACHERON_CERT "
				"(make one with dis-keygen --curve -o NAME)\n",
			PROG, cmd);
		return NULL;
	}
	if (c->server_key == NULL) {
		fprintf(stderr, "%s %s: no scheduler key: give --server-key FILE.curve.pub or set "
				"ACHERON_SERVER_KEY (the scheduler's public certificate)\n",
			PROG, cmd);
		return NULL;
	}
	cl = sched_client_open(c->endpoint != NULL ? c->endpoint : DEFAULT_ENDPOINT, c->cert, c->server_key,
			       c->timeout_ms, &err);
	if (cl == NULL) {
		fprintf(stderr, "%s: %s\n", PROG, err.msg);
		*status = SCHED_EXIT_JOB;
	}
	return cl;
}

/* A flag option of a command: --name (or alias) sets *set to 1. */
typedef struct Flag {
	const char *name, *alias;
	int *set;
} Flag;

/* Parses a command whose arguments are the common options, the flags
 * (a list ended by a NULL name; flags may be NULL) and npos positional
 * arguments, at least min_pos of them (pos_name says what is missing).
 * Returns -1 to go on, or the exit status. */

static int
parse_simple(int argc, char **argv, Conn *c, const Flag *flags, const char **pos, int npos, int min_pos,
	     const char *pos_name)
{
	Args a = {argc, argv, 1, argv[0], 0};
	int n = 0, rc, only_pos = 0;

	conn_init(c);
	for (; a.i < argc; a.i++) {
		if (!only_pos) {
			if (strcmp(argv[a.i], "--") == 0) {
				only_pos = 1;
				continue;
			}
			if ((rc = opt_common(&a, c)) == OPT_BAD)
				return a.status;
			if (rc == OPT_YES)
				continue;
			for (const Flag *f = flags; f != NULL && f->name != NULL; f++)
				if ((rc = opt_flag(&a, f->name, f->alias, f->set)) == OPT_YES)
					break;
			if (rc == OPT_YES)
				continue;
			if (unknown_option(&a))
				return a.status;
		}
		if (n >= npos)
			return usage_error(a.cmd, "unexpected argument '%s'", argv[a.i]);
		pos[n++] = argv[a.i];
	}
	if (n < min_pos)
		return usage_error(a.cmd, "missing %s", pos_name);
	return -1;
}

/* ------------------------------------------------------------ serve */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
cmd_serve(int argc, char **argv)
{
	SchedOptions o;
	Args a = {argc, argv, 1, argv[0], 0};
	struct sigaction sa;
	AcErr err;
	int64_t v;
	int rc;

	memset(&o, 0, sizeof o);
	o.bind = "tcp://0.0.0.0:5555";
	o.heartbeat_ms = 1000;
	o.liveness = 3;
	for (; a.i < argc; a.i++) {
		const char *s = argv[a.i];
		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			cmd_usage("serve", stdout);
			return SCHED_EXIT_OK;
		}
		if (strcmp(s, "-v") == 0 || strcmp(s, "-vv") == 0) {
			ac_log_level = ac_log_level > AC_LOG_INFO && s[2] == 0 ? AC_LOG_INFO : AC_LOG_DEBUG;
			continue;
		}
		if ((rc = opt_value(&a, "--bind", &o.bind)) != OPT_NO || (rc = opt_value(&a, "--db", &o.db)) != OPT_NO ||
		    (rc = opt_value(&a, "--cert", &o.cert)) != OPT_NO ||
		    (rc = opt_value(&a, "--allow", &o.allow)) != OPT_NO ||
		    (rc = opt_value(&a, "--endpoint-file", &o.endpoint_file)) != OPT_NO ||
		    (rc = opt_value(&a, "--trust", &o.trust)) != OPT_NO ||
		    (rc = opt_flag(&a, "--require-signed", NULL, &o.require_signed)) != OPT_NO) {
			if (rc == OPT_BAD)
				return a.status;
			continue;
		}
		if ((rc = opt_int(&a, "--heartbeat", 10, 3600000, &v)) != OPT_NO) {
			if (rc == OPT_BAD)
				return a.status;
			o.heartbeat_ms = (uint32_t)v;
			continue;
		}
		if ((rc = opt_int(&a, "--liveness", 1, 1000, &v)) != OPT_NO) {
			if (rc == OPT_BAD)
				return a.status;
			o.liveness = (uint32_t)v;
			continue;
		}
		if (unknown_option(&a))
			return a.status;
		return usage_error("serve", "unexpected argument '%s'", s);
	}
	if (o.db == NULL)
		return usage_error("serve", "--db FILE is required");
	if (o.require_signed != (o.trust != NULL))
		return usage_error("serve", "--require-signed and --trust DIR go together");
	if (o.cert == NULL)
		return usage_error("serve", "--cert SCHED.curve is required (make one with dis-keygen --curve)");
	if (o.allow == NULL)
		return usage_error("serve", "--allow DIR is required (the *.curve.pub of nodes and clients)");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);  /* no SA_RESTART: the poll returns at once */
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sched_serve(&o, &stop, &err) != AC_OK) {
		fprintf(stderr, "%s: %s\n", PROG, err.msg);
		return 1;
	}
	return SCHED_EXIT_OK;
}

/* ------------------------------------------------------------ submit */

/* What submit was told. */
typedef struct Submit {
	Acheron__SubmitRequest req;
	Acheron__Limits limits;
	char *requires[32];
	const char *name;
	const char *trust;  /* --trust DIR: check the signature here first */
	int wait, json;
} Submit;

static int
opt_seconds(Args *a, const char *name, uint32_t *ms)
{
	const char *v;
	int rc = opt_value(a, name, &v);

	if (rc == OPT_YES && sched_cli_parse_seconds(v, ms) != 0) {
		a->status = usage_error(a->cmd, "%s: '%s' is not a duration in seconds (e.g. 30, 1.5, 10m, 2h)", name, v);
		return OPT_BAD;
	}
	return rc;
}

static int
opt_size(Args *a, const char *name, uint64_t *bytes)
{
	const char *v;
	int rc = opt_value(a, name, &v);

	if (rc == OPT_YES && sched_cli_parse_size(v, bytes) != 0) {
		a->status = usage_error(a->cmd, "%s: '%s' is not a size (e.g. 512m, 2g)", name, v);
		return OPT_BAD;
	}
	return rc;
}

static int
opt_strategy(Args *a, Acheron__Strategy *strategy)
{
	const char *v;
	int rc = opt_value(a, "--strategy", &v), st;

	if (rc != OPT_YES)
		return rc;
	if (sched_cli_parse_strategy(v, &st) != 0) {
		a->status = usage_error(a->cmd, "--strategy: '%s' is not round-robin, least-loaded, random or capability",
					v);
		return OPT_BAD;
	}
	*strategy = (Acheron__Strategy)st;
	return OPT_YES;
}

static int
opt_require(Args *a, Submit *s)
{
	const char *v;
	int rc = opt_value(a, "--require", &v);

	if (rc != OPT_YES)
		return rc;
	if (!proto_name_ok(v, 64)) {
		a->status = usage_error(a->cmd, "--require: '%s' is not a capability (1-64 of [a-z0-9._-])", v);
		return OPT_BAD;
	}
	if (s->req.n_requires == sizeof s->requires / sizeof s->requires[0]) {
		a->status = usage_error(a->cmd, "--require: at most 32 capabilities");
		return OPT_BAD;
	}
	s->requires[s->req.n_requires++] = (char *)v;
	return OPT_YES;
}

/* Options of submit other than the common ones. */
static int
submit_option(Args *a, Submit *s)
{
	int64_t n;
	int rc;

	if ((rc = opt_int(a, "--priority", INT32_MIN, INT32_MAX, &n)) != OPT_NO) {
		s->req.priority = (int32_t)n;
		return rc;
	}
	if ((rc = opt_int(a, "--retries", 0, 100, &n)) != OPT_NO) {
		s->req.retries = (uint32_t)n;
		return rc;
	}
	if ((rc = opt_int(a, "--files", 1, UINT32_MAX, &n)) != OPT_NO) {
		s->limits.max_files = (uint32_t)n;
		return rc;
	}
	if ((rc = opt_strategy(a, &s->req.strategy)) != OPT_NO || (rc = opt_require(a, s)) != OPT_NO ||
	    (rc = opt_seconds(a, "--timeout", &s->limits.timeout_ms)) != OPT_NO ||
	    (rc = opt_seconds(a, "--cpu", &s->limits.cpu_ms)) != OPT_NO ||
	    (rc = opt_size(a, "--memory", &s->limits.memory_bytes)) != OPT_NO ||
	    (rc = opt_value(a, "--name", &s->name)) != OPT_NO || (rc = opt_value(a, "--trust", &s->trust)) != OPT_NO ||
	    (rc = opt_flag(a, "--wait", NULL, &s->wait)) != OPT_NO)
		return rc;
	return opt_flag(a, "--json", NULL, &s->json);
}

/* Reads file into *module and checks it (sched_module_check; signed by a key
 * in trust when trust is not NULL) before anything is sent, so what the
 * scheduler cannot run is never queued. Returns 0, or -1 (message printed). */
static int
check_module(const char *file, const char *trustdir, uint8_t **module, size_t *len)
{
	DisTrust *trust = NULL;
	AcErr err;
	int rc = -1;

	*module = NULL;
	if (trustdir != NULL && (trust = dis_trust_load(trustdir, &err)) == NULL)
		goto done;
	if (ac_file_read(file, module, len, &err) != AC_OK)
		goto done;
	if (*len > PROTO_MAX_MODULE_BYTES) {
		ac_err_set(&err, AC_EINVAL, "%s: %zu bytes, at most %u", file, *len, PROTO_MAX_MODULE_BYTES);
		goto done;
	}
	rc = sched_module_check(*module, *len, file, trust, &err);
done:
	dis_trust_free(trust);
	if (rc != AC_OK) {
		fprintf(stderr, "%s: %s\n", PROG, err.msg);
		free(*module);
		*module = NULL;
		return -1;
	}
	return 0;
}

static int
cmd_submit(int argc, char **argv)
{
	Args a = {argc, argv, 1, argv[0], 0};
	Conn c;
	Submit s;
	Acheron__Msg req = ACHERON__MSG__INIT, *m;
	uint8_t token[16], *module = NULL;
	size_t len = 0;
	const char *file = NULL;
	SchedClient *cl;
	int rc, status;
	uint64_t id;

	memset(&s, 0, sizeof s);
	acheron__submit_request__init(&s.req);
	acheron__limits__init(&s.limits);
	s.req.retries = 3;
	s.req.strategy = ACHERON__STRATEGY__STRATEGY_LEAST_LOADED;
	conn_init(&c);
	for (; a.i < argc; a.i++) {
		if (strcmp(argv[a.i], "--") == 0) {
			a.i++;
			break;
		}
		if ((rc = opt_common(&a, &c)) == OPT_NO)
			rc = submit_option(&a, &s);
		if (rc == OPT_BAD)
			return a.status;
		if (rc == OPT_YES)
			continue;
		if (unknown_option(&a))
			return a.status;
		break;  /* FILE.dis: the rest are its arguments */
	}
	if (a.i >= argc)
		return usage_error("submit", "missing FILE.dis");
	file = argv[a.i++];
	if (argc - a.i > 256)
		return usage_error("submit", "%d arguments, at most 256", argc - a.i);
	for (int k = a.i; k < argc; k++)
		if (strlen(argv[k]) > 4096)
			return usage_error("submit", "argument %d is longer than 4096 bytes", k - a.i + 1);
	if (s.name == NULL) {
		const char *slash = strrchr(file, '/');
		s.name = slash != NULL ? slash + 1 : file;
	}
	if (strlen(s.name) > 255)
		return usage_error("submit", "--name: longer than 255 bytes");
	if (check_module(file, s.trust, &module, &len) != 0)
		return SCHED_EXIT_JOB;
	if ((cl = conn_open(&c, "submit", &status)) == NULL) {
		free(module);
		return status;
	}
	status = SCHED_EXIT_JOB;
	if (getrandom(token, sizeof token, 0) != (ssize_t)sizeof token) {
		fprintf(stderr, "%s: getrandom: %s\n", PROG, strerror(errno));
		goto done;
	}
	s.req.module.data = module;
	s.req.module.len = len;
	s.req.module_name = (char *)s.name;
	s.req.args = argv + a.i;
	s.req.n_args = (size_t)(argc - a.i);
	s.req.requires = s.requires;
	s.req.limits = &s.limits;
	s.req.token.data = token;
	s.req.token.len = sizeof token;
	req.body_case = ACHERON__MSG__BODY_SUBMIT;
	req.submit = &s.req;
	if ((m = sched_cli_call(cl, &req, ACHERON__MSG__BODY_SUBMIT_REPLY, PROG, &status)) == NULL)
		goto done;
	id = m->submit_reply->job_id;
	acheron__msg__free_unpacked(m, NULL);
	if (!s.json || !s.wait) {
		if (s.json) {
			json_t *o = json_object();
			json_object_set_new(o, "job_id", json_integer((json_int_t)id));
			sched_cli_print_json(stdout, o);
		} else {
			printf("%" PRIu64 "\n", id);
		}
		fflush(stdout);
	}
	status = s.wait ? sched_cli_wait(cl, id, s.json, isatty(1) && isatty(2), PROG) : SCHED_EXIT_OK;
done:
	free(module);
	sched_client_close(cl);
	return status;
}

/* ------------------------------------------------------------ status, wait, logs */

static int
job_arg(const char *cmd, const char *s, uint64_t *id)
{
	if (sched_cli_parse_job(s, id) != 0)
		return usage_error(cmd, "'%s' is not a job id", s);
	return -1;
}

static int
cmd_status(int argc, char **argv)
{
	Conn c;
	int json = 0, status;
	Flag flags[] = {{"--json", NULL, &json}, {NULL, NULL, NULL}};
	const char *pos[1] = {NULL};
	uint64_t id = 0;
	Acheron__Msg req = ACHERON__MSG__INIT, *m;
	Acheron__StatusRequest sr = ACHERON__STATUS_REQUEST__INIT;
	SchedClient *cl;

	if ((status = parse_simple(argc, argv, &c, flags, pos, 1, 0, "JOB")) >= 0)
		return status;
	if (pos[0] != NULL && (status = job_arg("status", pos[0], &id)) >= 0)
		return status;
	if ((cl = conn_open(&c, "status", &status)) == NULL)
		return status;
	sr.job_id = id;
	req.body_case = ACHERON__MSG__BODY_STATUS;
	req.status = &sr;
	m = sched_cli_call(cl, &req, ACHERON__MSG__BODY_STATUS_REPLY, PROG, &status);
	if (m != NULL) {
		Acheron__StatusReply *r = m->status_reply;
		status = SCHED_EXIT_OK;
		if (id != 0 && r->n_jobs == 0) {
			fprintf(stderr, "%s: job %" PRIu64 " not found\n", PROG, id);
			status = SCHED_EXIT_JOB;
		} else if (json) {
			json_t *o = json_object(), *a = json_array();
			for (size_t i = 0; i < r->n_jobs; i++)
				json_array_append_new(a, sched_cli_job_json(r->jobs[i]));
			json_object_set_new(o, "jobs", a);
			if (sched_cli_print_json(stdout, o) != 0)
				status = SCHED_EXIT_JOB;
		} else {
			sched_cli_print_jobs(stdout, r->jobs, r->n_jobs);
		}
		acheron__msg__free_unpacked(m, NULL);
	}
	sched_client_close(cl);
	return status;
}

static int
cmd_wait(int argc, char **argv)
{
	Conn c;
	int json = 0, status;
	Flag flags[] = {{"--json", NULL, &json}, {NULL, NULL, NULL}};
	const char *pos[1] = {NULL};
	uint64_t id;
	SchedClient *cl;

	if ((status = parse_simple(argc, argv, &c, flags, pos, 1, 1, "JOB")) >= 0 ||
	    (status = job_arg("wait", pos[0], &id)) >= 0)
		return status;
	if ((cl = conn_open(&c, "wait", &status)) == NULL)
		return status;
	status = sched_cli_wait(cl, id, json, isatty(1) && isatty(2), PROG);
	sched_client_close(cl);
	return status;
}

static int
cmd_logs(int argc, char **argv)
{
	Conn c;
	int follow = 0, status;
	Flag flags[] = {{"--follow", "-f", &follow}, {NULL, NULL, NULL}};
	const char *pos[1] = {NULL};
	uint64_t id;
	SchedClient *cl;

	if ((status = parse_simple(argc, argv, &c, flags, pos, 1, 1, "JOB")) >= 0 ||
	    (status = job_arg("logs", pos[0], &id)) >= 0)
		return status;
	if ((cl = conn_open(&c, "logs", &status)) == NULL)
		return status;
	status = sched_cli_logs(cl, id, follow, PROG);
	sched_client_close(cl);
	return status;
}

/* ------------------------------------------------------------ cancel, nodes, drain */

/* Sends req, which is answered by Reply; the exit status. */
static int
call_reply(const Conn *c, const char *cmd, Acheron__Msg *req)
{
	SchedClient *cl;
	Acheron__Msg *m;
	int status;

	if ((cl = conn_open(c, cmd, &status)) == NULL)
		return status;
	m = sched_cli_call(cl, req, ACHERON__MSG__BODY_REPLY, PROG, &status);
	if (m != NULL) {
		status = SCHED_EXIT_OK;
		acheron__msg__free_unpacked(m, NULL);
	}
	sched_client_close(cl);
	return status;
}

static int
cmd_cancel(int argc, char **argv)
{
	Conn c;
	int status;
	const char *pos[1] = {NULL};
	Acheron__Msg req = ACHERON__MSG__INIT;
	Acheron__CancelRequest cr = ACHERON__CANCEL_REQUEST__INIT;

	if ((status = parse_simple(argc, argv, &c, NULL, pos, 1, 1, "JOB")) >= 0 ||
	    (status = job_arg("cancel", pos[0], &cr.job_id)) >= 0)
		return status;
	req.body_case = ACHERON__MSG__BODY_CANCEL;
	req.cancel = &cr;
	return call_reply(&c, "cancel", &req);
}

static int
cmd_drain(int argc, char **argv)
{
	Conn c;
	int resume = 0, status;
	Flag flags[] = {{"--resume", NULL, &resume}, {NULL, NULL, NULL}};
	const char *pos[1] = {NULL};
	Acheron__Msg req = ACHERON__MSG__INIT;
	Acheron__DrainRequest dr = ACHERON__DRAIN_REQUEST__INIT;

	if ((status = parse_simple(argc, argv, &c, flags, pos, 1, 1, "NODE")) >= 0)
		return status;
	if (!proto_name_ok(pos[0], PROTO_MAX_ID))
		return usage_error("drain", "'%s' is not a node id", pos[0]);
	dr.node_id = (char *)pos[0];
	dr.resume = resume;
	req.body_case = ACHERON__MSG__BODY_DRAIN;
	req.drain = &dr;
	return call_reply(&c, "drain", &req);
}

/* Live nodes (registered and not declared dead) in a NodesReply. */
static size_t
live_nodes(const Acheron__NodesReply *r)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n_nodes; i++)
		k += r->nodes[i]->state != ACHERON__NODE_STATE__NODE_DEAD;
	return k;
}

static int
cmd_nodes(int argc, char **argv)
{
	Args a = {argc, argv, 1, argv[0], 0};
	Conn c;
	int json = 0, status, rc, timeout_given = 0;
	int64_t want = 0, timeout_ms = 30000, deadline;
	Acheron__Msg req = ACHERON__MSG__INIT, *m = NULL;
	Acheron__NodesRequest nr = ACHERON__NODES_REQUEST__INIT;
	SchedClient *cl;
	AcErr err;

	conn_init(&c);
	for (; a.i < argc; a.i++) {
		if ((rc = opt_common(&a, &c)) == OPT_NO && (rc = opt_int(&a, "--wait", 1, 100000, &want)) == OPT_NO &&
		    (rc = opt_int(&a, "--timeout", 1, 86400000, &timeout_ms)) == OPT_YES)
			timeout_given = 1;
		if (rc == OPT_NO)
			rc = opt_flag(&a, "--json", NULL, &json);
		if (rc == OPT_BAD)
			return a.status;
		if (rc == OPT_YES)
			continue;
		if (unknown_option(&a))
			return a.status;
		return usage_error("nodes", "unexpected argument '%s'", argv[a.i]);
	}
	if (timeout_given && want == 0)
		return usage_error("nodes", "--timeout goes with --wait N");
	/* Waiting, one unanswered request must not outlast the wait. */
	if (want > 0 && (int64_t)c.timeout_ms > timeout_ms)
		c.timeout_ms = (uint32_t)timeout_ms;
	if ((cl = conn_open(&c, "nodes", &status)) == NULL)
		return status;
	req.body_case = ACHERON__MSG__BODY_NODES;
	req.nodes = &nr;
	deadline = ac_clock_ms() + timeout_ms;
	/* Bounded by the deadline (each round takes 100 ms or a request timeout);
	 * the count bounds it too, should the clock stall. */
	for (long round = 0; round < 10L * 86400 * 10; round++) {
		m = sched_client_call(cl, &req, &err);
		if (m == NULL && want > 0 && err.code == AC_ETIMEOUT && ac_clock_ms() < deadline)
			continue;  /* a scheduler still starting: ask again */
		if (m == NULL) {
			fprintf(stderr, "%s: %s\n", PROG, err.msg);
			status = err.code == AC_ETIMEOUT ? SCHED_EXIT_UNREACHABLE : SCHED_EXIT_JOB;
			break;
		}
		if (m->body_case != ACHERON__MSG__BODY_NODES_REPLY) {
			const char *e = m->body_case == ACHERON__MSG__BODY_REPLY ? m->reply->error : NULL;
			fprintf(stderr, "%s: %s\n", PROG, e != NULL && e[0] ? e : "unexpected answer to nodes");
			status = SCHED_EXIT_JOB;
			break;
		}
		if ((int64_t)live_nodes(m->nodes_reply) >= want) {
			status = SCHED_EXIT_OK;
			break;
		}
		if (ac_clock_ms() >= deadline) {
			fprintf(stderr, "%s: %zu of %" PRId64 " nodes registered after %" PRId64 " ms\n", PROG,
				live_nodes(m->nodes_reply), want, timeout_ms);
			status = SCHED_EXIT_JOB;
			break;
		}
		acheron__msg__free_unpacked(m, NULL);
		m = NULL;
		usleep(100000);
	}
	if (m != NULL && status == SCHED_EXIT_OK) {
		Acheron__NodesReply *r = m->nodes_reply;
		if (json) {
			json_t *o = json_object(), *arr = json_array();
			for (size_t i = 0; i < r->n_nodes; i++)
				json_array_append_new(arr, sched_cli_node_json(r->nodes[i]));
			json_object_set_new(o, "nodes", arr);
			if (sched_cli_print_json(stdout, o) != 0)
				status = SCHED_EXIT_JOB;
		} else {
			sched_cli_print_nodes(stdout, r->nodes, r->n_nodes);
		}
	}
	if (m != NULL)
		acheron__msg__free_unpacked(m, NULL);
	sched_client_close(cl);
	return status;
}

/* ------------------------------------------------------------ result */

/* Writes the job's files into dir; the exit status. */
static int
write_results(const Acheron__JobInfo *j, const char *dir)
{
	AcErr err;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s: %s\n", PROG, dir, strerror(errno));
		return SCHED_EXIT_JOB;
	}
	for (size_t i = 0; i < j->n_files; i++) {
		const Acheron__ResultFile *f = j->files[i];
		char path[4096];
		/* The name comes from the network: a plain name, never a path. */
		if (!proto_name_ok(f->name, 128) || f->name[0] == '.') {
			fprintf(stderr, "%s: job %" PRIu64 ": skipped a result file with a bad name\n", PROG, j->job_id);
			continue;
		}
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, f->name) >= sizeof path) {
			fprintf(stderr, "%s: %s/%s: path too long\n", PROG, dir, f->name);
			return SCHED_EXIT_JOB;
		}
		if (ac_file_write_atomic(path, f->data.data, f->data.len, &err) != AC_OK) {
			fprintf(stderr, "%s: %s\n", PROG, err.msg);
			return SCHED_EXIT_JOB;
		}
		printf("%s\n", path);
	}
	return SCHED_EXIT_OK;
}

static int
cmd_result(int argc, char **argv)
{
	Args a = {argc, argv, 1, argv[0], 0};
	Conn c;
	const char *dir = ".", *job = NULL;
	uint64_t id;
	int rc, status;
	Acheron__Msg req = ACHERON__MSG__INIT, *m;
	Acheron__StatusRequest sr = ACHERON__STATUS_REQUEST__INIT;
	SchedClient *cl;

	conn_init(&c);
	for (; a.i < argc; a.i++) {
		if ((rc = opt_common(&a, &c)) == OPT_NO)
			rc = opt_value(&a, "-o", &dir);
		if (rc == OPT_BAD)
			return a.status;
		if (rc == OPT_YES)
			continue;
		if (unknown_option(&a))
			return a.status;
		if (job != NULL)
			return usage_error("result", "unexpected argument '%s'", argv[a.i]);
		job = argv[a.i];
	}
	if (job == NULL)
		return usage_error("result", "missing JOB");
	if ((status = job_arg("result", job, &id)) >= 0)
		return status;
	if ((cl = conn_open(&c, "result", &status)) == NULL)
		return status;
	sr.job_id = id;
	sr.with_files = 1;
	req.body_case = ACHERON__MSG__BODY_STATUS;
	req.status = &sr;
	m = sched_cli_call(cl, &req, ACHERON__MSG__BODY_STATUS_REPLY, PROG, &status);
	if (m != NULL) {
		if (m->status_reply->n_jobs != 1) {
			fprintf(stderr, "%s: job %" PRIu64 " not found\n", PROG, id);
			status = SCHED_EXIT_JOB;
		} else if (!sched_cli_job_final(m->status_reply->jobs[0]->state)) {
			fprintf(stderr, "%s: job %" PRIu64 " is %s: its results come when it finishes\n", PROG, id,
				sched_cli_job_state(m->status_reply->jobs[0]->state));
			status = SCHED_EXIT_JOB;
		} else {
			status = write_results(m->status_reply->jobs[0], dir);
		}
		acheron__msg__free_unpacked(m, NULL);
	}
	sched_client_close(cl);
	return status;
}

/* ------------------------------------------------------------ main */

int
main(int argc, char **argv)
{
	const Cmd *c;

	if (argc < 2) {
		usage(stderr);
		return SCHED_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && cmd_find(argv[2]) != NULL)
			cmd_usage(argv[2], stdout);
		else
			usage(stdout);
		return SCHED_EXIT_OK;
	}
	if ((c = cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "%s: unknown command '%s' (see %s --help)\n", PROG, argv[1], PROG);
		return SCHED_EXIT_USAGE;
	}
	/* A scheduler gone away must not kill a client with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return c->run(argc - 1, argv + 1);
}
