/*
 * Declarations and statements: implement, include, module and adt
 * declarations, con/type/import/exception declarations, function
 * definitions, every statement; error recovery at statement and
 * declaration boundaries.
 *
 * Follows: limbo.y rules prog, topdecl, decl, mdecl, adtdecl, fields,
 * pdecl, fndef, stmt, qual and the *bodies rules; limbo.ms §"Declarations",
 * §"Statements"; addendum §"Exceptions".
 */
#include <stdlib.h>

#include "limbo/parse.h"

/* Where a declaration appears: which forms are allowed. */
enum { CTX_TOP, CTX_STMT, CTX_MODULE, CTX_ADT };

static LimboNode *parse_stmt(Parser *p);

/* If the tokens ahead read `id, id, ... :` (not :=), the index of the
 * colon; else 0. */
static size_t
scan_ids(Parser *p)
{
	size_t k = 0;

	if (peekk(p, 0) != LIMBO_T_ID)
		return 0;
	for (k = 1; k < LIMBO_MAX_LOOKAHEAD; k += 2) {
		int t = peekk(p, k);
		if (t == LIMBO_T_COLON)
			return k;
		if (t != LIMBO_T_COMMA || peekk(p, k + 1) != LIMBO_T_ID)
			return 0;
	}
	return 0;
}

LimboNode *
parse_ids(Parser *p, int allow_nil)
{
	LimboToken at = *TOK(p);
	NodeVec v = {0};

	do {
		LimboToken t = *TOK(p);
		if (t.kind == LIMBO_T_ID) {
			advance(p);
			nv_push(&v, mkname(p, &t));
		} else if (t.kind == LIMBO_T_NIL && allow_nil) {
			advance(p);
			nv_push(&v, mk(p, LIMBO_N_NIL, &t, 0));
		} else {
			synerr(p, "expected an identifier");
			break;
		}
	} while (accept(p, LIMBO_T_COMMA));
	return mkv(p, LIMBO_N_IDS, &at, &v, 0);
}

/* Skips to a statement or declaration boundary after an error: past the
 * next `;`, or past a whole `{...}` block, or up to (not past) a `}` that
 * closes the enclosing block. */
static void
sync(Parser *p)
{
	int depth = 0;

	for (;;) {
		int k = KIND(p);
		if (k == LIMBO_T_EOF)
			return;
		if (depth == 0 && k == LIMBO_T_RBRACE)
			return;
		advance(p);
		if (k == LIMBO_T_LBRACE) {
			depth++;
		} else if (k == LIMBO_T_RBRACE) {
			if (--depth == 0)
				return;
		} else if (k == LIMBO_T_SEMI && depth == 0) {
			return;
		}
	}
}

/* After parsing one statement or declaration: recover if it had errors
 * and did not end on a boundary; make sure the parse moves on. */
static void
after_item(Parser *p, int nerr0, long before)
{
	if (p->nerr != nerr0 && !(p->consumed > before && (p->prev == LIMBO_T_SEMI || p->prev == LIMBO_T_RBRACE)))
		sync(p);
	if (p->consumed == before && KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF)
		advance(p);
}

static LimboNode *
include_node(Parser *p)
{
	LimboToken t = *TOK(p);
	LimboNode *n = mk(p, LIMBO_N_INCLUDE, &t, 0);

	advance(p);
	n->name = t.text;
	n->str = t.path;
	return n;
}

/* ids : ... ; with the fields of a member `ids : [cyclic] type ;` in an adt
 * or pick. The caller has checked the shape with scan_ids. */
static LimboNode *
parse_field(Parser *p)
{
	LimboToken at = *TOK(p);
	LimboNode *ids = parse_ids(p, 0), *n;

	expect(p, LIMBO_T_COLON);
	if (KIND(p) == LIMBO_T_CON) {
		advance(p);
		n = mk2(p, LIMBO_N_CONDECL, &at, ids, parse_exp(p));
	} else {
		n = mk(p, LIMBO_N_FIELD, &at, 2);
		n->kids[0] = ids;
		if (accept(p, LIMBO_T_CYCLIC))
			n->flags |= LIMBO_F_CYCLIC;
		n->kids[1] = parse_type(p);
	}
	expect(p, LIMBO_T_SEMI);
	return n;
}

