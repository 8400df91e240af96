/*
 * Expressions, by precedence climbing over Limbo's binary operators, with
 * the unary (monexp) and postfix (term) forms below them.
 *
 * Precedence, lowest first (limbo.y's %left/%right lines; limbo.ms
 * §"Expressions"): assignments (right), load, ||, &&, :: (right), |, ^, &,
 * == !=, < > <= >=, << >>, + -, * / %, ** (right), <- (right), then the
 * unary operators, then postfix calls, indexing, slices, . and ->.
 */
#include "limbo/parse.h"

static int
binprec(int k)
{
	switch (k) {
	case LIMBO_T_OROR: return 1;
	case LIMBO_T_ANDAND: return 2;
	case LIMBO_T_CONS: return 3;
	case LIMBO_T_OR1: return 4;
	case LIMBO_T_XOR: return 5;
	case LIMBO_T_AND: return 6;
	case LIMBO_T_EQ: case LIMBO_T_NEQ: return 7;
	case LIMBO_T_LT: case LIMBO_T_GT: case LIMBO_T_LEQ: case LIMBO_T_GEQ: return 8;
	case LIMBO_T_LSH: case LIMBO_T_RSH: return 9;
	case LIMBO_T_ADD: case LIMBO_T_SUB: return 10;
	case LIMBO_T_MUL: case LIMBO_T_DIV: case LIMBO_T_MOD: return 11;
	case LIMBO_T_EXP: return 12;
	case LIMBO_T_COMM: return 13;
	}
	return 0;
}

static int
rightassoc(int k)
{
	return k == LIMBO_T_CONS || k == LIMBO_T_EXP || k == LIMBO_T_COMM;
}

static int
isassign(int k)
{
	switch (k) {
	case LIMBO_T_ASSIGN: case LIMBO_T_ANDEQ: case LIMBO_T_OREQ: case LIMBO_T_XOREQ:
	case LIMBO_T_LSHEQ: case LIMBO_T_RSHEQ: case LIMBO_T_ADDEQ: case LIMBO_T_SUBEQ:
	case LIMBO_T_MULEQ: case LIMBO_T_DIVEQ: case LIMBO_T_MODEQ: case LIMBO_T_EXPEQ:
	case LIMBO_T_DECLAS:
		return 1;
	}
	return 0;
}

/* Can a token begin a unary expression? Decides whether `int x` is a cast
 * and `a[int]` a type argument. */
int
starts_monexp(int k)
{
	switch (k) {
	case LIMBO_T_ID: case LIMBO_T_NIL: case LIMBO_T_ICONST: case LIMBO_T_RCONST:
	case LIMBO_T_SCONST: case LIMBO_T_LPAREN: case LIMBO_T_ADD: case LIMBO_T_SUB:
	case LIMBO_T_NOT: case LIMBO_T_TILDE: case LIMBO_T_MUL: case LIMBO_T_INC:
	case LIMBO_T_DEC: case LIMBO_T_COMM: case LIMBO_T_HD: case LIMBO_T_TL:
	case LIMBO_T_LEN: case LIMBO_T_REF: case LIMBO_T_TAGOF: case LIMBO_T_ARRAY:
	case LIMBO_T_LIST: case LIMBO_T_CHAN: case LIMBO_T_INT: case LIMBO_T_BIG:
	case LIMBO_T_BYTE: case LIMBO_T_REAL: case LIMBO_T_STRING: case LIMBO_T_FIXED:
	case LIMBO_T_LOAD:
		return 1;
	}
	return 0;
}

static LimboNode *parse_binary(Parser *p, int minprec);

/* exp: binary, then right-associative assignment and `<-=` send. */
LimboNode *
parse_exp(Parser *p)
{
	LimboNode *l, *n;
	int k;

	if (!enter(p))
		return NULL;
	l = parse_binary(p, 1);
	k = KIND(p);
	if (isassign(k)) {
		LimboToken op = *TOK(p);
		advance(p);
		n = mk2(p, k == LIMBO_T_DECLAS ? LIMBO_N_DECLAS : LIMBO_N_ASSIGN, &op, l, parse_exp(p));
		if (k != LIMBO_T_DECLAS)
			n->op = (uint16_t)k;
		l = n;
	} else if (k == LIMBO_T_COMM && peekk(p, 1) == LIMBO_T_ASSIGN) {
		LimboToken op = *TOK(p);
		advance(p);
		advance(p);
		l = mk2(p, LIMBO_N_SEND, &op, l, parse_exp(p));
	}
	leave(p);
	return l;
}

