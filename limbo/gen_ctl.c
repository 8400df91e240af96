/*
 * case, alt, spawn, channels, exceptions and function values.
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

GOpd g_recv(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "receive"); return g_none; }
void g_send(G *g, const LimboNode *n) { g_notimpl(g, n, "send"); }
GOpd g_channew(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "chan of"); return g_none; }
void g_spawn(G *g, const LimboNode *n) { g_notimpl(g, n, "spawn"); }
void g_alt(G *g, const LimboNode *n) { g_notimpl(g, n, "alt"); }
void g_case(G *g, const LimboNode *n) { g_notimpl(g, n, "case"); }
void g_except(G *g, const LimboNode *n) { g_notimpl(g, n, "exception handlers"); }
void g_raise(G *g, const LimboNode *n) { g_notimpl(g, n, "raise"); }
GOpd g_fnref(G *g, const LimboNode *n, const GOpd *dst) { (void)dst; g_notimpl(g, n, "function values"); return g_none; }