/* pick { tag or tag => fields ... } */
static LimboNode *
parse_pickdecl(Parser *p)
{
	LimboToken at = *TOK(p);
	NodeVec cases = {0};

	advance(p);
	expect(p, LIMBO_T_LBRACE);
	while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
		LimboToken ct = *TOK(p);
		NodeVec v = {0}, tags = {0};
		long before = p->consumed;
		int nerr0 = p->nerr;
		do {
			LimboToken t = *TOK(p);
			if (!expect(p, LIMBO_T_ID))
				break;
			nv_push(&tags, mkname(p, &t));
		} while (accept(p, LIMBO_T_OR));
		nv_push(&v, mkv(p, LIMBO_N_IDS, &ct, &tags, 0));
		expect(p, LIMBO_T_LABS);
		while (scan_ids(p) > 0)
			nv_push(&v, parse_field(p));
		nv_push(&cases, mkv(p, LIMBO_N_PICKCASE, &ct, &v, 0));
		after_item(p, nerr0, before);
	}
	expect(p, LIMBO_T_RBRACE);
	return mkv(p, LIMBO_N_PICKDECL, &at, &cases, 0);
}

/* After `adt`: [polys] [for {..}] { fields } [for {..}] */
static LimboNode *
parse_adt(Parser *p, const LimboToken *at, LimboNode *ids)
{
	NodeVec v = {0};
	LimboNode *polys, *cons = NULL, *n;

	polys = parse_polydec(p);
	if (KIND(p) == LIMBO_T_FOR && peekk(p, 1) == LIMBO_T_LBRACE) {
		advance(p);
		advance(p);
		cons = parse_tpolys(p);
	}
	expect(p, LIMBO_T_LBRACE);
	while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
		long before = p->consumed;
		int nerr0 = p->nerr;
		if (KIND(p) == LIMBO_T_PICK)
			nv_push(&v, parse_pickdecl(p));
		else if (scan_ids(p) > 0)
			nv_push(&v, parse_field(p));
		else
			synerr(p, "expected an adt member");
		after_item(p, nerr0, before);
	}
	expect(p, LIMBO_T_RBRACE);
	if (cons == NULL && KIND(p) == LIMBO_T_FOR && peekk(p, 1) == LIMBO_T_LBRACE) {
		advance(p);
		advance(p);
		cons = parse_tpolys(p);
	}
	n = mkv(p, LIMBO_N_ADTDECL, at, &v, 3);
	n->kids[0] = ids;
	n->kids[1] = polys;
	n->kids[2] = cons;
	return n;
}

static LimboNode *decl_after_colon(Parser *p, const LimboToken *at, LimboNode *ids, int ctx);

/* After `module`: { members } */
static LimboNode *
parse_module(Parser *p, const LimboToken *at, LimboNode *ids)
{
	NodeVec v = {0};
	LimboNode *n;

	expect(p, LIMBO_T_LBRACE);
	while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
		long before = p->consumed;
		int nerr0 = p->nerr;
		if (scan_ids(p) > 0) {
			LimboToken mt = *TOK(p);
			LimboNode *mids = parse_ids(p, 0);
			expect(p, LIMBO_T_COLON);
			nv_push(&v, decl_after_colon(p, &mt, mids, CTX_MODULE));
		} else {
			synerr(p, "expected a module member declaration");
		}
		after_item(p, nerr0, before);
	}
	expect(p, LIMBO_T_RBRACE);
	n = mkv(p, LIMBO_N_MODDECL, at, &v, 1);
	n->kids[0] = ids;
	return n;
}

