/*
 * Data instructions: moves (movb movw movf movl movp movm movmp lea),
 * arrays (newa newaz indb indw indf indl indx lena slicea slicela, bounds
 * and negative sizes), lists (cons* head* tail lenl, nil heads), heap
 * objects (new newz mnewz tcmp) and reference counts kept right through
 * them. Semantics: Dis spec and Inferno libinterp/xec.c.
 *
 * Types: $5 byte, $6 word, $7 8 bytes (real or big), $8 a 12-byte struct,
 * $9 a pointer, $10 (pointer, word), $11 the same shape as $10.
 */
#include "tests/vm/xec.h"

#define TYPES \
	"\tdesc $5,1,\"\"\n\tdesc $6,4,\"\"\n\tdesc $7,8,\"\"\n\tdesc $8,12,\"\"\n" \
	"\tdesc $9,4,\"80\"\n\tdesc $10,8,\"80\"\n\tdesc $11,8,\"80\"\n"

static void
test_moves(void **state)
{
	XEC(.body =
	    "\tmovb 128(mp),104(fp)\n" PB("104(fp)")
	    "\tmovw 132(mp),108(fp)\n" PW("108(fp)")
	    "\tmovl 136(mp),112(fp)\n" PL("112(fp)")
	    "\tmovf 144(mp),120(fp)\n" PF("120(fp)")
	    /* movm: m bytes */
	    "\tmovm 152(mp),$12,208(fp)\n" PW("208(fp)") PW("212(fp)") PW("216(fp)")
	    /* movp keeps the string alive after the first holder lets go */
	    "\tmovp 24(mp),40(fp)\n"
	    "\tmovp 40(fp),44(fp)\n"
	    "\tmovp 124(mp),40(fp)\n" PS("44(fp)")
	    "\tmovp 44(fp),44(fp)\n" PS("44(fp)")
	    /* lea into a word, then through it */
	    "\tlea 112(fp),224(fp)\n"
	    "\tmovl 136(mp),0(224(fp))\n"
	    "\taddl 0(224(fp)),112(fp)\n" PL("112(fp)"),
	    .data =
	    "\tbyte @mp+128,231\n"
	    "\tword @mp+132,-123456789\n"
	    "\tlong @mp+136,-1234567890123\n"
	    "\treal @mp+144,-1.25e-7\n"
	    "\tword @mp+152,1,2,3\n"
	    "\tstring @mp+24,\"kept\"\n",
	    .out = "231\n-123456789\n-1234567890123\n-1.25e-07\n1\n2\n3\nkept\nkept\n-2469135780246\n");
}

/* movmp copies a struct by its type: the copy holds its own references,
 * and a copy onto itself changes nothing. */
static void
test_movmp(void **state)
{
	XEC(.body =
	    "\tnew $10,40(fp)\n"
	    "\tmovp 24(mp),0(40(fp))\n"
	    "\tmovw $9,4(40(fp))\n"
	    "\tnew $10,44(fp)\n"
	    "\tmovp 28(mp),0(44(fp))\n"
	    "\tmovmp 0(40(fp)),$10,0(44(fp))\n"
	    "\tmovp 124(mp),40(fp)\n"
	    PS("0(44(fp))") PW("4(44(fp))") PS("24(mp)") PS("28(mp)")
	    /* onto itself: the struct is unchanged */
	    "\tmovmp 0(44(fp)),$10,0(44(fp))\n"
	    PS("0(44(fp))") PW("4(44(fp))"),
	    .data = TYPES "\tstring @mp+24,\"first\"\n\tstring @mp+28,\"second\"\n",
	    .out = "first\n9\nfirst\nsecond\nfirst\n9\n");
}

