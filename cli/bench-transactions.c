/* SPDX-License-Identifier: MIT */
/* The active skytune transactions a benchmark run records (docs/bench.md): asked of skytune-helper
 * without a word when it cannot answer, since a benchmark run must not need the helper. */
#include <stdlib.h>
#include <systemd/sd-event.h>

#include "bench-tx.h"
#include "client.h"
#include "verb-bench.h"

/* How long one call may take: a hung helper delays the run by at most twice this (the list, then
 * the first GetTransaction that does not answer ends the asking). */
#define TX_TIMEOUT_USEC (5 * UINT64_C(1000000))
/* GetTransaction for at most this many (the tunables of the rest are not named). */
#define TX_MAX_DETAILED 32

typedef struct Reply {
        bool done;
        json_t *doc;
} Reply;

static void on_reply(void *userdata, json_t *doc, const char *why) {
        Reply *w = userdata;
        w->done = true;
        w->doc = doc;
}

/* One call (GetTransaction(id), or ListTransactions with id NULL) waited for on e; NULL: no answer. */
static json_t *ask(sd_event *e, const char *id) {
        Reply w = {};
        HelperAsync *a = NULL;
        int r = id ? helper_client_get_async(e, TX_TIMEOUT_USEC, id, on_reply, &w, &a)
                   : helper_client_list_async(e, TX_TIMEOUT_USEC, on_reply, &w, &a);
        while (r >= 0 && !w.done)
                r = sd_event_run(e, UINT64_MAX);
        helper_client_async_free(a);
        return w.doc;
}

json_t *bench_active_transactions(void) {
        sd_event *e = NULL;
        if (sd_event_new(&e) < 0)
                return NULL;
        json_t *list = ask(e, NULL), *active = bench_tx_active(list);
        size_t i;
        json_t *t;
        bool answers = true; /* after one GetTransaction without an answer, no more waits */
        json_array_foreach(active, i, t) {
                json_t *tx =
                        answers && i < TX_MAX_DETAILED ? ask(e, json_string_value(json_object_get(t, "id"))) : NULL;
                answers = answers && tx;
                if (tx && bench_tx_add_tunables(t, tx) < 0) {
                        json_decref(tx);
                        json_decref(active);
                        active = NULL;
                        break;
                }
                json_decref(tx);
        }
        json_decref(list);
        sd_event_unref(e);
        return active;
}
