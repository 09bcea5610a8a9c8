/* SPDX-License-Identifier: MIT */
/* The skytune.db-advise/1 document: the facts the rules weighed (server, host, evidence) and the
 * advice (docs/db.md, "Advise"). */
#include "db-advise.h"
#include "macro.h"
#include "schema.h"

static json_t *count_or_null(uint64_t v) {
        return v ? json_integer((json_int_t) v) : json_null();
}

static json_t *host_json(const DbAdviseFacts *f) {
        const DbAdviseHost *h = &f->host;
        json_t *o = json_object();
        json_object_set_new(o, "mem_total_bytes", count_or_null(h->mem_total));
        json_object_set_new(o, "huge_pages_total",
                            h->huge_size ? json_integer((json_int_t) h->huge_total) : json_null());
        json_object_set_new(o, "huge_pages_free", h->huge_size ? json_integer((json_int_t) h->huge_free) : json_null());
        json_object_set_new(o, "huge_page_bytes", count_or_null(h->huge_size));
        json_object_set_new(o, "data_device", json_string(h->device));
        json_object_set_new(o, "rotational", h->rotational < 0 ? json_null() : json_boolean(h->rotational));
        return o;
}

static json_t *evidence_json(const DbAdviseFacts *f) {
        json_t *o = json_object();
        json_object_set_new(o, "mode", json_string(f->window_s > 0 ? "window" : "since_reset"));
        json_object_set_new(o, "window_s", f->window_s > 0 ? json_real(f->window_s) : json_null());
        json_object_set_new(o, "stats_reset", f->stats_reset[0] ? json_string(f->stats_reset) : json_null());
        json_object_set_new(o, "temp_files", json_integer(f->temp_files));
        json_object_set_new(o, "temp_bytes", json_integer(f->temp_bytes));
        json_object_set_new(o, "transactions", json_integer(f->transactions));
        json_object_set_new(o, "peak_connections", json_integer(f->peak_connections));
        json_object_set_new(o, "sweep_clients", f->sweep_clients ? json_integer(f->sweep_clients) : json_null());
        return o;
}

json_t *db_advise_doc(const DbAdviseFacts *f, const char *dsn, const char *server_version) {
        json_t *doc = json_object(), *srv = json_object(), *advice = db_advise_rules(f);
        json_object_set_new(srv, "dsn", json_string(dsn ? dsn : ""));
        json_object_set_new(srv, "database", json_string(f->database));
        json_object_set_new(srv, "version", json_string(server_version ? server_version : ""));
        json_object_set_new(srv, "local", json_boolean(f->server_local));
        json_object_set_new(srv, "data_directory", f->data_directory[0] ? json_string(f->data_directory) : json_null());
        size_t i, changes = 0;
        json_t *a;
        json_array_foreach(advice, i, a)
                changes += json_is_true(json_object_get(a, "change"));
        json_object_set_new(doc, "schema", json_string(DB_ADVISE_SCHEMA));
        json_object_set_new(doc, "command", json_string("advise"));
        json_object_set_new(doc, "server", srv);
        json_object_set_new(doc, "host", host_json(f));
        json_object_set_new(doc, "evidence", evidence_json(f));
        json_object_set_new(doc, "changes", json_integer((json_int_t) changes));
        json_object_set_new(doc, "advice", advice);
        return doc;
}