/* newa, indw, lena; newaz zeroes; a pointer array starts nil. */
static void
test_arrays(void **state)
{
	XEC(.body =
	    "\tnewa $5,$6,40(fp)\n"
	    "\tlena 40(fp),104(fp)\n" PW("104(fp)")
	    "\tmovw $0,108(fp)\n"
	    "fill:\tindw 40(fp),200(fp),108(fp)\n"
	    "\tmulw 108(fp),108(fp),0(200(fp))\n"
	    "\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$5,fill\n"
	    "\tmovw $0,108(fp)\n"
	    "show:\tindw 40(fp),200(fp),108(fp)\n" PW("0(200(fp))")
	    "\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$5,show\n"
	    "\tnewaz $3,$6,44(fp)\n"
	    "\tindw 44(fp),200(fp),$2\n" PW("0(200(fp))")
	    "\tlena 124(mp),104(fp)\n" PW("104(fp)")
	    "\tnewa $0,$6,48(fp)\n"
	    "\tlena 48(fp),104(fp)\n" PW("104(fp)")
	    /* bytes, reals, bigs, structs */
	    "\tnewaz $4,$5,52(fp)\n"
	    "\tindb 52(fp),200(fp),$3\n"
	    "\tmovb $250,0(200(fp))\n"
	    "\taddb $10,0(200(fp))\n"
	    "\tindb 52(fp),204(fp),$3\n" PB("0(204(fp))")
	    "\tindb 52(fp),204(fp),$2\n" PB("0(204(fp))")
	    "\tnewaz $2,$7,56(fp)\n"
	    "\tindf 56(fp),200(fp),$1\n"
	    "\tmovf 128(mp),0(200(fp))\n"
	    "\tindf 56(fp),204(fp),$1\n" PF("0(204(fp))")
	    "\tnewaz $3,$7,60(fp)\n"
	    "\tindl 60(fp),200(fp),$2\n"
	    "\tmovl 136(mp),0(200(fp))\n"
	    "\tindl 60(fp),204(fp),$2\n" PL("0(204(fp))")
	    "\tindl 60(fp),204(fp),$1\n" PL("0(204(fp))")
	    "\tnewaz $3,$8,64(fp)\n"
	    "\tindx 64(fp),200(fp),$1\n"
	    "\tmovw $7,0(200(fp))\n"
	    "\tmovw $8,4(200(fp))\n"
	    "\tmovw $9,8(200(fp))\n"
	    "\tindx 64(fp),204(fp),$2\n"
	    "\tmovw $-1,0(204(fp))\n"
	    "\tindx 64(fp),204(fp),$1\n" PW("0(204(fp))") PW("4(204(fp))") PW("8(204(fp))")
	    "\tlena 64(fp),104(fp)\n" PW("104(fp)")
	    /* array of strings */
	    "\tnewa $2,$9,68(fp)\n"
	    "\tindw 68(fp),200(fp),$1\n"
	    "\tmovp 24(mp),0(200(fp))\n"
	    "\tindw 68(fp),200(fp),$0\n"
	    "\tmovw $1,104(fp)\n"
	    "\tbeqw 0(200(fp)),124(mp),isnil\n"
	    "\tmovw $0,104(fp)\n"
	    "isnil:" PW("104(fp)")
	    "\tindw 68(fp),200(fp),$1\n" PS("0(200(fp))"),
	    .data = TYPES "\treal @mp+128,0.75\n\tlong @mp+136,-4294967296\n\tstring @mp+24,\"elem\"\n",
	    .out = "5\n0\n1\n4\n9\n16\n0\n0\n0\n4\n0\n.75\n-4294967296\n0\n7\n8\n9\n3\n1\nelem\n");
}