/* The rest of `ids :` in a declaration. */
static LimboNode *
decl_after_colon(Parser *p, const LimboToken *at, LimboNode *ids, int ctx)
{
	LimboToken t = *TOK(p);
	LimboNode *n;

	switch (t.kind) {
	case LIMBO_T_TYPE:
		advance(p);
		n = mk2(p, LIMBO_N_TYPEDECL, at, ids, parse_type(p));
		break;
	case LIMBO_T_IMPORT:
		advance(p);
		if (ctx != CTX_TOP && ctx != CTX_STMT)
			errat(p, t.file, t.line, "import declaration not allowed here");
		n = mk2(p, LIMBO_N_IMPORTDECL, at, ids, parse_exp(p));
		break;
	case LIMBO_T_CON:
		advance(p);
		n = mk2(p, LIMBO_N_CONDECL, at, ids, parse_exp(p));
		break;
	case LIMBO_T_EXCEPTION:
		advance(p);
		n = mk2(p, LIMBO_N_EXCDECL, at, ids, NULL);
		if (KIND(p) == LIMBO_T_LPAREN) {
			LimboToken lp = *TOK(p);
			NodeVec v = {0};
			advance(p);
			do {
				nv_push(&v, parse_type(p));
			} while (accept(p, LIMBO_T_COMMA));
			expect(p, LIMBO_T_RPAREN);
			n->kids[1] = mkv(p, LIMBO_N_TTUPLE, &lp, &v, 0);
		}
		break;
	case LIMBO_T_MODULE:
		advance(p);
		if (ctx != CTX_TOP)
			errat(p, t.file, t.line, "module declaration not allowed here");
		n = parse_module(p, at, ids);
		break;
	case LIMBO_T_ADT:
		advance(p);
		if (ctx != CTX_TOP && ctx != CTX_MODULE)
			errat(p, t.file, t.line, "adt declaration not allowed here");
		n = parse_adt(p, at, ids);
		break;
	default:
		n = mk(p, LIMBO_N_VARDECL, at, 3);
		n->kids[0] = ids;
		n->kids[1] = parse_type(p);
		if ((ctx == CTX_TOP || ctx == CTX_STMT) && KIND(p) == LIMBO_T_ASSIGN) {
			advance(p);
			n->kids[2] = parse_exp(p);
		}
		break;
	}
	expect(p, LIMBO_T_SEMI);
	return n;
}

/* Statements up to `}` (not consumed); in a case/alt/pick/exception body
 * (clause), also up to the next qualifier. */
static int is_qual_start(Parser *p);

static LimboNode *
parse_stmts(Parser *p, const LimboToken *at, int clause)
{
	NodeVec v = {0};

	while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
		long before = p->consumed;
		int nerr0 = p->nerr;
		if (clause && is_qual_start(p))
			break;
		nv_push(&v, parse_stmt(p));
		after_item(p, nerr0, before);
	}
	return mkv(p, LIMBO_N_BLOCK, at, &v, 0);
}

LimboNode *
parse_block(Parser *p)
{
	LimboToken at = *TOK(p);
	LimboNode *b;

	if (!expect(p, LIMBO_T_LBRACE))
		return mk(p, LIMBO_N_BLOCK, &at, 0);
	b = parse_stmts(p, &at, 0);
	b->ival = TOK(p)->line; /* the closing brace's, for "no return" */
	expect(p, LIMBO_T_RBRACE);
	return b;
}

/* Does a qualifier (`... =>`) start here, rather than a statement? Looks
 * for => before any ; or { or } outside brackets. */
static int
is_qual_start(Parser *p)
{
	int depth = 0;

	for (size_t k = 0; k < LIMBO_MAX_LOOKAHEAD; k++) {
		switch (peekk(p, k)) {
		case LIMBO_T_LABS:
			if (depth == 0)
				return 1;
			break;
		case LIMBO_T_LPAREN:
		case LIMBO_T_LBRACK:
			depth++;
			break;
		case LIMBO_T_RPAREN:
		case LIMBO_T_RBRACK:
			if (--depth < 0)
				return 0;
			break;
		case LIMBO_T_LBRACE:
			if (depth == 0)
				return 0;
			depth++;
			break;
		case LIMBO_T_RBRACE:
			if (depth == 0)
				return 0;
			depth--;
			break;
		case LIMBO_T_SEMI:
		case LIMBO_T_EOF:
		case LIMBO_T_INCLUDE_DONE:
			return 0;
		}
	}
	return 0;
}

