/*
 * Polymorphism in the checker (limbo/poly.c): instantiated adts
 * (Stack[string]), binding a polymorphic function's type variables to a
 * call's argument types, and substituting the bindings into a type.
 *
 * An instance shares its adt's fields (a type variable is one pointer
 * word, so the layout is the same for every instance); its polys are the
 * bindings, in the order of the adt's type variables: a TYPE declaration
 * named like the variable whose ty is the type argument.
 *
 * Follows: inferno-os limbo/types.b (Tinst, expandtype, tunify) and
 * typecheck.b (Ocall of a polymorphic function).
 */
#ifndef LIMBO_POLY_H
#define LIMBO_POLY_H

#include "limbo/check.h"

enum { LIMBO_MAXBINDS = 32 };

typedef struct LimboBinds {
	const LimboDecl *poly[LIMBO_MAXBINDS];
	LimboType *ty[LIMBO_MAXBINDS];
	int n;
} LimboBinds;

/* adt[args...]: an instance, or the error type after a message. */
LimboType *limbo_poly_inst(LimboChecker *c, LimboType *adt, LimboType **args, int nargs, const LimboNode *at);
/* Is t an instance of a polymorphic adt? */
int limbo_poly_isinst(const LimboType *t);
/* The type bound to type variable poly, or NULL. */
LimboType *limbo_poly_bound(const LimboBinds *b, const LimboDecl *poly);
/* Binds the type variables in pt (a parameter's type) to the matching
 * parts of at (an argument's type); 0 when they cannot match. */
int limbo_poly_bind(LimboType *pt, LimboType *at, LimboBinds *b, int depth);
/* t with the bound type variables replaced. */
LimboType *limbo_poly_subst(LimboChecker *c, LimboType *t, const LimboBinds *b, int depth);
/* The bindings an instance makes of its adt's type variables. */
void limbo_poly_instbinds(const LimboType *inst, LimboBinds *b);

#endif