static void
test_array_errors(void **state)
{
	XEC(.body = "\tnewa $3,$6,40(fp)\nbad:\tindw 40(fp),200(fp),$3\n", .data = TYPES,
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $3,$6,40(fp)\n\tmovw $-1,104(fp)\nbad:\tindw 40(fp),200(fp),104(fp)\n",
	    .data = TYPES, .exc = "array bounds error", .at = "bad");
	XEC(.body = "bad:\tindb 40(fp),200(fp),$0\n", .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $2,$8,40(fp)\nbad:\tindx 40(fp),200(fp),$2\n", .data = TYPES,
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $2,$7,40(fp)\nbad:\tindf 40(fp),200(fp),$2\n", .data = TYPES,
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $2,$7,40(fp)\nbad:\tindl 40(fp),200(fp),$-2\n", .data = TYPES,
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tmovw $-1,104(fp)\nbad:\tnewa 104(fp),$6,40(fp)\n", .data = TYPES,
	    .exc = "negative array size", .at = "bad");
	XEC(.body = "bad:\tnewaz $-5,$6,40(fp)\n", .data = TYPES,
	    .exc = "negative array size", .at = "bad");
}

/* slicea d = d[s:m] shares the elements; a slice of a slice too. */
static void
test_slicea(void **state)
{
	XEC(.body =
	    "\tnewa $5,$6,40(fp)\n"
	    "\tmovw $0,108(fp)\n"
	    "fill:\tindw 40(fp),200(fp),108(fp)\n"
	    "\tmulw $10,108(fp),0(200(fp))\n"
	    "\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$5,fill\n"
	    "\tmovp 40(fp),44(fp)\n"
	    "\tslicea $1,$4,44(fp)\n"
	    "\tlena 44(fp),104(fp)\n" PW("104(fp)")
	    "\tindw 44(fp),200(fp),$0\n" PW("0(200(fp))")
	    "\tmovw $100,0(200(fp))\n"
	    "\tindw 40(fp),200(fp),$1\n" PW("0(200(fp))")
	    "\tmovp 44(fp),48(fp)\n"
	    "\tslicea $1,$3,48(fp)\n"
	    "\tmovp 124(mp),40(fp)\n"
	    "\tmovp 124(mp),44(fp)\n"
	    "\tlena 48(fp),104(fp)\n" PW("104(fp)")
	    "\tindw 48(fp),200(fp),$1\n" PW("0(200(fp))")
	    "\tslicea $2,$2,48(fp)\n"
	    "\tlena 48(fp),104(fp)\n" PW("104(fp)")
	    "\tslicea $0,$0,52(fp)\n"
	    "\tlena 52(fp),104(fp)\n" PW("104(fp)"),
	    .data = TYPES,
	    .out = "3\n10\n100\n2\n30\n0\n0\n");
}

static void
test_slicea_errors(void **state)
{
	XEC(.body = "\tnewa $5,$6,40(fp)\nbad:\tslicea $2,$1,40(fp)\n", .data = TYPES,
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $5,$6,40(fp)\nbad:\tslicea $0,$6,40(fp)\n", .data = TYPES,
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $5,$6,40(fp)\nbad:\tslicea $-1,$1,40(fp)\n", .data = TYPES,
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "bad:\tslicea $0,$1,40(fp)\n", .exc = "dereference of nil", .at = "bad");
}

/* slicela d[m:] = s: words, and strings whose references the copy takes. */
static void
test_slicela(void **state)
{
	XEC(.body =
	    "\tnewaz $5,$6,40(fp)\n"
	    "\tnewa $2,$6,44(fp)\n"
	    "\tindw 44(fp),200(fp),$0\n\tmovw $1,0(200(fp))\n"
	    "\tindw 44(fp),200(fp),$1\n\tmovw $2,0(200(fp))\n"
	    "\tslicela 44(fp),$2,40(fp)\n"
	    "\tmovw $0,108(fp)\n"
	    "show:\tindw 40(fp),200(fp),108(fp)\n" PW("0(200(fp))")
	    "\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$5,show\n"
	    "\tslicela 124(mp),$5,40(fp)\n"
	    /* strings */
	    "\tnewa $3,$9,48(fp)\n"
	    "\tnewa $2,$9,52(fp)\n"
	    "\tindw 52(fp),200(fp),$0\n\tmovp 24(mp),0(200(fp))\n"
	    "\tindw 52(fp),200(fp),$1\n\tmovp 28(mp),0(200(fp))\n"
	    "\tslicela 52(fp),$1,48(fp)\n"
	    "\tindw 52(fp),200(fp),$0\n\tmovp 124(mp),0(200(fp))\n"
	    "\tmovp 124(mp),52(fp)\n"
	    "\tindw 48(fp),200(fp),$1\n" PS("0(200(fp))")
	    "\tindw 48(fp),200(fp),$2\n" PS("0(200(fp))")
	    /* overlapping: the array into itself */
	    "\tmovp 48(fp),56(fp)\n"
	    "\tslicea $1,$3,56(fp)\n"
	    "\tslicela 56(fp),$0,48(fp)\n"
	    "\tindw 48(fp),200(fp),$0\n" PS("0(200(fp))")
	    "\tindw 48(fp),200(fp),$1\n" PS("0(200(fp))")
	    "\tindw 48(fp),200(fp),$2\n" PS("0(200(fp))"),
	    .data = TYPES "\tstring @mp+24,\"x\"\n\tstring @mp+28,\"y\"\n",
	    .out = "0\n0\n1\n2\n0\nx\ny\nx\ny\ny\n");
}