static LimboNode *
parse_binary(Parser *p, int minprec)
{
	LimboNode *l = parse_unary(p);
	int chain = 0;

	for (;;) {
		int k = KIND(p), prec = binprec(k);
		if (prec == 0 || prec < minprec)
			break;
		if (k == LIMBO_T_COMM && peekk(p, 1) == LIMBO_T_ASSIGN)
			break;
		LimboToken op = *TOK(p);
		advance(p);
		/* A long left-associative chain is a deep tree; count it. */
		if (!enter_link(p))
			break;
		chain++;
		LimboNode *r = parse_binary(p, rightassoc(k) ? prec : prec + 1);
		if (k == LIMBO_T_COMM) {
			l = mk2(p, LIMBO_N_SEND, &op, l, r);
		} else {
			l = mk2(p, LIMBO_N_BINOP, &op, l, r);
			l->op = (uint16_t)k;
		}
	}
	p->links -= chain;
	return l;
}

/* exp [to exp] | * (before => or `or`). */
LimboNode *
parse_qual(Parser *p)
{
	LimboToken at = *TOK(p);
	LimboNode *e;

	if (at.kind == LIMBO_T_MUL && (peekk(p, 1) == LIMBO_T_LABS || peekk(p, 1) == LIMBO_T_OR)) {
		advance(p);
		return mk(p, LIMBO_N_WILD, &at, 0);
	}
	e = parse_exp(p);
	if (KIND(p) == LIMBO_T_TO) {
		LimboToken to = *TOK(p);
		advance(p);
		e = mk2(p, LIMBO_N_RANGE, &to, e, parse_exp(p));
		e->file = at.file;
		e->line = at.line;
	}
	return e;
}

/* qual or qual or ... as a LIST. */
LimboNode *
parse_quals(Parser *p)
{
	LimboToken at = *TOK(p);
	NodeVec v = {0};

	do {
		long before = p->consumed;
		nv_push(&v, parse_qual(p));
		if (p->consumed == before)
			break;
	} while (accept(p, LIMBO_T_OR));
	return mkv(p, LIMBO_N_LIST, &at, &v, 0);
}

/* Initialiser list after `{`, up to `}` (consumed): elem, elem, [,] where
 * elem is exp or qual => exp. */
static void
parse_initlist(Parser *p, NodeVec *v)
{
	while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
		LimboToken at = *TOK(p);
		long before = p->consumed;
		LimboNode *q = parse_quals(p);
		LimboNode *e = mk(p, LIMBO_N_ELEM, &at, 2);
		if (accept(p, LIMBO_T_LABS)) {
			e->kids[0] = q;
			e->kids[1] = parse_exp(p);
		} else if (q->nkids == 1 && q->kids[0] != NULL && q->kids[0]->kind != LIMBO_N_WILD &&
		           q->kids[0]->kind != LIMBO_N_RANGE) {
			e->kids[1] = q->kids[0];
		} else {
			synerr(p, "expected =>");
		}
		nv_push(v, e);
		if (p->consumed == before)
			break;
		if (!accept(p, LIMBO_T_COMMA))
			break;
	}
	expect(p, LIMBO_T_RBRACE);
}

/* Postfix forms on a term: calls, indexing, slices, .name, ->member,
 * ++ and --. */
