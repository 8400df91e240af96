/* One-frame messages: packing, receiving, and validating what was received. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto/proto.h"

int
proto_name_ok(const char *s, size_t max)
{
	size_t n = s == NULL ? 0 : strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

void
proto_id_str(const uint8_t *id, size_t idlen, char *out)
{
	char tmp[PROTO_MAX_ID + 1];

	if (idlen > PROTO_MAX_ID)
		idlen = PROTO_MAX_ID;
	memcpy(tmp, id, idlen);
	tmp[idlen] = 0;
	if (idlen > 0 && strlen(tmp) == idlen && proto_name_ok(tmp, PROTO_MAX_ID)) {
		memcpy(out, tmp, idlen + 1);
		return;
	}
	for (size_t i = 0; i < idlen; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	out[2 * idlen] = 0;
}

const char *
proto_body_name(int body_case)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(&acheron__msg__descriptor, (unsigned)body_case);

	return body_case != 0 && f != NULL ? f->name : "(none)";
}

int
proto_send(void *sock, const uint8_t *id, size_t idlen, Acheron__Msg *m, AcErr *err)
{
	size_t n;
	uint8_t stackbuf[4096], *buf = stackbuf;
	int rc = AC_OK;

	m->version = PROTO_VERSION;
	n = acheron__msg__get_packed_size(m);
	if (n > sizeof stackbuf && (buf = ac_malloc(n, "message", err)) == NULL)
		return err->code;
	acheron__msg__pack(m, buf);
	if ((id != NULL && zmq_send(sock, id, idlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) ||
	    zmq_send(sock, buf, n, ZMQ_DONTWAIT) < 0)
		rc = ac_err_set(err, AC_EIO, "send %s: %s", proto_body_name(m->body_case), zmq_strerror(errno));
	if (buf != stackbuf)
		free(buf);
	return rc;
}

void
proto_in_free(ProtoIn *in)
{
	if (in->msg != NULL)
		acheron__msg__free_unpacked(in->msg, NULL);
	in->msg = NULL;
}

int
proto_recv(void *sock, int router, ProtoIn *in, AcErr *err)
{
	zmq_msg_t part[3];
	int n = 0, more = 1, rc = AC_OK;
	size_t total = 0;

	memset(in, 0, sizeof *in);
	while (more) {
		zmq_msg_t p;
		zmq_msg_init(&p);
		if (zmq_msg_recv(&p, sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&p);
			if (n == 0)
				return ac_err_set(err, AC_ETIMEOUT, "no message");
			break;
		}
		more = zmq_msg_more(&p);
		total++;
		if (n < 3)
			part[n++] = p;
		else
			zmq_msg_close(&p);
	}
	if (router) {
		size_t len = zmq_msg_size(&part[0]);
		in->idlen = len > PROTO_MAX_ID ? PROTO_MAX_ID : len;
		memcpy(in->id, zmq_msg_data(&part[0]), in->idlen);
	}
	if (total != (size_t)(router ? 2 : 1)) {
		rc = ac_err_set(err, AC_EPROTO, "%zu frames, expected %d", router ? total - 1 : total, 1);
	} else {
		zmq_msg_t *body = &part[router ? 1 : 0];
		in->msg = acheron__msg__unpack(NULL, zmq_msg_size(body), zmq_msg_data(body));
		if (in->msg == NULL)
			rc = ac_err_set(err, AC_EPROTO, "unparsable message (%zu bytes)", zmq_msg_size(body));
		else if ((rc = proto_validate(in->msg, err)) != AC_OK)
			proto_in_free(in);
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
	return rc;
}

/* ---------------------------------------------------------- validation */

#define BAD(...) return ac_err_set(err, AC_EPROTO, __VA_ARGS__)

static int
check_names(char **v, size_t n, size_t maxn, const char *what, AcErr *err)
{
	if (n > maxn)
		BAD("%s: %zu entries, at most %zu", what, n, maxn);
	for (size_t i = 0; i < n; i++)
		if (!proto_name_ok(v[i], 64))
			BAD("%s[%zu]: not a name of 1-64 [A-Za-z0-9._-]", what, i);
	return AC_OK;
}

static int
check_args(char **v, size_t n, AcErr *err)
{
	if (n > 256)
		BAD("args: %zu, at most 256", n);
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) > 4096)
			BAD("args[%zu]: longer than 4096 bytes", i);
	return AC_OK;
}

