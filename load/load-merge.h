/* SPDX-License-Identifier: MIT */
/* load-merge: the skytune.load/1 documents of the agents of one run (`--segment i/N`) made into one
 * (`skytune load merge`, docs/load.md). Counters are added; latency histograms are the sums of the
 * agents' `hdr` fields, so that the merged percentiles are those of one histogram of every request;
 * intervals are aligned on the global time axis (each agent's `started` plus its `start_s`, rounded
 * to the interval length) and added; the thresholds are judged again on the merged data
 * (threshold-eval.h). The distributions without a histogram in the document (service time,
 * lateness, connect ...) keep their exact count, mean and max, and as percentiles the largest of the
 * agents' (a percentile of the merged requests lies between the agents' values). Library code:
 * nothing printed. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "error.h"

typedef struct LoadMergeInput {
        const char *path;  /* named in errors and in client.agents */
        const json_t *doc; /* as load_doc_read() returned it */
} LoadMergeInput;

/* The merged document into *ret. Its verdict.exit: 5 when an agent was client-bound or interrupted
 * or the agents' segments do not make one load (an index twice, a count that is not the number of
 * documents), else 1 when nothing completed, 4 when a threshold fails on the merged data, else 0;
 * verdict.reason says which agent and why. -EINVAL with *e naming the file when a document is not a
 * run's (a member missing or of the wrong type, no "hdr"), or is of another scenario, interval or
 * set of thresholds than the first; -ENOMEM. */
int load_merge(const LoadMergeInput *in, size_t n, json_t **ret, Error *e);