static LimboNode *
parse_postfix(Parser *p, LimboNode *n)
{
	int chain = 0;

	for (;;) {
		LimboToken at = *TOK(p);
		if (!enter_link(p))
			break;
		chain++;
		switch (at.kind) {
		case LIMBO_T_LPAREN: {
			NodeVec v = {0};
			advance(p);
			nv_push(&v, n);
			if (KIND(p) != LIMBO_T_RPAREN) {
				do {
					long before = p->consumed;
					nv_push(&v, parse_exp(p));
					if (p->consumed == before)
						break;
				} while (accept(p, LIMBO_T_COMMA));
			}
			expect(p, LIMBO_T_RPAREN);
			n = mkv(p, LIMBO_N_CALL, &at, &v, 0);
			continue;
		}
		case LIMBO_T_DOT: {
			advance(p);
			LimboToken id = *TOK(p);
			if (!expect(p, LIMBO_T_ID)) {
				p->links -= chain;
				return n;
			}
			n = mk2(p, LIMBO_N_DOT, &at, n, mkname(p, &id));
			continue;
		}
		case LIMBO_T_MDOT: {
			/* m->a.b is m->(a.b): the member is a term with its dots,
			 * and what follows (a call, an index) applies to m->a.b. */
			advance(p);
			LimboToken mt = *TOK(p);
			LimboNode *m;
			if (mt.kind == LIMBO_T_ID) {
				advance(p);
				m = mkname(p, &mt);
			} else if (mt.kind == LIMBO_T_LPAREN) {
				advance(p);
				m = parse_exp(p);
				if (m != NULL)
					m->flags |= LIMBO_F_PARENS;
				expect(p, LIMBO_T_RPAREN);
			} else {
				synerr(p, "expected a member name after ->");
				p->links -= chain;
				return n;
			}
			while (KIND(p) == LIMBO_T_DOT && peekk(p, 1) == LIMBO_T_ID) {
				LimboToken d = *TOK(p);
				advance(p);
				LimboToken id = *TOK(p);
				advance(p);
				m = mk2(p, LIMBO_N_DOT, &d, m, mkname(p, &id));
			}
			n = mk2(p, LIMBO_N_MDOT, &at, n, m);
			continue;
		}
		case LIMBO_T_LBRACK: {
			NodeVec v = {0};
			advance(p);
			nv_push(&v, n);
			if (KIND(p) == LIMBO_T_COLON) {
				/* [:hi] */
				advance(p);
				LimboNode *s = mk(p, LIMBO_N_SLICE, &at, 3);
				s->kids[0] = n;
				if (KIND(p) != LIMBO_T_RBRACK)
					s->kids[2] = parse_exp(p);
				expect(p, LIMBO_T_RBRACK);
				nv_free(&v);
				n = s;
				continue;
			}
			LimboNode *first = parse_exp(p);
			if (accept(p, LIMBO_T_COLON)) {
				LimboNode *s = mk(p, LIMBO_N_SLICE, &at, 3);
				s->kids[0] = n;
				s->kids[1] = first;
				if (KIND(p) != LIMBO_T_RBRACK)
					s->kids[2] = parse_exp(p);
				expect(p, LIMBO_T_RBRACK);
				nv_free(&v);
				n = s;
				continue;
			}
			nv_push(&v, first);
			while (accept(p, LIMBO_T_COMMA)) {
				long before = p->consumed;
				nv_push(&v, parse_exp(p));
				if (p->consumed == before)
					break;
			}
			expect(p, LIMBO_T_RBRACK);
			n = mkv(p, LIMBO_N_INDEX, &at, &v, 0);
			continue;
		}
		case LIMBO_T_INC:
		case LIMBO_T_DEC:
			advance(p);
			n = mk1(p, LIMBO_N_POSTOP, &at, n);
			n->op = (uint16_t)at.kind;
			continue;
		}
		break;
	}
	p->links -= chain;
	return n;
}

static LimboNode *
parse_primary(Parser *p)
{
	LimboToken t = *TOK(p);
	LimboNode *n;

	switch (t.kind) {
	case LIMBO_T_ID:
		advance(p);
		return mkname(p, &t);
	case LIMBO_T_NIL:
		advance(p);
		return mk(p, LIMBO_N_NIL, &t, 0);
	case LIMBO_T_ICONST:
		advance(p);
		n = mk(p, LIMBO_N_ICONST, &t, 0);
		n->ival = t.ival;
		return n;
	case LIMBO_T_RCONST:
		advance(p);
		n = mk(p, LIMBO_N_RCONST, &t, 0);
		n->rval = t.rval;
		return n;
	case LIMBO_T_SCONST:
		advance(p);
		n = mk(p, LIMBO_N_SCONST, &t, 0);
		n->str = t.text;
		n->len = t.len;
		return n;
	case LIMBO_T_LPAREN: {
		NodeVec v = {0};
		advance(p);
		do {
			long before = p->consumed;
			nv_push(&v, parse_exp(p));
			if (p->consumed == before)
				break;
		} while (accept(p, LIMBO_T_COMMA));
		expect(p, LIMBO_T_RPAREN);
		if (v.n == 1) {
			n = v.v[0];
			nv_free(&v);
			if (n != NULL)
				n->flags |= LIMBO_F_PARENS;
			return n;
		}
		return mkv(p, LIMBO_N_TUPLE, &t, &v, 0);
	}
	case LIMBO_T_FN:
		/* Inferno's grammar has a rule for fn literals but rejects them. */
		advance(p);
		errat(p, t.file, t.line, "function literals are not supported");
		parse_fntype(p, &t, 0);
		if (KIND(p) == LIMBO_T_LBRACE)
			parse_block(p);
		return mk(p, LIMBO_N_FNEXP, &t, 0);
	}
	synerr(p, "expected an expression");
	return NULL;
}

/* A type followed, if an operand follows, by that operand: a cast; else
 * the type itself (a type argument in f[int], a[array of byte]). */
static LimboNode *
cast_or_type(Parser *p, const LimboToken *at, LimboNode *t)
{
	if (starts_monexp(KIND(p)))
		return mk2(p, LIMBO_N_CAST, at, t, parse_unary(p));
	return mk1(p, LIMBO_N_TYPEEXP, at, t);
}