/* After `{`: qual => stmts ... up to `}` (consumed). */
static void
parse_clauses(Parser *p, NodeVec *out)
{
	while (KIND(p) != LIMBO_T_RBRACE && KIND(p) != LIMBO_T_EOF) {
		LimboToken at = *TOK(p);
		long before = p->consumed;
		int nerr0 = p->nerr;
		LimboNode *q = parse_quals(p), *c;
		if (!expect(p, LIMBO_T_LABS)) {
			after_item(p, nerr0, before);
			continue;
		}
		LimboToken bt = *TOK(p);
		c = mk2(p, LIMBO_N_CLAUSE, &at, q, parse_stmts(p, &bt, 1));
		nv_push(out, c);
		if (p->consumed == before)
			advance(p);
	}
	expect(p, LIMBO_T_RBRACE);
}

/* A loop, case, alt or pick statement, with its label (or NULL). */
static LimboNode *
labelled(Parser *p, const char *label)
{
	LimboToken t = *TOK(p);
	LimboNode *n;
	NodeVec v = {0};

	advance(p);
	switch (t.kind) {
	case LIMBO_T_FOR:
		n = mk(p, LIMBO_N_FOR, &t, 4);
		expect(p, LIMBO_T_LPAREN);
		if (KIND(p) != LIMBO_T_SEMI)
			n->kids[0] = parse_exp(p);
		expect(p, LIMBO_T_SEMI);
		if (KIND(p) != LIMBO_T_SEMI)
			n->kids[1] = parse_exp(p);
		expect(p, LIMBO_T_SEMI);
		if (KIND(p) != LIMBO_T_RPAREN)
			n->kids[2] = parse_exp(p);
		if (expect(p, LIMBO_T_RPAREN))
			n->kids[3] = parse_stmt(p);
		break;
	case LIMBO_T_WHILE:
		n = mk(p, LIMBO_N_WHILE, &t, 2);
		expect(p, LIMBO_T_LPAREN);
		if (KIND(p) != LIMBO_T_RPAREN)
			n->kids[0] = parse_exp(p);
		if (expect(p, LIMBO_T_RPAREN))
			n->kids[1] = parse_stmt(p);
		break;
	case LIMBO_T_DO:
		n = mk(p, LIMBO_N_DO, &t, 2);
		n->kids[0] = parse_stmt(p);
		expect(p, LIMBO_T_WHILE);
		expect(p, LIMBO_T_LPAREN);
		if (KIND(p) != LIMBO_T_RPAREN)
			n->kids[1] = parse_exp(p);
		expect(p, LIMBO_T_RPAREN);
		expect(p, LIMBO_T_SEMI);
		break;
	case LIMBO_T_CASE:
		nv_push(&v, parse_exp(p));
		if (expect(p, LIMBO_T_LBRACE))
			parse_clauses(p, &v);
		n = mkv(p, LIMBO_N_CASE, &t, &v, 0);
		break;
	case LIMBO_T_ALT:
		if (expect(p, LIMBO_T_LBRACE))
			parse_clauses(p, &v);
		n = mkv(p, LIMBO_N_ALT, &t, &v, 0);
		break;
	default: { /* PICK: pick id := exp { tag => ... } */
		LimboToken id = *TOK(p);
		if (expect(p, LIMBO_T_ID))
			nv_push(&v, mkname(p, &id));
		else
			nv_push(&v, NULL);
		expect(p, LIMBO_T_DECLAS);
		nv_push(&v, parse_exp(p));
		if (expect(p, LIMBO_T_LBRACE))
			parse_clauses(p, &v);
		n = mkv(p, LIMBO_N_PICK, &t, &v, 0);
		break;
	}
	}
	n->name = label;
	return n;
}