static int
check_text(const char *s, size_t max, const char *what, AcErr *err)
{
	if (s != NULL && strlen(s) > max)
		BAD("%s: longer than %zu bytes", what, max);
	return AC_OK;
}

static int
check_limits(const Acheron__Limits *l, AcErr *err)
{
	(void)l;  /* every value of every field is meaningful */
	(void)err;
	return AC_OK;
}

static int
check_job(uint64_t job_id, const char *what, AcErr *err)
{
	if (job_id == 0)
		BAD("%s.job_id: 0", what);
	return AC_OK;
}

static int
check_task(uint64_t job_id, uint32_t attempt, const char *what, AcErr *err)
{
	if (job_id == 0 || attempt == 0)
		BAD("%s: job_id and attempt must be non-zero", what);
	return AC_OK;
}

static int
validate_body(const Acheron__Msg *m, AcErr *err)
{
	switch (m->body_case) {
	case ACHERON__MSG__BODY_REGISTER: {
		const Acheron__Register *r = m->register_;
		if (!proto_name_ok(r->node_id, PROTO_MAX_ID))
			BAD("register.node_id: not a name of 1-64 [A-Za-z0-9._-]");
		if (r->slots == 0 || r->slots > 4096)
			BAD("register.slots: %u, expected 1-4096", r->slots);
		if (r->public_key.len != 0 && r->public_key.len != 32)
			BAD("register.public_key: %zu bytes, expected 32", r->public_key.len);
		for (size_t i = 0; i < r->n_held; i++)
			if (check_task(r->held[i]->job_id, r->held[i]->attempt, "register.held", err) != AC_OK)
				return err->code;
		if (r->n_held > 65536)
			BAD("register.held: %zu entries", r->n_held);
		if (check_text(r->hostname, 255, "register.hostname", err) != AC_OK ||
		    check_text(r->version, 64, "register.version", err) != AC_OK)
			return err->code;
		return check_names(r->capabilities, r->n_capabilities, 32, "register.capabilities", err);
	}
	case ACHERON__MSG__BODY_REGISTERED:
		if (m->registered->heartbeat_ms == 0 || m->registered->liveness == 0)
			BAD("registered: heartbeat_ms and liveness must be non-zero");
		return AC_OK;
	case ACHERON__MSG__BODY_HEARTBEAT:
		return AC_OK;
	case ACHERON__MSG__BODY_DISCONNECT:
		return check_text(m->disconnect->reason, 1024, "disconnect.reason", err);
	case ACHERON__MSG__BODY_TASK_ASSIGN: {
		const Acheron__TaskAssign *a = m->task_assign;
		if (check_task(a->job_id, a->attempt, "task_assign", err) != AC_OK)
			return err->code;
		if (a->module_sha256.len != 32)
			BAD("task_assign.module_sha256: %zu bytes, expected 32", a->module_sha256.len);
		if (a->module.len > PROTO_MAX_MODULE_BYTES)
			BAD("task_assign.module: %zu bytes, at most %u", a->module.len, PROTO_MAX_MODULE_BYTES);
		if (check_text(a->module_name, 255, "task_assign.module_name", err) != AC_OK)
			return err->code;
		if (a->limits != NULL && check_limits(a->limits, err) != AC_OK)
			return err->code;
		return check_args(a->args, a->n_args, err);
	}
	case ACHERON__MSG__BODY_TASK_STARTED:
		return check_task(m->task_started->job_id, m->task_started->attempt, "task_started", err);
	case ACHERON__MSG__BODY_TASK_OUTPUT: {
		const Acheron__TaskOutput *o = m->task_output;
		if (check_task(o->job_id, o->attempt, "task_output", err) != AC_OK)
			return err->code;
		if (o->stream != 1 && o->stream != 2)
			BAD("task_output.stream: %u, expected 1 or 2", o->stream);
		if (o->data.len > PROTO_MAX_OUTPUT_CHUNK)
			BAD("task_output.data: %zu bytes, at most %u", o->data.len, PROTO_MAX_OUTPUT_CHUNK);
		return AC_OK;
	}
	case ACHERON__MSG__BODY_TASK_RESULT: {
		const Acheron__TaskResult *r = m->task_result;
		size_t total = 0;
		if (check_task(r->job_id, r->attempt, "task_result", err) != AC_OK)
			return err->code;
		if (r->status < ACHERON__TASK_STATUS__TASK_EXITED || r->status > ACHERON__TASK_STATUS__TASK_MODULE_MISSING)
			BAD("task_result.status: %d is not a status", (int)r->status);
		if (r->n_files > 1024)
			BAD("task_result.files: %zu, at most 1024", r->n_files);
		for (size_t i = 0; i < r->n_files; i++) {
			if (!proto_name_ok(r->files[i]->name, 128) || r->files[i]->name[0] == '.')
				BAD("task_result.files[%zu].name: not a plain file name", i);
			total += r->files[i]->data.len;
		}
		if (total > PROTO_MAX_MODULE_BYTES)
			BAD("task_result.files: %zu bytes in all, at most %u", total, PROTO_MAX_MODULE_BYTES);
		return check_text(r->error, 1024, "task_result.error", err);
	}
	case ACHERON__MSG__BODY_RESULT_ACK:
		return check_task(m->result_ack->job_id, m->result_ack->attempt, "result_ack", err);
	case ACHERON__MSG__BODY_TASK_CANCEL:
		return check_task(m->task_cancel->job_id, m->task_cancel->attempt, "task_cancel", err);
	case ACHERON__MSG__BODY_SUBMIT: {
		const Acheron__SubmitRequest *s = m->submit;
		if (s->module.len == 0 || s->module.len > PROTO_MAX_MODULE_BYTES)
			BAD("submit.module: %zu bytes, expected 1-%u", s->module.len, PROTO_MAX_MODULE_BYTES);
		if (s->token.len != 16)
			BAD("submit.token: %zu bytes, expected 16", s->token.len);
		if (s->strategy < 0 || s->strategy > ACHERON__STRATEGY__STRATEGY_CAPABILITY)
			BAD("submit.strategy: %d is not a strategy", (int)s->strategy);
		if (s->retries > 100)
			BAD("submit.retries: %u, at most 100", s->retries);
		if (check_text(s->module_name, 255, "submit.module_name", err) != AC_OK ||
		    check_args(s->args, s->n_args, err) != AC_OK)
			return err->code;
		if (s->limits != NULL && check_limits(s->limits, err) != AC_OK)
			return err->code;
		return check_names(s->requires, s->n_requires, 32, "submit.requires", err);
	}
	case ACHERON__MSG__BODY_SUBMIT_REPLY:
		return check_job(m->submit_reply->job_id, "submit_reply", err);
	case ACHERON__MSG__BODY_STATUS:
	case ACHERON__MSG__BODY_STATUS_REPLY:
	case ACHERON__MSG__BODY_NODES:
	case ACHERON__MSG__BODY_NODES_REPLY:
	case ACHERON__MSG__BODY_REPLY:
		return AC_OK;
	case ACHERON__MSG__BODY_WAIT:
		return check_job(m->wait->job_id, "wait", err);
	case ACHERON__MSG__BODY_LOGS:
		return check_job(m->logs->job_id, "logs", err);
	case ACHERON__MSG__BODY_LOG_CHUNK:
		return check_job(m->log_chunk->job_id, "log_chunk", err);
	case ACHERON__MSG__BODY_CANCEL:
		return check_job(m->cancel->job_id, "cancel", err);
	case ACHERON__MSG__BODY_DRAIN:
		if (!proto_name_ok(m->drain->node_id, PROTO_MAX_ID))
			BAD("drain.node_id: not a node id");
		return AC_OK;
	default:
		BAD("message has no body");
	}
}

int
proto_validate(const Acheron__Msg *m, AcErr *err)
{
	AcErr local;

	/* err is nullable, but the message is read back below. */
	if (err == NULL)
		err = &local;
	if (m->version != PROTO_VERSION)
		BAD("protocol version %u, expected %d", m->version, PROTO_VERSION);
	if (validate_body(m, err) != AC_OK) {
		/* Lead with the message so the log line says what was refused. */
		char msg[AC_ERR_MSG_BYTES];
		snprintf(msg, sizeof msg, "%s", err->msg);
		if (strncmp(msg, proto_body_name(m->body_case), strlen(proto_body_name(m->body_case))) != 0)
			return ac_err_set(err, AC_EPROTO, "%s: %s", proto_body_name(m->body_case), msg);
		return err->code;
	}
	return AC_OK;
}
