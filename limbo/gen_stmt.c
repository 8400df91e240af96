/*
 * Statements: blocks and declarations, expression statements, if, the
 * loops (for, while, do) with labelled break and continue, return and
 * exit. case, alt, pick, spawn, raise and exception handlers are in
 * gen_ctl.c and gen_data.c. Temporaries live for one statement.
 *
 * Follows: limbo.ms (statements); inferno-os limbo/gen.b and com.b (loops
 * test their condition at the top; break and continue are jumps patched
 * when the loop ends).
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

static void
local_vars(G *g, const LimboNode *n)
{
	const LimboNode *ids = n->kids[0];

	for (int i = 0; ids != NULL && i < ids->nkids; i++) {
		const LimboNode *k = ids->kids[i];
		if (k == NULL || k->decl == NULL)
			continue;
		k->decl->offset = limbo_cg_local(g, k->decl->ty, k);
		if (n->kids[2] != NULL) {
			GOpd d = limbo_cg_opd(G_FP, k->decl->offset, 0);
			limbo_cg_expt(g, n->kids[2], k->decl->ty, &d);
		}
	}
}

static GLoop *
push_loop(G *g, const LimboNode *n, int iscase)
{
	GLoop *l;

	if (g->nloops == G_MAXLOOPS) {
		limbo_cg_notimpl(g, n, "loops nested this deeply");
		return NULL;
	}
	l = &g->loops[g->nloops++];
	memset(l, 0, sizeof *l);
	l->label = n->name;
	l->iscase = iscase;
	return l;
}

/* Ends the innermost loop: breaks go to brkpc, continues to contpc. */
static void
pop_loop(G *g, int brkpc, int contpc)
{
	GLoop *l = &g->loops[--g->nloops];

	limbo_cg_jumps_patch(g, &l->brk, brkpc);
	limbo_cg_jumps_patch(g, &l->cont, contpc);
}

static void
jump_out(G *g, const LimboNode *n, int iscont)
{
	for (int i = g->nloops - 1; i >= 0; i--) {
		GLoop *l = &g->loops[i];
		if (n->name != NULL && (l->label == NULL || strcmp(l->label, n->name) != 0))
			continue;
		if (iscont && l->iscase)
			continue;
		limbo_cg_jumps_add(g, iscont ? &l->cont : &l->brk, limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none));
		return;
	}
	limbo_cg_notimpl(g, n, iscont ? "continue outside a loop" : "break outside a loop");
}

static void
loop(G *g, const LimboNode *n, const LimboNode *init, const LimboNode *c, const LimboNode *step,
     const LimboNode *body, int isdo)
{
	GJumps out = {0};
	int top, contpc;

	if (init != NULL)
		limbo_cg_stmt(g, init);
	if (push_loop(g, n, 0) == NULL)
		return;
	top = limbo_cg_pc(g);
	if (c != NULL && !isdo) {
		int mark = limbo_cg_tmpmark(g);
		limbo_cg_cond(g, c, 0, &out);
		limbo_cg_tmprelease(g, mark);
	}
	limbo_cg_stmt(g, body);
	contpc = limbo_cg_pc(g);
	if (step != NULL)
		limbo_cg_stmt(g, step);
	if (isdo && c != NULL) {
		GJumps back = {0};
		int mark = limbo_cg_tmpmark(g);
		limbo_cg_cond(g, c, 1, &back);
		limbo_cg_tmprelease(g, mark);
		limbo_cg_jumps_patch(g, &back, top);
	} else {
		limbo_cg_emit(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none, limbo_cg_opd(G_IMM, top, 0));
	}
	limbo_cg_jumps_patch(g, &out, limbo_cg_pc(g));
	pop_loop(g, limbo_cg_pc(g), contpc);
}

void
limbo_cg_loop_begin(G *g, const LimboNode *n)
{
	(void)push_loop(g, n, 1);
}

void
limbo_cg_loop_end(G *g)
{
	pop_loop(g, limbo_cg_pc(g), limbo_cg_pc(g));
}

static void
ret(G *g, const LimboNode *n)
{
	if (n->kids[0] != NULL) {
		LimboType *rt = g->fnty->of;
		GOpd d = limbo_cg_opd(G_IFP, DIS_REGRET * 4, 0);
		limbo_cg_expt(g, n->kids[0], rt, &d);
	}
	limbo_cg_emit(g, DIS_OP_RET, limbo_cg_none, limbo_cg_none, limbo_cg_none);
}

void
limbo_cg_stmt(G *g, const LimboNode *n)
{
	int mark;
	GJumps f = {0};

	if (n == NULL || g->failed)
		return;
	mark = limbo_cg_tmpmark(g);
	switch (n->kind) {
	case LIMBO_N_BLOCK:
		for (int i = 0; i < n->nkids && !g->failed; i++)
			limbo_cg_stmt(g, n->kids[i]);
		break;
	case LIMBO_N_EMPTY: case LIMBO_N_CONDECL: case LIMBO_N_TYPEDECL: case LIMBO_N_IMPORTDECL:
	case LIMBO_N_EXCDECL:
		break;
	case LIMBO_N_VARDECL:
		local_vars(g, n);
		break;
	case LIMBO_N_IF:
		limbo_cg_cond(g, n->kids[0], 0, &f);
		limbo_cg_tmprelease(g, mark);
		limbo_cg_stmt(g, n->kids[1]);
		if (n->kids[2] != NULL) {
			int j = limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none);
			limbo_cg_jumps_patch(g, &f, limbo_cg_pc(g));
			limbo_cg_stmt(g, n->kids[2]);
			limbo_cg_patch(g, j, limbo_cg_pc(g));
		} else {
			limbo_cg_jumps_patch(g, &f, limbo_cg_pc(g));
		}
		break;
	case LIMBO_N_FOR:
		loop(g, n, n->kids[0], n->kids[1], n->kids[2], n->kids[3], 0);
		break;
	case LIMBO_N_WHILE:
		loop(g, n, NULL, n->kids[0], NULL, n->kids[1], 0);
		break;
	case LIMBO_N_DO:
		loop(g, n, NULL, n->kids[1], NULL, n->kids[0], 1);
		break;
	case LIMBO_N_BREAK:
		jump_out(g, n, 0);
		break;
	case LIMBO_N_CONTINUE:
		jump_out(g, n, 1);
		break;
	case LIMBO_N_RETURN:
		ret(g, n);
		break;
	case LIMBO_N_EXIT:
		limbo_cg_emit(g, DIS_OP_EXIT, limbo_cg_none, limbo_cg_none, limbo_cg_none);
		break;
	case LIMBO_N_CASE:
		limbo_cg_case(g, n);
		break;
	case LIMBO_N_ALT:
		limbo_cg_alt(g, n);
		break;
	case LIMBO_N_PICK:
		limbo_cg_pick(g, n);
		break;
	case LIMBO_N_SPAWN:
		limbo_cg_spawn(g, n);
		break;
	case LIMBO_N_RAISE:
		limbo_cg_raise(g, n);
		break;
	case LIMBO_N_EXCEPT:
		limbo_cg_except(g, n);
		break;
	case LIMBO_N_POSTOP: {
		/* x++ as a statement: its old value is not needed */
		LimboNode pre = *n;
		pre.kind = LIMBO_N_UNOP;
		(void)limbo_cg_exp(g, &pre, NULL);
		break;
	}
	default:
		(void)limbo_cg_exp(g, n, NULL);
		break;
	}
	limbo_cg_tmprelease(g, mark);
}
