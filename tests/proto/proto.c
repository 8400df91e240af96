/*
 * The cluster's transport: certificates round-trip through their files and
 * bad ones are refused naming file and line; a CurveZMQ client whose key is
 * allowed reaches the server and one that is not is refused by ZAP; every
 * message is validated on receipt, and garbage, truncated and multi-frame
 * input is reported, never crashes.
 */
#include "tests/test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "proto/proto.h"

#define DIR_ "build/tests/proto/tmp"

static void
fresh_dir(void)
{
	assert_int_equal(system("rm -rf " DIR_ " && mkdir -p " DIR_ "/allow"), 0);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_cert_roundtrip(void **state)
{
	ProtoCert c, back, pub;
	AcErr err;
	struct stat st;

	fresh_dir();
	assert_int_equal(proto_cert_generate(&c, &err), AC_OK);
	assert_int_equal(proto_cert_save(&c, DIR_ "/a", 0, &err), AC_OK);
	assert_int_equal(stat(DIR_ "/a.curve", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(proto_cert_load(&back, DIR_ "/a.curve", &err), AC_OK);
	assert_true(back.has_secret);
	assert_string_equal(back.public_key, c.public_key);
	assert_string_equal(back.secret_key, c.secret_key);
	assert_int_equal(proto_cert_load(&pub, DIR_ "/a.curve.pub", &err), AC_OK);
	assert_false(pub.has_secret);
	assert_string_equal(pub.public_key, c.public_key);
	/* No silent replacement of a secret. */
	assert_int_equal(proto_cert_save(&c, DIR_ "/a", 0, &err), AC_EINVAL);
	assert_non_null(strstr(err.msg, "exists"));
}

static void
test_cert_bad(void **state)
{
	ProtoCert c, d;
	AcErr err;
	char text[256];

	fresh_dir();
	write_text(DIR_ "/bad.curve", "# comment\npublic-key = \"short\"\n");
	assert_int_equal(proto_cert_load(&c, DIR_ "/bad.curve", &err), AC_EFORMAT);
	assert_non_null(strstr(err.msg, DIR_ "/bad.curve:2:"));
	write_text(DIR_ "/empty.curve", "# nothing\n");
	assert_int_equal(proto_cert_load(&c, DIR_ "/empty.curve", &err), AC_EFORMAT);
	assert_non_null(strstr(err.msg, "no public-key"));
	/* Halves from two different pairs. */
	assert_int_equal(proto_cert_generate(&c, &err), AC_OK);
	assert_int_equal(proto_cert_generate(&d, &err), AC_OK);
	snprintf(text, sizeof text, "public-key = \"%s\"\nsecret-key = \"%s\"\n", c.public_key, d.secret_key);
	write_text(DIR_ "/mixed.curve", text);
	assert_int_equal(proto_cert_load(&c, DIR_ "/mixed.curve", &err), AC_EFORMAT);
	assert_non_null(strstr(err.msg, "do not belong together"));
	assert_int_equal(proto_cert_load(&c, DIR_ "/missing.curve", &err), AC_EIO);
	assert_null(proto_allow_load(DIR_ "/nodir", &err));
	assert_int_equal(err.code, AC_EIO);
}

static Acheron__Msg *
heartbeat(Acheron__Msg *m, Acheron__Heartbeat *hb)
{
	acheron__msg__init(m);
	acheron__heartbeat__init(hb);
	m->body_case = ACHERON__MSG__BODY_HEARTBEAT;
	m->heartbeat = hb;
	return m;
}

/* Polls a socket for up to ms, answering ZAP requests meanwhile. */
static int
recv_within(void *sock, int router, void *zap, const ProtoAllow *allow, ProtoIn *in, AcErr *err, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		zmq_pollitem_t items[] = {{sock, 0, ZMQ_POLLIN, 0}, {zap, 0, ZMQ_POLLIN, 0}};
		zmq_poll(items, 2, 10);
		if (items[1].revents & ZMQ_POLLIN)
			proto_zap_handle(zap, allow);
		if (items[0].revents & ZMQ_POLLIN)
			return proto_recv(sock, router, in, err);
	}
	return AC_ETIMEOUT;
}

static void
test_curve_and_zap(void **state)
{
	void *ctx = zmq_ctx_new(), *zap, *srv, *good, *bad;
	ProtoCert sc, gc, bc;
	ProtoAllow *allow;
	AcErr err;
	char ep[256];
	Acheron__Msg m;
	Acheron__Heartbeat hb;
	ProtoIn in;

	fresh_dir();
	assert_int_equal(proto_cert_generate(&sc, &err), AC_OK);
	assert_int_equal(proto_cert_generate(&gc, &err), AC_OK);
	assert_int_equal(proto_cert_generate(&bc, &err), AC_OK);
	assert_int_equal(proto_cert_save(&gc, DIR_ "/allow/good", 0, &err), AC_OK);
	allow = proto_allow_load(DIR_ "/allow", &err);
	assert_non_null(allow);
	assert_int_equal(proto_allow_count(allow), 1);
	assert_non_null(zap = proto_zap_open(ctx, &err));
	srv = proto_server_socket(ctx, "tcp://127.0.0.1:0", &sc, ep, sizeof ep, &err);
	assert_non_null(srv);
	assert_non_null(strstr(ep, "tcp://127.0.0.1:"));
	good = proto_client_socket(ctx, ep, &gc, sc.public_key, "node-1", &err);
	bad = proto_client_socket(ctx, ep, &bc, sc.public_key, "node-2", &err);
	assert_non_null(good);
	assert_non_null(bad);
	assert_int_equal(proto_send(bad, NULL, 0, heartbeat(&m, &hb), &err), AC_OK);
	assert_int_equal(proto_send(good, NULL, 0, heartbeat(&m, &hb), &err), AC_OK);
	/* Only the allowed client's message arrives, under its routing id. */
	assert_int_equal(recv_within(srv, 1, zap, allow, &in, &err, 3000), AC_OK);
	assert_int_equal(in.idlen, 6);
	assert_memory_equal(in.id, "node-1", 6);
	assert_int_equal(in.msg->body_case, ACHERON__MSG__BODY_HEARTBEAT);
	proto_in_free(&in);
	assert_int_equal(recv_within(srv, 1, zap, allow, &in, &err, 500), AC_ETIMEOUT);
	/* And the answer reaches it. */
	assert_int_equal(proto_send(srv, (const uint8_t *)"node-1", 6, heartbeat(&m, &hb), &err), AC_OK);
	assert_int_equal(recv_within(good, 0, zap, allow, &in, &err, 3000), AC_OK);
	proto_in_free(&in);
	/* A send to a peer that is not connected fails instead of vanishing. */
	assert_int_equal(proto_send(srv, (const uint8_t *)"nobody", 6, heartbeat(&m, &hb), &err), AC_EIO);
	zmq_close(good);
	zmq_close(bad);
	zmq_close(srv);
	zmq_close(zap);
	proto_allow_free(allow);
	zmq_ctx_term(ctx);
}

/* Raw frames from an allowed client: the server reports each and goes on. */
static void
test_garbage(void **state)
{
	void *ctx = zmq_ctx_new(), *zap, *srv, *cli;
	ProtoCert sc, cc;
	ProtoAllow *allow;
	AcErr err;
	char ep[256];
	ProtoIn in;
	Acheron__Msg m;
	Acheron__Heartbeat hb;
	uint8_t good[64], junk[256];
	size_t n;

	fresh_dir();
	proto_cert_generate(&sc, &err);
	proto_cert_generate(&cc, &err);
	proto_cert_save(&cc, DIR_ "/allow/c", 0, &err);
	allow = proto_allow_load(DIR_ "/allow", &err);
	zap = proto_zap_open(ctx, &err);
	srv = proto_server_socket(ctx, "tcp://127.0.0.1:0", &sc, ep, sizeof ep, &err);
	cli = proto_client_socket(ctx, ep, &cc, sc.public_key, NULL, &err);
	assert_non_null(cli);
	heartbeat(&m, &hb);
	m.version = PROTO_VERSION;
	n = acheron__msg__pack(&m, good);
	srand(7);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)rand();
	zmq_send(cli, junk, sizeof junk, 0);                 /* garbage */
	zmq_send(cli, good, n - 1, 0);                       /* truncated */
	zmq_send(cli, good, n, ZMQ_SNDMORE);                 /* two frames */
	zmq_send(cli, good, n, 0);
	zmq_send(cli, "", 0, 0);                             /* empty: version 0 */
	{
		/* Wrong version, and a task result with a bad status. */
		Acheron__Msg r;
		Acheron__TaskResult tr;
		uint8_t buf[64];
		acheron__msg__init(&r);
		acheron__task_result__init(&tr);
		r.body_case = ACHERON__MSG__BODY_TASK_RESULT;
		r.task_result = &tr;
		tr.job_id = 1;
		tr.attempt = 1;
		tr.status = 99;
		r.version = PROTO_VERSION;
		zmq_send(cli, buf, acheron__msg__pack(&r, buf), 0);
		m.version = 9;
		zmq_send(cli, buf, acheron__msg__pack(&m, buf), 0);
	}
	zmq_send(cli, good, n, 0);                           /* and a good one */
	const char *want[] = {"unparsable", "unparsable", "2 frames", "protocol version 0", "task_result.status",
			      "protocol version 9"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int rc = recv_within(srv, 1, zap, allow, &in, &err, 3000);
		if (rc != AC_EPROTO || strstr(err.msg, want[i]) == NULL)
			print_error("message %zu: rc %d \"%s\", want \"%s\"\n", i, rc, err.msg, want[i]);
		assert_int_equal(rc, AC_EPROTO);
		assert_non_null(strstr(err.msg, want[i]));
		assert_null(in.msg);
	}
	assert_int_equal(recv_within(srv, 1, zap, allow, &in, &err, 3000), AC_OK);
	assert_int_equal(in.msg->body_case, ACHERON__MSG__BODY_HEARTBEAT);
	proto_in_free(&in);
	zmq_close(cli);
	zmq_close(srv);
	zmq_close(zap);
	proto_allow_free(allow);
	zmq_ctx_term(ctx);
}

static void
test_validate(void **state)
{
	Acheron__Msg m;
	Acheron__Register r;
	Acheron__SubmitRequest s;
	AcErr err;
	char *caps[] = {"gpu", "bad cap"};
	uint8_t tok[16] = {0};

	acheron__msg__init(&m);
	m.version = PROTO_VERSION;
	acheron__register__init(&r);
	m.body_case = ACHERON__MSG__BODY_REGISTER;
	m.register_ = &r;
	r.node_id = "n1";
	r.slots = 2;
	assert_int_equal(proto_validate(&m, &err), AC_OK);
	r.node_id = "../etc";
	assert_int_equal(proto_validate(&m, &err), AC_EPROTO);
	assert_non_null(strstr(err.msg, "register.node_id"));
	r.node_id = "n1";
	r.capabilities = caps;
	r.n_capabilities = 2;
	assert_int_equal(proto_validate(&m, &err), AC_EPROTO);
	assert_non_null(strstr(err.msg, "register.capabilities[1]"));
	r.n_capabilities = 1;
	r.slots = 0;
	assert_int_equal(proto_validate(&m, &err), AC_EPROTO);
	assert_non_null(strstr(err.msg, "register.slots"));

	acheron__submit_request__init(&s);
	m.body_case = ACHERON__MSG__BODY_SUBMIT;
	m.submit = &s;
	assert_int_equal(proto_validate(&m, &err), AC_EPROTO);
	assert_non_null(strstr(err.msg, "submit.module"));
	s.module.data = tok;
	s.module.len = 16;
	assert_int_equal(proto_validate(&m, &err), AC_EPROTO);
	assert_non_null(strstr(err.msg, "submit.token"));
	s.token.data = tok;
	s.token.len = 16;
	assert_int_equal(proto_validate(&m, &err), AC_OK);
	s.strategy = 17;
	assert_int_equal(proto_validate(&m, &err), AC_EPROTO);
	assert_non_null(strstr(err.msg, "submit.strategy"));
	/* err is nullable, for a bad message too. */
	assert_int_equal(proto_validate(&m, NULL), AC_EPROTO);
	assert_string_equal(proto_body_name(ACHERON__MSG__BODY_TASK_RESULT), "task_result");
}

static void
test_id_str(void **state)
{
	char out[2 * PROTO_MAX_ID + 1];
	uint8_t bin[5] = {0, 0x6b, 0x8b, 0x45, 0x67};

	proto_id_str((const uint8_t *)"node-7", 6, out);
	assert_string_equal(out, "node-7");
	proto_id_str(bin, 5, out);
	assert_string_equal(out, "006b8b4567");
	assert_true(proto_name_ok("a.b_c-9", 64));
	assert_false(proto_name_ok("", 64));
	assert_false(proto_name_ok("a/b", 64));
}

TEST_MAIN("proto", cmocka_unit_test(test_cert_roundtrip), cmocka_unit_test(test_cert_bad),
	  cmocka_unit_test(test_curve_and_zap), cmocka_unit_test(test_garbage), cmocka_unit_test(test_validate),
	  cmocka_unit_test(test_id_str))