static int
is_labelled(int k)
{
	return k == LIMBO_T_FOR || k == LIMBO_T_WHILE || k == LIMBO_T_DO || k == LIMBO_T_CASE ||
	       k == LIMBO_T_ALT || k == LIMBO_T_PICK;
}

static LimboNode *
parse_stmt1(Parser *p)
{
	LimboToken t = *TOK(p);
	LimboNode *n;

	switch (t.kind) {
	case LIMBO_T_LBRACE:
		n = parse_block(p);
		if (KIND(p) == LIMBO_T_EXCEPTION) {
			/* { ... } exception [e] { "pat" => ... } */
			NodeVec v = {0};
			advance(p);
			nv_push(&v, n);
			if (KIND(p) == LIMBO_T_ID) {
				LimboToken id = *TOK(p);
				advance(p);
				nv_push(&v, mkname(p, &id));
			} else {
				nv_push(&v, NULL);
			}
			if (expect(p, LIMBO_T_LBRACE))
				parse_clauses(p, &v);
			n = mkv(p, LIMBO_N_EXCEPT, &t, &v, 0);
		}
		return n;
	case LIMBO_T_SEMI:
		advance(p);
		return mk(p, LIMBO_N_EMPTY, &t, 0);
	case LIMBO_T_IF:
		advance(p);
		n = mk(p, LIMBO_N_IF, &t, 3);
		expect(p, LIMBO_T_LPAREN);
		n->kids[0] = parse_exp(p);
		if (!expect(p, LIMBO_T_RPAREN))
			return n;
		n->kids[1] = parse_stmt(p);
		if (accept(p, LIMBO_T_ELSE))
			n->kids[2] = parse_stmt(p);
		return n;
	case LIMBO_T_FOR: case LIMBO_T_WHILE: case LIMBO_T_DO:
	case LIMBO_T_CASE: case LIMBO_T_ALT: case LIMBO_T_PICK:
		return labelled(p, NULL);
	case LIMBO_T_BREAK:
	case LIMBO_T_CONTINUE:
		advance(p);
		n = mk(p, t.kind == LIMBO_T_BREAK ? LIMBO_N_BREAK : LIMBO_N_CONTINUE, &t, 0);
		if (KIND(p) == LIMBO_T_ID) {
			n->name = TOK(p)->text;
			advance(p);
		}
		expect(p, LIMBO_T_SEMI);
		return n;
	case LIMBO_T_RETURN:
	case LIMBO_T_RAISE:
		advance(p);
		n = mk(p, t.kind == LIMBO_T_RETURN ? LIMBO_N_RETURN : LIMBO_N_RAISE, &t, 1);
		if (KIND(p) != LIMBO_T_SEMI)
			n->kids[0] = parse_exp(p);
		expect(p, LIMBO_T_SEMI);
		return n;
	case LIMBO_T_SPAWN:
		advance(p);
		n = mk1(p, LIMBO_N_SPAWN, &t, parse_exp(p));
		expect(p, LIMBO_T_SEMI);
		return n;
	case LIMBO_T_EXIT:
		advance(p);
		n = mk(p, LIMBO_N_EXIT, &t, 0);
		expect(p, LIMBO_T_SEMI);
		return n;
	case LIMBO_T_INCLUDE_DONE:
		return include_node(p);
	case LIMBO_T_ID: {
		size_t k = scan_ids(p);
		if (k == 1 && is_labelled(peekk(p, 2))) {
			advance(p);
			advance(p);
			return labelled(p, t.text);
		}
		if (k > 0) {
			LimboNode *ids = parse_ids(p, 0);
			expect(p, LIMBO_T_COLON);
			return decl_after_colon(p, &t, ids, CTX_STMT);
		}
		break;
	}
	}
	n = parse_exp(p);
	expect(p, LIMBO_T_SEMI);
	return n;
}

