/* SPDX-License-Identifier: MIT */
/* load-doc: the skytune.load/1 document and its per-interval records (docs/load.md). The intervals
 * go to a temporary file as they come (and to --out-ndjson), so that the document is written at the
 * end without holding them in memory. Every SUMMARY and INTERVAL carries "hdr", its latency histogram
 * in HdrHistogram's V2 compressed base64 (common/hdr-codec.h), which `skytune load merge` adds up;
 * the size of a record is measured in docs/load.md. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "error.h"
#include "run.h"

/* SUMMARY of r over span_s seconds. */
json_t *load_summary_json(const LoadgenResults *r, double span_s);
/* SUMMARY of one endpoint's share. */
json_t *load_entry_summary_json(const LoadgenEntryResults *e, double span_s);
/* INTERVAL (with_schema: as an NDJSON line, "schema": "skytune.load-interval/1"). */
json_t *load_interval_json(const LoadInterval *iv, bool with_schema);

/* One {"kind", "t_s", "value", "text"} onto a document's "markers" array a. */
void load_doc_marker_add(json_t *a, const char *kind, double t_s, double value, const char *text);

/* The document of a run, with "intervals" empty (load_doc_write() fills it from the writer). */
json_t *load_doc_build(const LoadRun *run);

typedef struct LoadDocWriter {
        FILE *intervals;                /* temporary: one compact record a line */
        FILE *ndjson;                   /* --out-ndjson; NULL: none */
        size_t n;
        int error;                      /* the first write error (-errno) */
} LoadDocWriter;

/* ndjson_path may be NULL. -errno with *e naming the file. */
int load_doc_writer_open(LoadDocWriter *w, const char *ndjson_path, Error *e);
/* One record into both (errors are kept for load_doc_write()). */
void load_doc_writer_add(LoadDocWriter *w, const LoadInterval *iv);
/* The whole document (doc from load_doc_build) to out, its intervals spliced in from the writer.
 * compact: one line (else indented). -EIO when any write failed. */
int load_doc_write(LoadDocWriter *w, const json_t *doc, FILE *out, bool compact);
void load_doc_writer_close(LoadDocWriter *w);

/* Reads a skytune.load/1 document (skytune report, load merge). -EINVAL with *e when it is not one. */
int load_doc_read(const char *path, json_t **ret, Error *e);
