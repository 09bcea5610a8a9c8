/* SPDX-License-Identifier: MIT */
/* The documents of the read methods (ListTransactions, ListTransactionsPage, GetTransaction), bounded
 * in cost and size: lists come from the summary index (journal-index.c), a list reply holds every
 * applied or unfinished transaction and the newest HELPER_LIST_FINISHED_MAX finished ones as far as
 * they fit in HELPER_LIST_REPLY_MAX bytes, and a page at most HELPER_PAGE_MAX. Callers without the read action
 * get the redacted view: no owned file contents (old and new), no caller uids. */
#include <string.h>

#include "helper-core.h"
#include "json-util.h"
#include "log.h"
#include "schema.h"

void journal_redact(json_t *tx) {
        (void) json_object_del(tx, "caller_uid");
        json_t *v = json_object_get(tx, "verification");
        if (v) {
                /* Summaries share their verification with the index: take a copy before changing it. */
                json_t *copy = json_copy(v);
                if (copy) {
                        (void) json_object_del(copy, "recorded_by_uid");
                        json_object_set_new(tx, "verification", copy);
                } else
                        (void) json_object_del(tx, "verification");
        }
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(tx, "files"), i, f) {
                (void) json_object_del(f, "old_content");
                (void) json_object_del(f, "new_content");
        }
        json_object_set_new(tx, "redacted", json_true());
}

static json_t *summary_view(json_t *s, bool full) {
        if (full)
                return json_incref(s);
        json_t *v = json_copy(s);        /* shallow: the index keeps its own */
        if (v)
                journal_redact(v);
        return v;
}

static size_t dumped_size(const json_t *s) {
        return json_dumpb(s, NULL, 0, JSON_COMPACT) + 1;
}

static bool unfinished_or_applied(const json_t *s) {
        return jstreq(s, "state", "applied") || jstreq(s, "state", "applying") || jstreq(s, "state", "rolling-back");
}

/* Summaries from index end - 1 down, newest first, until limit finished ones (or, with keep_owned,
 * whatever else) or the byte cap; appended oldest first. *ret_next: whether older ones were left out. */
static int collect(const json_t *all, size_t end, bool full, size_t limit, bool keep_owned, json_t *out, bool *ret_next) {
        size_t bytes = 0, finished = 0;
        json_auto_t *picked = json_array();
        if (!picked)
                return -ENOMEM;
        *ret_next = false;
        for (size_t i = end; i > 0; i--) {
                json_t *s = json_array_get(all, i - 1);
                if (!(keep_owned && unfinished_or_applied(s))) {
                        bool full_page = finished >= limit || (finished > 0 && bytes + dumped_size(s) > HELPER_LIST_REPLY_MAX);
                        if (full_page) {
                                *ret_next = true;
                                if (!keep_owned)
                                        break;
                                continue;
                        }
                        bytes += dumped_size(s);
                        finished++;
                }
                if (json_array_append_new(picked, summary_view(s, full)) < 0)
                        return -ENOMEM;
        }
        for (size_t i = json_array_size(picked); i > 0; i--)
                if (json_array_append(out, json_array_get(picked, i - 1)) < 0)
                        return -ENOMEM;
        return 0;
}

int read_list(Helper *h, bool full, json_t **ret) {
        const json_t *all;
        int r = journal_summaries(h, &all);
        if (r < 0)
                return r;
        json_auto_t *list = json_array();
        bool next;
        if (!list)
                return -ENOMEM;
        r = collect(all, json_array_size(all), full, HELPER_LIST_FINISHED_MAX, true, list, &next);
        if (r < 0)
                return r;
        json_int_t omitted = (json_int_t) (json_array_size(all) - json_array_size(list));
        *ret = json_pack("{s:s, s:O, s:I}", "schema", TXLIST_SCHEMA, "transactions", list, "omitted", omitted);
        return *ret ? 0 : -ENOMEM;
}

int read_page(Helper *h, bool full, const char *before, uint32_t limit, json_t **ret) {
        const json_t *all;
        int r = journal_summaries(h, &all);
        if (r < 0)
                return r;
        size_t end = json_array_size(all);
        if (!isempty(before))
                while (end > 0 && strcmp(json_string_value(json_object_get(json_array_get(all, end - 1), "id")), before) >= 0)
                        end--;
        json_auto_t *list = json_array();
        bool next;
        if (!list)
                return -ENOMEM;
        r = collect(all, end, full, limit == 0 || limit > HELPER_PAGE_MAX ? HELPER_PAGE_MAX : limit, false, list, &next);
        if (r < 0)
                return r;
        const char *first = json_string_value(json_object_get(json_array_get(list, 0), "id"));
        *ret = json_pack("{s:s, s:O, s:b, s:s?}", "schema", TXLIST_SCHEMA, "transactions", list, "more", next, "next",
                         next ? first : NULL);
        return *ret ? 0 : -ENOMEM;
}

static bool file_matches(const char *cur, bool cur_exists, const char *content, bool should_exist) {
        if (!cur_exists || !should_exist)
                return cur_exists == should_exist;
        return content && strcmp(cur, content) == 0;
}

int tx_annotate_live(Helper *h, json_t *tx) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c) {
                if (!jstreq(c, "status", "applied"))
                        continue;
                TunableKind kind = tunable_kind_from_string(jstr(c, "kind"));
                _cleanup_free_ char *cur = NULL;
                int r = writer_read(h, kind, jstr(c, "key"), &cur);
                set_str(c, "live", r >= 0 ? cur : NULL);
                json_object_set_new(c, "drift", json_boolean(r < 0 || !tunable_values_equal(kind, jstr(c, "key"), cur, jstr(c, "new"))));
        }
        json_t *f;
        json_array_foreach(json_object_get(tx, "files"), i, f) {
                if (!jstreq(f, "status", "written"))
                        continue;
                _cleanup_free_ char *cur = NULL;
                bool exists;
                int r = persist_read_file(h, jstr(f, "path"), &cur, &exists);
                json_object_set_new(f, "drift", json_boolean(r < 0 || !file_matches(cur, exists, jstr(f, "new_content"), true)));
        }
        return 0;
}


static int load_last_applied(Helper *h, json_t **ret) {
        _cleanup_free_ char *id = NULL;
        int r = journal_last_applied(h, &id);
        return r < 0 ? r : journal_load(h, id, ret);
}

int read_get(Helper *h, const char *id, bool full, json_t **ret, Error *error) {
        json_auto_t *tx = NULL;
        bool last = isempty(id) || strcmp(id, "last") == 0;
        if (!last && !tx_id_valid(id))
                return error_set(error, -EINVAL, "invalid transaction id");
        int r = last ? load_last_applied(h, &tx) : journal_load(h, id, &tx);
        if (r == -ENOENT)
                return last ? error_set(error, -ENOENT, "no applied transaction")
                            : error_set(error, -ENOENT, "no transaction %s", id);
        if (r < 0)
                return error_set(error, helper_failure(r), "cannot read transaction %s: %s", last ? "last" : id,
                                 r == -EBADMSG ? "its journal file is corrupt and was moved aside" : strerror(-r));
        tx_annotate_live(h, tx);
        if (!full)
                journal_redact(tx);
        *ret = TAKE_PTR(tx);
        return 0;
}