static void
test_slicela_errors(void **state)
{
	XEC(.body = "\tnewa $5,$6,40(fp)\n\tnewa $2,$6,44(fp)\nbad:\tslicela 44(fp),$4,40(fp)\n",
	    .data = TYPES, .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $5,$6,40(fp)\n\tnewa $2,$6,44(fp)\nbad:\tslicela 44(fp),$-1,40(fp)\n",
	    .data = TYPES, .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tnewa $2,$6,44(fp)\nbad:\tslicela 44(fp),$0,40(fp)\n",
	    .data = TYPES, .exc = "dereference of nil", .at = "bad");
}

/* cons* puts a new head on d; head*, tail, lenl. */
static void
test_lists(void **state)
{
	XEC(.body =
	    "\tconsw $1,40(fp)\n\tconsw $2,40(fp)\n\tconsw $3,40(fp)\n"
	    "\tlenl 40(fp),104(fp)\n" PW("104(fp)")
	    "\theadw 40(fp),104(fp)\n" PW("104(fp)")
	    "\tmovp 40(fp),44(fp)\n"
	    "\ttail 44(fp),44(fp)\n"
	    "\theadw 44(fp),104(fp)\n" PW("104(fp)")
	    "\tlenl 44(fp),104(fp)\n" PW("104(fp)")
	    "\tlenl 40(fp),104(fp)\n" PW("104(fp)")
	    "\ttail 44(fp),44(fp)\n\ttail 44(fp),44(fp)\n"
	    "\tlenl 44(fp),104(fp)\n" PW("104(fp)")
	    "\tlenl 124(mp),104(fp)\n" PW("104(fp)")
	    "\tconsb 128(mp),48(fp)\n\theadb 48(fp),104(fp)\n" PB("104(fp)")
	    "\tconsl 136(mp),48(fp)\n\theadl 48(fp),112(fp)\n" PL("112(fp)")
	    "\tconsf 144(mp),48(fp)\n\theadf 48(fp),120(fp)\n" PF("120(fp)")
	    "\tlenl 48(fp),104(fp)\n" PW("104(fp)")
	    "\tconsp 24(mp),52(fp)\n\tconsp 28(mp),52(fp)\n"
	    "\theadp 52(fp),56(fp)\n" PS("56(fp)")
	    "\ttail 52(fp),52(fp)\n"
	    "\theadp 52(fp),56(fp)\n" PS("56(fp)")
	    "\tconsm 152(mp),$12,60(fp)\n"
	    "\theadm 60(fp),$12,208(fp)\n" PW("208(fp)") PW("212(fp)") PW("216(fp)"),
	    .data =
	    "\tbyte @mp+128,222\n"
	    "\tlong @mp+136,-1099511627776\n"
	    "\treal @mp+144,0.125\n"
	    "\tword @mp+152,4,5,6\n"
	    "\tstring @mp+24,\"s1\"\n"
	    "\tstring @mp+28,\"s2\"\n",
	    .out = "3\n3\n2\n2\n3\n0\n0\n222\n-1099511627776\n.125\n3\ns2\ns1\n4\n5\n6\n");
}

