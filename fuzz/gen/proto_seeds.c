/*
 * fuzz/gen/proto_seeds: writes a few valid Acheron messages, one packed
 * Msg per file, into the directory argv[1]: the seed corpus of
 * fuzz/proto_msg. Built with the ordinary toolchain; `make fuzz` runs it.
 * usage: proto_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

/* Packs m (version set) into DIR/NAME. Returns 0 or -1. */
static int
put(const char *dir, const char *name, Acheron__Msg *m)
{
	char path[4096];
	uint8_t *buf;
	size_t len;
	FILE *f;
	AcErr err;
	int rc = 0;

	m->version = PROTO_VERSION;
	if (proto_validate(m, &err) != AC_OK) {
		fprintf(stderr, "proto_seeds: %s: %s\n", name, err.msg);
		return -1;
	}
	len = acheron__msg__get_packed_size(m);
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return -1;
	acheron__msg__pack(m, buf);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len)
		rc = -1;
	if (f != NULL && fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "proto_seeds: %s: cannot write\n", path);
	free(buf);
	return rc;
}

int
main(int argc, char **argv)
{
	static uint8_t key[32] = {1, 2, 3}, sha[32] = {0xab}, token[16] = {7}, dis[] = {0x00, 0x0c, 0x03, 0x09};
	static char *caps[] = {"gpu", "avx2"}, *args[] = {"-n", "3", "hello world"};
	const char *dir;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: proto_seeds DIR\n");
		return 2;
	}
	dir = argv[1];

	{
		Acheron__TaskRef held = ACHERON__TASK_REF__INIT, *heldv[] = {&held};
		Acheron__Register r = ACHERON__REGISTER__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		held.job_id = 41;
		held.attempt = 2;
		r.node_id = "node-1";
		r.hostname = "host.example";
		r.capabilities = caps;
		r.n_capabilities = 2;
		r.cores = 16;
		r.memory_bytes = 1ull << 34;
		r.slots = 4;
		r.version = "0.1";
		r.public_key.data = key;
		r.public_key.len = sizeof key;
		r.held = heldv;
		r.n_held = 1;
		m.body_case = ACHERON__MSG__BODY_REGISTER;
		m.register_ = &r;
		rc |= put(dir, "register", &m);
	}
	{
		Acheron__Heartbeat h = ACHERON__HEARTBEAT__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		h.running = 2;
		h.load = 0.75;
		m.body_case = ACHERON__MSG__BODY_HEARTBEAT;
		m.heartbeat = &h;
		rc |= put(dir, "heartbeat", &m);
	}
	{
		Acheron__Limits l = ACHERON__LIMITS__INIT;
		Acheron__TaskAssign a = ACHERON__TASK_ASSIGN__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		l.memory_bytes = 1 << 28;
		l.timeout_ms = 5000;
		a.job_id = 7;
		a.attempt = 1;
		a.module_sha256.data = sha;
		a.module_sha256.len = sizeof sha;
		a.module.data = dis;
		a.module.len = sizeof dis;
		a.module_name = "hello.dis";
		a.args = args;
		a.n_args = 3;
		a.limits = &l;
		a.priority = -3;
		m.body_case = ACHERON__MSG__BODY_TASK_ASSIGN;
		m.task_assign = &a;
		rc |= put(dir, "task_assign", &m);
	}
	{
		Acheron__TaskOutput o = ACHERON__TASK_OUTPUT__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		o.job_id = 7;
		o.attempt = 1;
		o.stream = 1;
		o.offset = 12;
		o.data.data = (uint8_t *)"hello, world\n";
		o.data.len = 13;
		m.body_case = ACHERON__MSG__BODY_TASK_OUTPUT;
		m.task_output = &o;
		rc |= put(dir, "task_output", &m);
	}
	{
		Acheron__ResultFile file = ACHERON__RESULT_FILE__INIT, *files[] = {&file};
		Acheron__TaskResult r = ACHERON__TASK_RESULT__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		file.name = "out.txt";
		file.data.data = (uint8_t *)"42\n";
		file.data.len = 3;
		r.job_id = 7;
		r.attempt = 1;
		r.status = ACHERON__TASK_STATUS__TASK_KILLED;
		r.signal = 9;
		r.error = "killed by signal 9";
		r.files = files;
		r.n_files = 1;
		r.wall_ms = 1200;
		m.body_case = ACHERON__MSG__BODY_TASK_RESULT;
		m.task_result = &r;
		rc |= put(dir, "task_result", &m);
	}
	{
		Acheron__SubmitRequest s = ACHERON__SUBMIT_REQUEST__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		s.module.data = dis;
		s.module.len = sizeof dis;
		s.module_name = "hello.dis";
		s.args = args;
		s.n_args = 2;
		s.strategy = ACHERON__STRATEGY__STRATEGY_CAPABILITY;
		s.requires = caps;
		s.n_requires = 1;
		s.retries = 3;
		s.token.data = token;
		s.token.len = sizeof token;
		m.request_id = 99;
		m.body_case = ACHERON__MSG__BODY_SUBMIT;
		m.submit = &s;
		rc |= put(dir, "submit", &m);
	}
	{
		Acheron__DrainRequest d = ACHERON__DRAIN_REQUEST__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		d.node_id = "node-1";
		m.request_id = 5;
		m.body_case = ACHERON__MSG__BODY_DRAIN;
		m.drain = &d;
		rc |= put(dir, "drain", &m);
	}
	{
		Acheron__Reply r = ACHERON__REPLY__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		r.ok = 0;
		r.error = "no such job";
		r.code = 1;
		m.request_id = 5;
		m.body_case = ACHERON__MSG__BODY_REPLY;
		m.reply = &r;
		rc |= put(dir, "reply", &m);
	}
	{
		Acheron__Limits l = ACHERON__LIMITS__INIT;
		Acheron__ResultFile file = ACHERON__RESULT_FILE__INIT, *files[] = {&file};
		Acheron__JobInfo j = ACHERON__JOB_INFO__INIT, *jobs[] = {&j};
		Acheron__StatusReply s = ACHERON__STATUS_REPLY__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		l.cpu_ms = 1500;
		file.name = "out.txt";
		j.job_id = 7;
		j.state = ACHERON__JOB_STATE__JOB_COMPLETED;
		j.module_name = "hello.dis";
		j.args = args;
		j.n_args = 1;
		j.requires = caps;
		j.n_requires = 2;
		j.node_id = "node-1";
		j.submit_time_ms = 1700000000000ull;
		j.limits = &l;
		j.files = files;
		j.n_files = 1;
		s.jobs = jobs;
		s.n_jobs = 1;
		m.request_id = 6;
		m.body_case = ACHERON__MSG__BODY_STATUS_REPLY;
		m.status_reply = &s;
		rc |= put(dir, "status_reply", &m);
	}
	{
		Acheron__NodeInfo n = ACHERON__NODE_INFO__INIT, *nodes[] = {&n};
		Acheron__NodesReply r = ACHERON__NODES_REPLY__INIT;
		Acheron__Msg m = ACHERON__MSG__INIT;
		n.node_id = "node-1";
		n.capabilities = caps;
		n.n_capabilities = 2;
		n.slots = 4;
		n.load = 1.5;
		n.insecure = 1;
		r.nodes = nodes;
		r.n_nodes = 1;
		m.body_case = ACHERON__MSG__BODY_NODES_REPLY;
		m.nodes_reply = &r;
		rc |= put(dir, "nodes_reply", &m);
	}
	return rc != 0;
}
