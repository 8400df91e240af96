/*
 * Types: int..string, names (with [type arguments]), X.y and X->y, ref,
 * chan of, array of, list of, tuples, fn types with polymorphic parameters,
 * for { } constraints and raises, fixed(scale, max).
 *
 * Follows: limbo.y rules type, iditype, dotiditype, fnarg, fnargret,
 * fnargretp, raises, fixtype, tpolys; limbo.ms §"Types", addendum
 * §"Fixed point types".
 */
#include "limbo/parse.h"

/* [ type, cyclic type, ... ] after a type name: instantiation arguments,
 * appended to t's children. */
LimboNode *
parse_types_bracket(Parser *p, LimboNode *t)
{
	NodeVec v = {0};
	LimboToken at = *TOK(p);
	LimboNode *n;

	expect(p, LIMBO_T_LBRACK);
	for (int i = 0; i < t->nkids; i++)
		nv_push(&v, t->kids[i]);
	do {
		int cyc = accept(p, LIMBO_T_CYCLIC);
		LimboNode *a = parse_type(p);
		if (cyc && a != NULL)
			a->flags |= LIMBO_F_CYCLIC;
		nv_push(&v, a);
	} while (accept(p, LIMBO_T_COMMA));
	expect(p, LIMBO_T_RBRACK);
	n = mkv(p, t->kind, &at, &v, 0);
	n->file = t->file;
	n->line = t->line;
	n->name = t->name;
	n->op = t->op;
	n->flags = t->flags;
	return n;
}

/* [ids] type variables, or NULL when no bracket follows. */
LimboNode *
parse_polydec(Parser *p)
{
	LimboNode *ids;

	if (KIND(p) != LIMBO_T_LBRACK)
		return NULL;
	advance(p);
	ids = parse_ids(p, 0);
	expect(p, LIMBO_T_RBRACK);
	return ids;
}

/* One formal group: nids : [self] type. */
static LimboNode *
parse_param(Parser *p)
{
	LimboToken at = *TOK(p);
	LimboNode *n = mk(p, LIMBO_N_PARAM, &at, 2);

	n->kids[0] = parse_ids(p, 1);
	expect(p, LIMBO_T_COLON);
	if (accept(p, LIMBO_T_SELF))
		n->flags |= LIMBO_F_SELF;
	n->kids[1] = parse_type(p);
	return n;
}

/* raises (a, b) | raises a | nothing. */
static LimboNode *
parse_raises(Parser *p)
{
	LimboToken at = *TOK(p);
	NodeVec v = {0};

	if (!accept(p, LIMBO_T_RAISES))
		return NULL;
	if (accept(p, LIMBO_T_LPAREN)) {
		do {
			nv_push(&v, parse_exp(p));
		} while (accept(p, LIMBO_T_COMMA));
		expect(p, LIMBO_T_RPAREN);
	} else if (KIND(p) == LIMBO_T_ID || KIND(p) == LIMBO_T_NIL) {
		LimboToken t = *TOK(p);
		advance(p);
		nv_push(&v, t.kind == LIMBO_T_NIL ? mk(p, LIMBO_N_NIL, &t, 0) : mkname(p, &t));
	} else {
		synerr(p, "expected exception names after raises");
	}
	return mkv(p, LIMBO_N_LIST, &at, &v, 0);
}

/* After `for {`: ids => fields, ids => fields, ... up to `}` (consumed). */
LimboNode *
parse_tpolys(Parser *p)
{
	LimboToken at = *TOK(p);
	NodeVec all = {0};

	while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
		LimboToken pt = *TOK(p);
		NodeVec v = {0};
		long before = p->consumed;
		nv_push(&v, parse_ids(p, 0));
		expect(p, LIMBO_T_LABS);
		/* fields until the next `ids =>` or `}` */
		while (KIND(p) == LIMBO_T_ID) {
			size_t k = 1;
			while (peekk(p, k) == LIMBO_T_COMMA && peekk(p, k + 1) == LIMBO_T_ID && k < LIMBO_MAX_LOOKAHEAD)
				k += 2;
			if (peekk(p, k) != LIMBO_T_COLON)
				break;
			LimboToken ft = *TOK(p);
			LimboNode *f = mk(p, LIMBO_N_FIELD, &ft, 2);
			f->kids[0] = parse_ids(p, 0);
			expect(p, LIMBO_T_COLON);
			if (accept(p, LIMBO_T_CYCLIC))
				f->flags |= LIMBO_F_CYCLIC;
			f->kids[1] = parse_type(p);
			expect(p, LIMBO_T_SEMI);
			nv_push(&v, f);
		}
		nv_push(&all, mkv(p, LIMBO_N_POLYCON, &pt, &v, 0));
		if (p->consumed == before)
			advance(p);
	}
	expect(p, LIMBO_T_RBRACE);
	return mkv(p, LIMBO_N_LIST, &at, &all, 0);
}

