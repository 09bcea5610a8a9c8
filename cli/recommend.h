/* SPDX-License-Identifier: MIT */
/* skytune recommend: which shipped policy fits a host. Each signal is a table entry
 * (verb-recommend-signals.c) that reads the profile, and on a live host also what the profile does
 * not keep (running process names, listening TCP ports), and says why in one evidence line. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "schema.h"
#include "sysroot.h"

#define RECOMMEND_MAX_PORTS 64

/* What a host shows beyond its profile (only when profiling it now). */
typedef struct HostExtras {
        bool present;                   /* read from the host (not a saved profile) */
        char **comms;                   /* distinct process names */
        size_t n_comms;
        unsigned listen[RECOMMEND_MAX_PORTS];   /* listening TCP ports (v4 and v6), first ones */
        size_t n_listen;
        unsigned long long web_estab;   /* established connections on local port 80 or 443 */
} HostExtras;

/* Process names and TCP sockets through root; what cannot be read is left empty. -ENOMEM only. */
int host_extras_read(const Sysroot *root, HostExtras *ret);
void host_extras_done(HostExtras *x);

/* Every policy with the evidence for it: [{policy, role, score, evidence: [..]}], best first (only
 * policies with evidence), and the recommended name (balanced when nothing points elsewhere). */
int recommend_evaluate(const json_t *profile, const HostExtras *x, json_t **ret_candidates, const char **ret_best);
