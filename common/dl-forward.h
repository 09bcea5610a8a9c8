/* SPDX-License-Identifier: MIT */
/* A library loaded at its first use, its functions defined here under their own names, each
 * forwarding to the library's (db/db-pq.c, monitor/http-mhd.c): the callers keep the library's
 * header and calls, and a process that never calls one never maps the library and what it brings.
 *
 * A file lists the functions as X(return type, name, parameters, arguments, the answer without the
 * library) and V(name, parameters, arguments) for void ones, defines DL_TABLE (the struct of
 * pointers, made by DL_FIELD / DL_VFIELD) and DL_MISSING (its loader: NULL once loaded, else why not),
 * and makes the functions with LIST(DL_WRAP, DL_VWRAP). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define DL_FIELD(ret, name, params, args, none) ret(*name) params;
#define DL_VFIELD(name, params, args)           void(*name) params;
#define DL_NAME(ret, name, params, args, none)  #name,
#define DL_VNAME(name, params, args)            #name,
#define DL_WRAP(ret, name, params, args, none) \
        ret name params {                      \
                if (DL_MISSING())              \
                        return none;           \
                return DL_TABLE.name args;     \
        }
#define DL_VWRAP(name, params, args)        \
        void name params {                  \
                if (!DL_MISSING())          \
                        DL_TABLE.name args; \
        }

/* dlopen()s soname and resolves the n names into table, a struct of n function pointers in their
 * order: true when every one is there (all or nothing: a library without one is none this build
 * can use); else false and why[len] says why (dlerror's words, or the function missing). */
bool dl_forward_load(const char *soname, const char *const *names, void *table, size_t n, char *why, size_t len);