/* After `fn` (at is its token): [polys] (params) [: type] [for {...}]
 * [raises ...]. allow_for is 0 where a for would start a statement. */
LimboNode *
parse_fntype(Parser *p, const LimboToken *at, int allow_for)
{
	LimboNode *n = mk(p, LIMBO_N_TFN, at, 5);
	NodeVec params = {0};
	LimboToken lp;

	n->kids[2] = parse_polydec(p);
	lp = *TOK(p);
	if (expect(p, LIMBO_T_LPAREN)) {
		if (accept(p, LIMBO_T_MUL)) {
			n->flags |= LIMBO_F_VARARGS;
		} else if (KIND(p) != LIMBO_T_RPAREN) {
			do {
				if (KIND(p) == LIMBO_T_MUL) {
					advance(p);
					n->flags |= LIMBO_F_VARARGS;
					break;
				}
				long before = p->consumed;
				nv_push(&params, parse_param(p));
				if (p->consumed == before)
					break;
			} while (accept(p, LIMBO_T_COMMA));
		}
		expect(p, LIMBO_T_RPAREN);
	}
	n->kids[0] = mkv(p, LIMBO_N_LIST, &lp, &params, 0);
	if (accept(p, LIMBO_T_COLON))
		n->kids[1] = parse_type(p);
	if (allow_for && KIND(p) == LIMBO_T_FOR && peekk(p, 1) == LIMBO_T_LBRACE) {
		advance(p);
		advance(p);
		n->kids[3] = parse_tpolys(p);
	}
	n->kids[4] = parse_raises(p);
	return n;
}

LimboNode *
parse_type(Parser *p)
{
	LimboToken t = *TOK(p);
	LimboNode *n = NULL;

	if (!enter(p))
		return NULL;
	switch (t.kind) {
	case LIMBO_T_INT:
	case LIMBO_T_BIG:
	case LIMBO_T_BYTE:
	case LIMBO_T_REAL:
	case LIMBO_T_STRING:
		advance(p);
		n = mk(p, LIMBO_N_TBASIC, &t, 0);
		n->op = (uint16_t)t.kind;
		break;
	case LIMBO_T_ID:
		advance(p);
		n = mk(p, LIMBO_N_TNAME, &t, 0);
		n->name = t.text;
		if (KIND(p) == LIMBO_T_LBRACK)
			n = parse_types_bracket(p, n);
		break;
	case LIMBO_T_REF:
		advance(p);
		n = mk1(p, LIMBO_N_TREF, &t, parse_type(p));
		break;
	case LIMBO_T_CHAN:
	case LIMBO_T_ARRAY:
	case LIMBO_T_LIST:
		advance(p);
		expect(p, LIMBO_T_OF);
		n = mk1(p, t.kind == LIMBO_T_CHAN ? LIMBO_N_TCHAN : t.kind == LIMBO_T_ARRAY ? LIMBO_N_TARRAY : LIMBO_N_TLIST,
		        &t, parse_type(p));
		break;
	case LIMBO_T_LPAREN: {
		NodeVec v = {0};
		advance(p);
		do {
			nv_push(&v, parse_type(p));
		} while (accept(p, LIMBO_T_COMMA));
		expect(p, LIMBO_T_RPAREN);
		if (v.n == 1) {
			/* (T) is just T */
			n = v.v[0];
			nv_free(&v);
		} else {
			n = mkv(p, LIMBO_N_TTUPLE, &t, &v, 0);
		}
		break;
	}
	case LIMBO_T_FN:
		advance(p);
		n = parse_fntype(p, &t, 1);
		break;
	case LIMBO_T_FIXED:
		advance(p);
		n = mk(p, LIMBO_N_TFIXED, &t, 2);
		expect(p, LIMBO_T_LPAREN);
		n->kids[0] = parse_exp(p);
		if (accept(p, LIMBO_T_COMMA))
			n->kids[1] = parse_exp(p);
		expect(p, LIMBO_T_RPAREN);
		break;
	default:
		synerr(p, "expected a type");
		leave(p);
		return NULL;
	}
	/* X.y and X->y bind tighter than the prefixes: ref Draw->Context.
	 * Each link counts as a level of nesting, so the tree stays shallow
	 * enough for recursive passes. */
	int chain = 0;
	for (;;) {
		int k = KIND(p);
		if ((k != LIMBO_T_DOT && k != LIMBO_T_MDOT) || peekk(p, 1) != LIMBO_T_ID)
			break;
		LimboToken op = *TOK(p);
		advance(p);
		LimboToken id = *TOK(p);
		advance(p);
		n = mk1(p, op.kind == LIMBO_T_DOT ? LIMBO_N_TDOT : LIMBO_N_TARROW, &op, n);
		n->name = id.text;
		n->file = t.file;
		n->line = t.line;
		if (KIND(p) == LIMBO_T_LBRACK)
			n = parse_types_bracket(p, n);
		if (!enter_link(p))
			break;
		chain++;
	}
	p->links -= chain;
	leave(p);
	return n;
}