static LimboNode *
parse_unary1(Parser *p)
{
	LimboToken t = *TOK(p);
	LimboNode *n;

	switch (t.kind) {
	case LIMBO_T_ADD:
		advance(p);
		return parse_unary(p);
	case LIMBO_T_SUB: case LIMBO_T_NOT: case LIMBO_T_TILDE: case LIMBO_T_MUL:
	case LIMBO_T_INC: case LIMBO_T_DEC: case LIMBO_T_COMM: case LIMBO_T_HD:
	case LIMBO_T_TL: case LIMBO_T_LEN: case LIMBO_T_REF: case LIMBO_T_TAGOF:
		advance(p);
		n = mk1(p, LIMBO_N_UNOP, &t, parse_unary(p));
		n->op = (uint16_t)t.kind;
		return n;
	case LIMBO_T_LOAD: {
		/* load Module path: the path is everything down to ||. */
		advance(p);
		LimboToken id = *TOK(p);
		LimboNode *ty;
		if (!expect(p, LIMBO_T_ID))
			return NULL;
		ty = mk(p, LIMBO_N_TNAME, &id, 0);
		ty->name = id.text;
		return mk2(p, LIMBO_N_LOAD, &t, ty, parse_binary(p, 1));
	}
	case LIMBO_T_ARRAY:
		if (peekk(p, 1) == LIMBO_T_LBRACK) {
			advance(p);
			advance(p);
			n = mk(p, LIMBO_N_ARRAYNEW, &t, 2);
			if (KIND(p) != LIMBO_T_RBRACK)
				n->kids[0] = parse_exp(p);
			expect(p, LIMBO_T_RBRACK);
			expect(p, LIMBO_T_OF);
			if (accept(p, LIMBO_T_LBRACE)) {
				NodeVec v = {0};
				LimboNode *a;
				v.n = 0;
				parse_initlist(p, &v);
				a = mkv(p, LIMBO_N_ARRAYNEW, &t, &v, 2);
				a->kids[0] = n->kids[0];
				a->flags |= LIMBO_F_INITS;
				return a;
			}
			if (n->kids[0] == NULL)
				synerr(p, "expected { after array[] of");
			n->kids[1] = parse_type(p);
			return n;
		}
		/* array of T: a cast (array of byte s) or a type argument */
		return cast_or_type(p, &t, parse_type(p));
	case LIMBO_T_LIST:
		if (peekk(p, 1) == LIMBO_T_OF && peekk(p, 2) == LIMBO_T_LBRACE) {
			NodeVec v = {0};
			advance(p);
			advance(p);
			advance(p);
			while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
				long before = p->consumed;
				nv_push(&v, parse_exp(p));
				if (p->consumed == before || !accept(p, LIMBO_T_COMMA))
					break;
			}
			expect(p, LIMBO_T_RBRACE);
			return mkv(p, LIMBO_N_LISTNEW, &t, &v, 0);
		}
		return mk1(p, LIMBO_N_TYPEEXP, &t, parse_type(p));
	case LIMBO_T_CHAN:
		n = mk(p, LIMBO_N_CHANNEW, &t, 2);
		advance(p);
		if (accept(p, LIMBO_T_LBRACK)) {
			n->kids[0] = parse_exp(p);
			expect(p, LIMBO_T_RBRACK);
		}
		expect(p, LIMBO_T_OF);
		n->kids[1] = parse_type(p);
		return n;
	case LIMBO_T_INT: case LIMBO_T_BIG: case LIMBO_T_BYTE: case LIMBO_T_REAL:
	case LIMBO_T_STRING: case LIMBO_T_FIXED:
		return cast_or_type(p, &t, parse_type(p));
	case LIMBO_T_CYCLIC:
		advance(p);
		n = parse_type(p);
		if (n != NULL)
			n->flags |= LIMBO_F_CYCLIC;
		return mk1(p, LIMBO_N_TYPEEXP, &t, n);
	case LIMBO_T_ID:
		/* Name operand: a cast by a named type (limbo.y's `Lid monexp`),
		 * which yacc takes only before these tokens. */
		switch (peekk(p, 1)) {
		case LIMBO_T_NIL: case LIMBO_T_NOT: case LIMBO_T_TILDE: case LIMBO_T_LEN:
		case LIMBO_T_HD: case LIMBO_T_TL: case LIMBO_T_TAGOF:
			advance(p);
			n = mk(p, LIMBO_N_TNAME, &t, 0);
			n->name = t.text;
			return mk2(p, LIMBO_N_CAST, &t, n, parse_unary(p));
		}
		break;
	}
	n = parse_primary(p);
	return n != NULL ? parse_postfix(p, n) : NULL;
}

LimboNode *
parse_unary(Parser *p)
{
	LimboNode *n;

	if (!enter(p))
		return NULL;
	n = parse_unary1(p);
	leave(p);
	return n;
}