static LimboNode *
parse_stmt(Parser *p)
{
	LimboNode *n;

	if (!enter(p))
		return NULL;
	n = parse_stmt1(p);
	leave(p);
	return n;
}

/* name[polys](.name[polys])* (params): type { body } */
static LimboNode *
parse_fndef(Parser *p)
{
	LimboToken at = *TOK(p);
	LimboNode *name = NULL, *last = NULL, *fn, *n;

	for (;;) {
		LimboToken id = *TOK(p);
		if (!expect(p, LIMBO_T_ID))
			break;
		last = mk(p, LIMBO_N_NAME, &id, 1);
		last->name = id.text;
		last->kids[0] = parse_polydec(p);
		name = name == NULL ? last : mk2(p, LIMBO_N_DOT, &id, name, last);
		if (KIND(p) != LIMBO_T_DOT)
			break;
		advance(p);
	}
	fn = parse_fntype(p, &at, 1);
	/* The function's own type variables belong to its type, as in
	 * limbo.y's fndef; an adt's stay on its name. */
	if (last != NULL && fn->kids[2] == NULL) {
		fn->kids[2] = last->kids[0];
		last->kids[0] = NULL;
	}
	n = mk(p, LIMBO_N_FNDEF, &at, 3);
	n->kids[0] = name;
	n->kids[1] = fn;
	n->kids[2] = parse_block(p);
	return n;
}

static LimboNode *
parse_topdecl(Parser *p)
{
	LimboToken t = *TOK(p);
	LimboNode *n;

	switch (t.kind) {
	case LIMBO_T_INCLUDE_DONE:
		return include_node(p);
	case LIMBO_T_ID:
		if (scan_ids(p) > 0) {
			LimboNode *ids = parse_ids(p, 0);
			expect(p, LIMBO_T_COLON);
			return decl_after_colon(p, &t, ids, CTX_TOP);
		}
		switch (peekk(p, 1)) {
		case LIMBO_T_LPAREN:
		case LIMBO_T_DOT:
		case LIMBO_T_LBRACK:
			return parse_fndef(p);
		}
		break;
	case LIMBO_T_LPAREN:
	case LIMBO_T_NIL:
		break;
	default:
		synerr(p, "expected a declaration");
		return NULL;
	}
	/* name = exp; (a, b) := exp; at the top level */
	n = parse_exp(p);
	if (n != NULL && !(n->kind == LIMBO_N_DECLAS || (n->kind == LIMBO_N_ASSIGN && n->op == LIMBO_T_ASSIGN)))
		errat(p, t.file, t.line, "syntax error: expected a declaration");
	expect(p, LIMBO_T_SEMI);
	return n;
}

void
limbo_parse_unit(LimboLexer *lx, LimboUnit *u)
{
	Parser p = {0};
	NodeVec v = {0};
	LimboToken at;

	p.lx = lx;
	p.u = u;
	p.a = &u->arena;
	at = *TOK(&p);
	if (at.kind == LIMBO_T_IMPLEMENT) {
		advance(&p);
		nv_push(&v, mk1(&p, LIMBO_N_IMPLEMENT, &at, parse_ids(&p, 0)));
		expect(&p, LIMBO_T_SEMI);
	}
	/* Inferno's grammar wants at least one declaration; without this an
	 * empty file went on to the code generator, whose assembly then
	 * failed at a line of its own. */
	if (KIND(&p) == LIMBO_T_EOF)
		synerr(&p, "expected a declaration");
	while (KIND(&p) != LIMBO_T_EOF) {
		long before = p.consumed;
		int nerr0 = p.nerr;
		nv_push(&v, parse_topdecl(&p));
		after_item(&p, nerr0, before);
		if (p.consumed == before && KIND(&p) == LIMBO_T_RBRACE) {
			synerr(&p, "unmatched }");
			advance(&p);
		}
	}
	u->root = mkv(&p, LIMBO_N_PROGRAM, &at, &v, 0);
	if (u->root == &p.dummy)
		u->root = NULL;
	free(p.buf);
}
