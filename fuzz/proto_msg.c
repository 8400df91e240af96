/*
 * fuzz/proto_msg: the cluster's message decoder as proto_recv runs it on a
 * frame: acheron__msg__unpack, then proto_validate. A message that passes
 * must pack again and the packed bytes must unpack and pass again, unless
 * it carries fields the .proto does not name: protobuf-c keeps those as
 * read and accepts a field number 0 written as a two-byte varint (0x82 0x00)
 * that it refuses once packed canonically (0x02); nothing of ours repacks
 * unknown fields.
 */
#include "fuzz/fuzz.h"
#include "proto/proto.h"

/* 1 if m, or a message inside it, holds fields its descriptor does not name. */
static int
has_unknown(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d;

	if (m == NULL)
		return 0;
	if (m->n_unknown_fields != 0)
		return 1;
	d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m;
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		/* Members of a oneof share storage: only the chosen one is there. */
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)(base + f->offset);
			for (size_t k = 0; k < n; k++)
				if (has_unknown(v[k]))
					return 1;
		} else if (has_unknown(*(ProtobufCMessage *const *)(base + f->offset))) {
			return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Acheron__Msg *m, *again;
	AcErr err;
	uint8_t *buf;
	size_t len;

	m = acheron__msg__unpack(NULL, size, data);
	if (m == NULL)
		return 0;
	if (proto_validate(m, &err) != AC_OK) {
		acheron__msg__free_unpacked(m, NULL);
		return 0;
	}
	(void)proto_body_name((int)m->body_case);
	if (has_unknown(&m->base)) {
		acheron__msg__free_unpacked(m, NULL);
		return 0;
	}
	len = acheron__msg__get_packed_size(m);
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		fuzz_fail("out of memory");
	if (acheron__msg__pack(m, buf) != len)
		fuzz_fail("packed size disagrees with get_packed_size");
	again = acheron__msg__unpack(NULL, len, buf);
	if (again == NULL)
		fuzz_fail("a valid message does not unpack after packing");
	if (proto_validate(again, &err) != AC_OK)
		fuzz_fail("a valid message fails validation after packing: %s", err.msg);
	acheron__msg__free_unpacked(again, NULL);
	acheron__msg__free_unpacked(m, NULL);
	free(buf);
	return 0;
}
