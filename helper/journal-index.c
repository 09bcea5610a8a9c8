/* SPDX-License-Identifier: MIT */
/* Summaries of the journal, cheap enough for any caller to ask for often: each file is parsed once
 * and its summary kept with the file's stat stamp (inode, size, mtime, ctime, and the same for its
 * .progress record); a listing re-reads only the files whose stamp changed. A stamp taken within
 * STAMP_SETTLE_NSEC of the read is not trusted (file times come from a clock that ticks in
 * milliseconds, so a rewrite in the same tick could keep it): such a file is parsed again until its
 * times are older than that, the way git treats racily clean index entries. Every journal save
 * renames a file into tx/ (temp file, then rename), so while the directory's own stamp stands and
 * is settled, not even the files are looked at. Retention (journal_prune) works from the same
 * summaries. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helper-core.h"
#include "json-util.h"
#include "log.h"

#define STAMP_SETTLE_NSEC (100 * INT64_C(1000000))

typedef struct Stamp {
        bool exists;
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime, ctime;
} Stamp;

typedef struct IndexEntry {
        char *id;
        Stamp json, progress;
        struct timespec read_at;
        json_t *summary;
        bool undone;                /* provably rolled back, nothing left to undo: retention may remove it */
} IndexEntry;

struct JournalIndex {
        IndexEntry *entries;        /* sorted by id, that is by time */
        size_t n;
        json_t *list;               /* the summaries as handed out (borrowed by the caller) */
        Stamp dir;                  /* tx/ itself when this was read: every save renames a file into it */
        struct timespec read_at;
};

static void entries_free(IndexEntry *e, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(e[i].id);
                json_decref(e[i].summary);
        }
        free(e);
}

void journal_index_free(Helper *h) {
        if (!h->index)
                return;
        entries_free(h->index->entries, h->index->n);
        json_decref(h->index->list);
        free(h->index);
        h->index = NULL;
}

static int64_t ts_nsec(struct timespec t) {
        return (int64_t) t.tv_sec * 1000000000 + t.tv_nsec;
}

static void stamp_of(int dfd, const char *name, Stamp *ret) {
        struct stat st;
        *ret = (Stamp) {};
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return;
        *ret = (Stamp) { .exists = true, .dev = st.st_dev, .ino = st.st_ino, .size = st.st_size, .mtime = st.st_mtim,
                         .ctime = st.st_ctim };
}

static bool stamp_same(const Stamp *a, const Stamp *b) {
        return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
               ts_nsec(a->mtime) == ts_nsec(b->mtime) && ts_nsec(a->ctime) == ts_nsec(b->ctime);
}

static bool stamp_settled(const Stamp *s, struct timespec read_at) {
        int64_t limit = ts_nsec(read_at) - STAMP_SETTLE_NSEC;
        return !s->exists || (ts_nsec(s->mtime) < limit && ts_nsec(s->ctime) < limit);
}

static unsigned count_status(const json_t *tx, const char *status) {
        unsigned n = 0;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c)
                n += jstreq(c, "status", status);
        return n;
}

static json_t *summarize(const json_t *tx) {
        return json_pack("{s:O, s:O, s:O?, s:O?, s:O?, s:O?, s:I, s:I, s:O?, s:O?, s:O*}", "id", json_object_get(tx, "id"), "state",
                         json_object_get(tx, "state"), "created", json_object_get(tx, "created"), "updated",
                         json_object_get(tx, "updated"), "persist", json_object_get(tx, "persist"), "caller_uid",
                         json_object_get(tx, "caller_uid"), "changes", (json_int_t) json_array_size(json_object_get(tx, "changes")),
                         "applied", (json_int_t) count_status(tx, "applied"), "conflicts", json_object_get(tx, "conflicts"), "failures",
                         json_object_get(tx, "failures"), "verification", json_object_get(tx, "verification"));
}

static bool counter_zero(const json_t *tx, const char *k) {
        const json_t *v = json_object_get(tx, k);
        return json_is_integer(v) && json_integer_value(v) == 0;
}

/* Provably undone: a finished state, a rollback that ran to its end (rolled_back, both counters present
 * and 0), and every change and file it had written back with an outcome (tx_undo's vocabulary) that
 * leaves nothing live. A "failed" apply whose rollback never ran keeps its changes "applied" with no
 * outcome: that record is the only way to undo them, so anything short of this keeps the file. */
static bool undone(const json_t *tx) {
        static const char *const finished[] = { "rolled-back", "recovered", "failed", NULL };
        static const char *const live[] = { "applied", "pending", "failed", NULL },
                                 *const written[] = { "written", "pending", "failed", NULL };
        static const char *const change_done[] = { "restored", "unchanged", "forced", "obsolete", NULL };
        static const char *const file_done[] = { "restored", "unchanged", NULL };
        if (!jstr_in(tx, "state", finished) || !jstr(tx, "rolled_back") || !counter_zero(tx, "conflicts") ||
            !counter_zero(tx, "failures"))
                return false;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c)
                if (!jstr(c, "status") || (jstr_in(c, "status", live) && !jstr_in(c, "rollback", change_done)))
                        return false;
        json_array_foreach(json_object_get(tx, "files"), i, c)
                if (!jstr(c, "status") || (jstr_in(c, "status", written) && !jstr_in(c, "rollback", file_done)))
                        return false;
        return true;
}

static int by_id(const void *a, const void *b) {
        return strcmp(((const IndexEntry *) a)->id, ((const IndexEntry *) b)->id);
}