/* consmp/headmp copy a struct with its references. */
static void
test_list_structs(void **state)
{
	XEC(.body =
	    "\tnew $10,40(fp)\n"
	    "\tmovp 24(mp),0(40(fp))\n"
	    "\tmovw $5,4(40(fp))\n"
	    "\tconsmp 0(40(fp)),$10,44(fp)\n"
	    "\tmovp 124(mp),40(fp)\n"
	    "\tnew $10,48(fp)\n"
	    "\tmovp 28(mp),0(48(fp))\n"
	    "\theadmp 44(fp),$10,0(48(fp))\n"
	    "\tmovp 124(mp),44(fp)\n"
	    PS("0(48(fp))") PW("4(48(fp))"),
	    .data = TYPES "\tstring @mp+24,\"in list\"\n\tstring @mp+28,\"old\"\n",
	    .out = "in list\n5\n");
}

static void
test_list_errors(void **state)
{
	XEC(.body = "bad:\theadw 40(fp),104(fp)\n", .exc = "dereference of nil", .at = "bad");
	XEC(.body = "bad:\theadp 40(fp),44(fp)\n", .exc = "dereference of nil", .at = "bad");
	XEC(.body = "\tconsw $1,40(fp)\n\ttail 40(fp),40(fp)\nbad:\ttail 40(fp),40(fp)\n",
	    .exc = "dereference of nil", .at = "bad");
	XEC(.body = "bad:\theadmp 40(fp),$10,0(44(fp))\n", .data = TYPES,
	    .exc = "dereference of nil", .at = "bad");
}

/* new/newz/mnewz give objects with nil pointers (and newz, mnewz zero
 * words); tcmp raises "type check" unless both have the same type. */
static void
test_heap(void **state)
{
	XEC(.body =
	    "\tnew $10,40(fp)\n"
	    "\tmovw $1,104(fp)\n"
	    "\tbeqw 0(40(fp)),124(mp),isnil\n"
	    "\tmovw $0,104(fp)\n"
	    "isnil:" PW("104(fp)")
	    "\tnewz $10,44(fp)\n" PW("4(44(fp))")
	    "\tlenc 0(44(fp)),104(fp)\n" PW("104(fp)")
	    "\tself 48(fp)\n"
	    "\tmnewz 48(fp),$8,52(fp)\n" PW("0(52(fp))") PW("8(52(fp))")
	    "\ttcmp 40(fp),44(fp)\n"
	    "\ttcmp 124(mp),44(fp)\n" PW("$1")
	    "\tnew $11,56(fp)\n"
	    "bad:\ttcmp 40(fp),56(fp)\n" PW("$2"),
	    .data = TYPES,
	    .out = "1\n0\n0\n0\n0\n1\n", .exc = "type check", .at = "bad");
	XEC(.body = "\tnew $10,40(fp)\nbad:\ttcmp 40(fp),44(fp)\n", .data = TYPES,
	    .exc = "type check", .at = "bad");
	XEC(.body = "bad:\tmnewz 40(fp),$8,44(fp)\n", .data = TYPES,
	    .exc = "module not loaded", .at = "bad");
}

TEST_MAIN("dis instructions: data",
          cmocka_unit_test(test_moves),
          cmocka_unit_test(test_movmp),
          cmocka_unit_test(test_arrays),
          cmocka_unit_test(test_array_errors),
          cmocka_unit_test(test_slicea),
          cmocka_unit_test(test_slicea_errors),
          cmocka_unit_test(test_slicela),
          cmocka_unit_test(test_slicela_errors),
          cmocka_unit_test(test_lists),
          cmocka_unit_test(test_list_structs),
          cmocka_unit_test(test_list_errors),
          cmocka_unit_test(test_heap))
