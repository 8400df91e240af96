/*
 * Adts, tuples, pick, ref, arrays, slices, lists and strings.
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

GOpd g_dot(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "member access"); return g_none; }
GOpd g_dot_lval(G *g, const LimboNode *n) { g_notimpl(g, n, "member access"); return g_none; }
GOpd g_index(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "indexing"); return g_none; }
GOpd g_index_lval(G *g, const LimboNode *n) { g_notimpl(g, n, "indexing"); return g_none; }
void g_string_store(G *g, const LimboNode *l, GOpd c) { (void)c; g_notimpl(g, l, "string element assignment"); }
GOpd g_slice(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "slices"); return g_none; }
void g_slice_assign(G *g, const LimboNode *l, const LimboNode *r) { (void)r; g_notimpl(g, l, "slice assignment"); }
GOpd g_tuple(G *g, const LimboNode *n, LimboType *t, const GOpd *dst) { (void)t; (void)dst; g_notimpl(g, n, "tuples"); return g_none; }
GOpd g_construct(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "adt values"); return g_none; }
GOpd g_ref(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "ref"); return g_none; }
GOpd g_arraynew(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "arrays"); return g_none; }
GOpd g_listnew(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "list of"); return g_none; }
GOpd g_cons(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "::"); return g_none; }
void g_pick(G *g, const LimboNode *n) { g_notimpl(g, n, "pick"); }