/* The entry for one <id>.json: the cached one when its stamps still hold, else read afresh. Returns 0
 * with *e filled, or a negative errno (the file is skipped: gone, or corrupt and moved aside). */
static int entry_for(Helper *h, const char *name, const JournalIndex *old, IndexEntry *e) {
        _cleanup_free_ char *id = strndup(name, strlen(name) - 5), *progress = NULL;
        if (!id || asprintf(&progress, "%s.progress", id) < 0)
                return -ENOMEM;
        if (!tx_id_valid(id))
                return -EINVAL;
        IndexEntry key = { .id = id };
        *e = key;
        stamp_of(h->tx_fd, name, &e->json);
        stamp_of(h->tx_fd, progress, &e->progress);
        IndexEntry *hit = old && old->n ? bsearch(&key, old->entries, old->n, sizeof(key), by_id) : NULL;
        if (hit && hit->summary && stamp_same(&hit->json, &e->json) && stamp_same(&hit->progress, &e->progress) &&
            stamp_settled(&e->json, hit->read_at) && stamp_settled(&e->progress, hit->read_at)) {
                e->read_at = hit->read_at;
                e->summary = json_incref(hit->summary);
                e->undone = hit->undone;
        } else {
                clock_gettime(CLOCK_REALTIME, &e->read_at);
                json_auto_t *tx = NULL;
                int r = journal_load(h, id, &tx);
                if (r < 0)
                        return r;
                e->summary = summarize(tx);
                e->undone = undone(tx);
                if (!e->summary)
                        return -ENOMEM;
        }
        e->id = TAKE_PTR(id);
        return 0;
}

static int scan(Helper *h, JournalIndex *old, IndexEntry **ret, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = NULL;
        int r = journal_open_dir(h, &d);
        if (r < 0)
                return r;
        IndexEntry *v = NULL;
        size_t n = 0, allocated = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (!journal_is_record_name(de->d_name))
                        continue;
                if (n == allocated) {
                        size_t want = allocated ? 2 * allocated : 64;
                        IndexEntry *nv = reallocarray(v, want, sizeof(*v));
                        if (!nv) {
                                entries_free(v, n);
                                return -ENOMEM;
                        }
                        v = nv;
                        allocated = want;
                }
                r = entry_for(h, de->d_name, old, &v[n]);
                if (r == -ENOMEM) {
                        entries_free(v, n);
                        return r;
                }
                if (r >= 0)
                        n++;
        }
        if (n > 1)
                qsort(v, n, sizeof(*v), by_id);
        *ret = v;
        *ret_n = n;
        return 0;
}

int journal_summaries(Helper *h, const json_t **ret) {
        /* Nothing renamed into, or removed from, tx/ since a settled read: the same list, no file looked at. */
        Stamp dir;
        stamp_of(h->tx_fd, ".", &dir);
        if (h->index && dir.exists && stamp_same(&dir, &h->index->dir) && stamp_settled(&dir, h->index->read_at)) {
                *ret = h->index->list;
                return 0;
        }
        JournalIndex *idx = calloc(1, sizeof(*idx));
        if (!idx)
                return -ENOMEM;
        idx->dir = dir;
        clock_gettime(CLOCK_REALTIME, &idx->read_at);
        int r = scan(h, h->index, &idx->entries, &idx->n);
        if (r >= 0 && !(idx->list = json_array()))
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < idx->n; i++)
                if (json_array_append(idx->list, idx->entries[i].summary) < 0)
                        r = -ENOMEM;
        if (r < 0) {
                entries_free(idx->entries, idx->n);
                json_decref(idx->list);
                free(idx);
                return r;
        }
        journal_index_free(h);
        h->index = idx;
        *ret = idx->list;
        return 0;
}

int journal_last_applied(Helper *h, char **ret_id) {
        const json_t *all;
        int r = journal_summaries(h, &all);
        if (r < 0)
                return r;
        for (size_t i = json_array_size(all); i > 0; i--) {
                const json_t *s = json_array_get(all, i - 1);
                const char *state = json_string_value(json_object_get(s, "state"));
                if (state && strcmp(state, "applied") == 0) {
                        *ret_id = strdup(json_string_value(json_object_get(s, "id")));
                        return *ret_id ? 0 : -ENOMEM;
                }
        }
        return -ENOENT;
}

int journal_prune(Helper *h) {
        if (h->keep_finished == 0)
                return 0;
        const json_t *list;
        int r = journal_summaries(h, &list);
        if (r < 0)
                return r;
        unsigned kept = 0;
        int removed = 0;
        for (size_t i = h->index->n; i > 0; i--) {
                const IndexEntry *e = &h->index->entries[i - 1];
                if (!e->undone || ++kept <= h->keep_finished)
                        continue;
                const char *id = e->id;
                _cleanup_free_ char *json = NULL, *progress = NULL;
                if (asprintf(&json, "%s.json", id) < 0 || asprintf(&progress, "%s.progress", id) < 0)
                        return -ENOMEM;
                /* The progress record first: a crash in between leaves the finished record, pruned next time. */
                if ((unlinkat(h->tx_fd, progress, 0) < 0 && errno != ENOENT) || unlinkat(h->tx_fd, json, 0) < 0) {
                        log_warning_errno(negative_errno(), "cannot remove finished transaction %s/tx/%s: %m", h->state_dir, json);
                        continue;
                }
                removed++;
        }
        if (removed > 0)
                log_info("retention: removed %d finished transaction(s) beyond the newest %u", removed, h->keep_finished);
        return removed;
}
