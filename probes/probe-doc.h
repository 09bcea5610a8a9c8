/* SPDX-License-Identifier: MIT */
/* The skytune.probe/1 document: written and read here, nowhere else. */
#pragma once

#include <jansson.h>

#include "error.h"
#include "probe.h"
#include "verify.h"

/* schema, version, host and config of a new document. */
void probe_doc_set_header(json_t *doc, const ProbeConfig *cfg, const char *version);
/* A saved document: -EINVAL with *e when it cannot be read or is no skytune.probe/1. */
int probe_doc_load(const char *path, json_t **ret, Error *e);
/* The target an entry ran against (its backend's target option: http's "url"), or NULL. */
const char *probe_doc_entry_target(const json_t *entry);
/* The run in probes (an array of entries) of the same backend and target as like; NULL: none. */
const json_t *probe_doc_find(const json_t *probes, const json_t *like);
/* Every metric of every run in probes that base also has: base's samples against these (A, B),
 * decided like apply --verify. Runs base lacks are left out. */
int probe_doc_compare(const json_t *base, const json_t *probes, VerifyResult **ret, Error *e);
