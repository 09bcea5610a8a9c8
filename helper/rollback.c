/* SPDX-License-Identifier: MIT */
/* Rollback decisions shared by Rollback and crash recovery (undo.c's tx_undo):
 * - a key that a newer transaction (still applied, or partly rolled back and still holding it) has
 *   changed is skytune's own newer change: left alone and named ("superseded"), also when forced;
 * - an owned file is undone entry by entry (common/owned-file.h): this transaction's lines are
 *   removed and the lines it replaced put back, whatever later transactions did to the file; when
 *   no transaction's entry is left, the file is as before the first of them (byte for byte) or gone;
 * - nothing from the journal is written back unless it passes the allowlist again. */
#include <stdlib.h>
#include <string.h>

#include "helper-core.h"
#include "json-util.h"
#include "log.h"
#include "owned-file.h"


bool rollback_result_done(const char *result) {
        static const char *const done[] = { "restored", "unchanged", "forced", "obsolete" };
        for (size_t i = 0; result && i < ELEMENTSOF(done); i++)
                if (strcmp(result, done[i]) == 0)
                        return true;
        return false;
}

void rollback_run_done(RollbackRun *run) {
        json_decref(run->journal);
        run->journal = NULL;
}

/* Transactions newer than run's that may still hold keys, newest first: cb returns true to stop. */
static json_t *newer_holding(RollbackRun *run, bool (*holds)(json_t *other, const void *what), const void *what) {
        const char *id = json_string_value(json_object_get(run->tx, "id"));
        if (!run->journal && journal_list(run->h, &run->journal) < 0)
                return NULL;
        for (size_t i = json_array_size(run->journal); i > 0; i--) {
                json_t *t = json_array_get(run->journal, i - 1);
                const char *tid = jstr(t, "id");
                if (!id || !tid || strcmp(tid, id) <= 0)
                        break;
                if ((jstreq(t, "state", "applied") || jstreq(t, "state", "partially-rolled-back")) && holds(t, what))
                        return t;
        }
        return NULL;
}

static bool holds_live_key(json_t *t, const void *what) {
        const char *const *kk = what;        /* kind, key, partner or NULL */
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(t, "changes"), i, c) {
                if (!jstreq(c, "status", "applied") || !jstreq(c, "kind", kk[0]) || jstreq(c, "mechanism", "file") ||
                    rollback_result_done(jstr(c, "rollback")))
                        continue;
                const char *key = jstr(c, "key"), *pair = jstr(json_object_get(c, "pair"), "key");
                if (!key)
                        continue;
                if (strcmp(key, kk[1]) == 0 || (kk[2] && strcmp(key, kk[2]) == 0) || (pair && strcmp(pair, kk[1]) == 0))
                        return true;
        }
        return false;
}

const char *rollback_newer_owner(RollbackRun *run, json_t *change) {
        const char *kk[3] = { jstr(change, "kind"), jstr(change, "key"), jstr(json_object_get(change, "pair"), "key") };
        if (!kk[0] || !kk[1])
                return NULL;
        return jstr(newer_holding(run, holds_live_key, kk), "id");
}

typedef struct EntryRef {
        const char *path, *ekey;
} EntryRef;

static bool holds_entry(json_t *t, const void *what) {
        const EntryRef *ref = what;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(t, "files"), i, f) {
                if (!jstreq(f, "path", ref->path) || !jstreq(f, "status", "written"))
                        continue;
                json_t *e = json_object_get(json_object_get(f, "entries"), ref->ekey);
                if (e && rollback_result_done(jstr(e, "rollback")))
                        continue;
                char **keys = NULL;
                bool old_exists = json_is_true(json_object_get(f, "existed"));
                if (owned_file_changed_keys(ref->path, old_exists ? jstr(f, "old_content") : NULL, jstr(f, "new_content"), &keys) < 0)
                        continue;
                bool found = false;
                for (char **k = keys; *k && !found; k++)
                        found = strcmp(*k, ref->ekey) == 0;
                owned_keys_free(keys);
                if (found)
                        return true;
        }
        return false;
}

static bool tolerable(int r, bool live) {
        /* A live value out of skytune's range is one the kernel held before: it resets at boot and the
         * kernel checks it on write. An owned file's line outlives the boot: no exception there. */
        return r >= 0 || (live && r == -ERANGE);
}

/* A value from the journal; a tolerable refusal (see above) is no error and leaves e alone. */
static int check_value(TunableKind kind, const char *key, const char *value, Error *e) {
        Error why = ERROR_NULL;
        int r = tunable_check(kind, key, value, NULL, &why);
        if (tolerable(r, true)) {
                error_done(&why);
                return 0;
        }
        error_move(e, &why);
        return -EINVAL;
}

int rollback_check_live(const ChangeRecord *c, Error *e) {
        TunableKind kind = c->kind;
        const char *key = c->key;
        _cleanup_free_ char *canon = NULL;
        if (kind < 0)
                return error_set(e, -EINVAL, "the journal's key is not in skytune's allowlist");
        if (tunable_check(kind, key, NULL, &canon, e) < 0)
                return -EINVAL;
        if (strcmp(canon, key) != 0)
                return error_set(e, -EINVAL, "the journal's key is not in skytune's allowlist");
        const char *old = c->old, *raw = c->old_raw;
        if (old && check_value(kind, key, old, e) < 0)
                return -EINVAL;
        if (raw && check_value(kind, key, raw, e) < 0)
                return -EINVAL;
        if (raw && !tunable_values_equal(kind, key, raw, old))
                return error_set(e, -EINVAL, "the journal's old_raw is not its old value");
        if (c->has_pair) {
                const TunableBackend *b = tunable_backend(kind);
                const char *pkey = c->pair_key, *pold = c->pair_old,
                           *partner = b->coupled_partner ? b->coupled_partner(key) : NULL;
                if (!pkey || !pold || !partner || strcmp(pkey, partner) != 0)
                        return error_set(e, -EINVAL, "the journal's coupled key is not this key's partner");
                if (check_value(kind, pkey, pold, e) < 0)
                        return -EINVAL;
        }
        for (size_t i = 0; i < c->processes; i++) {
                ProcessRecord p = change_process(c, i);
                if (p.old && check_value(kind, key, p.old, e) < 0)
                        return -EINVAL;
        }
        return 0;
}

/* Decide one entry of file f and edit *work accordingly; returns the result. */
static const char *rollback_entry(RollbackRun *run, json_t *f, const char *ekey, bool exists, char **work, json_t *rec) {
        const char *path = jstr(f, "path");
        bool existed = json_is_true(json_object_get(f, "existed"));
        _cleanup_free_ char *o = NULL, *n = NULL, *c = NULL, *edited = NULL;
        _cleanup_(error_done) Error why = ERROR_NULL;
        EntryRef ref = { path, ekey };
        if (owned_file_line(path, existed ? jstr(f, "old_content") : NULL, ekey, &o) < 0 ||
            owned_file_line(path, jstr(f, "new_content"), ekey, &n) < 0 || owned_file_line(path, *work, ekey, &c) < 0)
                return "failed";
        set_str(rec, "found", c);
        json_t *owner = newer_holding(run, holds_entry, &ref);
        if (owner) {
                set_str(rec, "superseded_by", jstr(owner, "id"));
                return "superseded";
        }
        if (exists ? (o == c || (o && c && strcmp(o, c) == 0)) : !o)
                return "unchanged";
        bool ours = exists && (n == c || (n && c && strcmp(n, c) == 0));
        if (!ours && !run->force)
                return "conflict";
        if (o && owned_file_check_line(path, o, &why) < 0) {
                set_str(rec, "error", error_message(&why));
                return "refused";
        }
        if (owned_file_set_line(path, *work, ekey, o, &edited) < 0)
                return "failed";
        free(*work);
        *work = TAKE_PTR(edited);
        return ours ? "restored" : "forced";
}

/* Does work set the same entries as the content of f's member `content` (or no file: `existed`)?
 * Then that content is what to write, byte for byte (or the file goes): 1. */
static int same_as(json_t *f, const char *work, const char *existed, const char *content, const char **ret, bool *ret_remove) {
        const char *path = jstr(f, "path");
        bool was = json_is_true(json_object_get(f, existed));
        const char *text = was ? jstr(f, content) : NULL;
        int r = owned_file_same_entries(path, work, text);
        if (r <= 0)
                return r;
        if (!was)
                *ret_remove = true;
        else if (owned_file_check_content(path, text, NULL) >= 0)
                *ret = text;
        else
                return 0;
        return 1;
}

/* What the file becomes once the entries are undone: as before the first transaction that still had
 * entries in it (byte for byte, or no file) when no entry of any transaction is left; as this
 * transaction found it when the entries are those; else *work. */
static int final_content(json_t *f, const char *work, const char **ret, bool *ret_remove) {
        bool has_base = json_object_get(f, "base_existed") != NULL;
        *ret = work;
        *ret_remove = false;
        int r = same_as(f, work, has_base ? "base_existed" : "existed", has_base ? "base_content" : "old_content", ret, ret_remove);
        if (r == 0 && has_base)
                r = same_as(f, work, "existed", "old_content", ret, ret_remove);
        return r < 0 ? r : 0;
}

static const char *file_summary(json_t *entries) {
        static const char *const order[] = { "failed", "refused", "conflict", "superseded", "forced", "restored" };
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                const char *k;
                json_t *e;
                json_object_foreach(entries, k, e)
                        if (jstreq(e, "rollback", order[i]))
                                return order[i];
        }
        return "unchanged";
}

static void count(RollbackRun *run, const char *result) {
        if (strcmp(result, "conflict") == 0)
                run->conflicts++;
        else if (strcmp(result, "superseded") == 0)
                run->superseded++;
        else if (strcmp(result, "failed") == 0 || strcmp(result, "refused") == 0)
                run->failures++;
}

static int write_back(RollbackRun *run, json_t *f, const char *cur, const char *work) {
        const char *path = jstr(f, "path"), *target;
        bool remove;
        int r = final_content(f, work, &target, &remove);
        if (r < 0)
                return r;
        if (!remove && cur && strcmp(cur, target) == 0)
                return 0;
        r = persist_write_file(run->h, path, remove ? NULL : target, NULL);
        if (r < 0)
                return r;
        run->systemd_touched = run->systemd_touched || persist_path_is_systemd(path);
        helper_log_change(run->h, jstr(run->tx, "id"), "restored", "file", path, "", remove ? "(removed)" : "(entries restored)");
        if (remove) {
                /* A directory it created that stays (not "not empty": a real failure) fails the file. */
                r = persist_remove_dirs(run->h, path, json_object_get(f, "created_dirs"));
                int r2 = persist_remove_dirs(run->h, path, json_object_get(f, "base_created_dirs"));
                return r < 0 ? r : r2;
        }
        return 0;
}

int rollback_file(RollbackRun *run, json_t *f) {
        const char *path = jstr(f, "path"), *id = jstr(run->tx, "id");
        if (!path || !owned_file_path_valid(path)) {
                set_str(f, "rollback", "refused");
                set_str(f, "rollback_error", "the journal's path is not a file skytune owns");
                run->failures++;
                return 0;
        }
        _cleanup_free_ char *cur = NULL, *work = NULL;
        char **keys = NULL;
        bool exists, existed = json_is_true(json_object_get(f, "existed"));
        int r = persist_read_file(run->h, path, &cur, &exists);
        if (r >= 0)
                r = owned_file_changed_keys(path, existed ? jstr(f, "old_content") : NULL, jstr(f, "new_content"), &keys);
        if (r < 0) {
                log_error_errno(r, "transaction %s: cannot roll back %s: %m", id, path);
                set_str(f, "rollback", "failed");
                set_str(f, "rollback_error", r == -ELOOP ? PERSIST_LINK_REASON : strerror(-r));
                run->failures++;
                return 0;
        }
        json_t *entries = json_object_get(f, "entries");
        if (!entries) {
                entries = json_object();
                json_object_set_new(f, "entries", entries);
        }
        work = cur ? strdup(cur) : NULL;
        if (cur && !work) {
                owned_keys_free(keys);
                return -ENOMEM;        /* never mistaken for an absent file, which may be removed */
        }
        for (char **k = keys; *k; k++) {
                json_t *rec = json_object_get(entries, *k);
                if (rec && rollback_result_done(jstr(rec, "rollback")))
                        continue;
                rec = json_object();
                json_object_set_new(entries, *k, rec);
                const char *result = rollback_entry(run, f, *k, exists, &work, rec);
                set_str(rec, "rollback", result);
                if (strcmp(result, "conflict") == 0)
                        log_warning("transaction %s: %s: %s was changed by someone else since; left alone", id, path, *k);
                else if (strcmp(result, "superseded") == 0)
                        log_warning("transaction %s: %s: %s is set by the newer transaction %s; left alone", id, path, *k,
                                    jstr(rec, "superseded_by"));
        }
        owned_keys_free(keys);
        r = write_back(run, f, cur, work);
        const char *k;
        json_t *rec;
        json_object_foreach(entries, k, rec) {
                if (r < 0 && (jstreq(rec, "rollback", "restored") || jstreq(rec, "rollback", "forced")))
                        set_str(rec, "rollback", "failed");
                count(run, jstr(rec, "rollback"));
        }
        if (r < 0) {
                log_error_errno(r, "transaction %s: cannot restore %s: %m", id, path);
                set_str(f, "rollback_error", r == -ELOOP ? PERSIST_LINK_REASON : strerror(-r));
        }
        set_str(f, "rollback", file_summary(entries));
        return 0;
}

const char *rollback_file_change(json_t *tx, json_t *c, const char **ret_by) {
        json_t *f = NULL, *x;
        size_t i;
        json_array_foreach(json_object_get(tx, "files"), i, x)
                if (jstreq(x, "path", jstr(c, "file")))
                        f = x;
        *ret_by = NULL;
        if (!f)
                return "unchanged";
        char **keys = NULL;
        TunableKind kind = tunable_kind_from_string(jstr(c, "kind"));
        if (owned_file_change_keys(kind, jstr(c, "key"), jstr(c, "proposed"), &keys) < 0)
                return jstr(f, "rollback") ?: "unchanged";
        json_t *entries = json_object(), *all = json_object_get(f, "entries");
        for (char **k = keys; *k; k++)
                if (json_object_get(all, *k))
                        json_object_set(entries, *k, json_object_get(all, *k));
        owned_keys_free(keys);
        const char *result = file_summary(entries), *k;
        json_object_foreach(entries, k, x)
                if (jstreq(x, "rollback", result) && jstr(x, "superseded_by"))
                        *ret_by = jstr(x, "superseded_by");
        json_decref(entries);
        return result;
}

bool rollback_complete(json_t *tx) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c)
                if ((jstreq(c, "status", "applied") || jstreq(c, "status", "pending") || jstreq(c, "status", "failed")) &&
                    !rollback_result_done(jstr(c, "rollback")))
                        return false;
        /* "failed": the write may have landed (a ulimit on some processes, a renamed file whose fsync failed). */
        json_array_foreach(json_object_get(tx, "files"), i, c)
                if ((jstreq(c, "status", "written") || jstreq(c, "status", "pending") || jstreq(c, "status", "failed")) &&
                    !rollback_result_done(jstr(c, "rollback")))
                        return false;
        return true;
}

int persist_inherit_base(Helper *h, json_t **journal, json_t *rec) {
        const char *path = jstr(rec, "path");
        if (!*journal) {
                int r = journal_list(h, journal);
                if (r < 0)
                        return r;
        }
        /* The newest transaction still holding entries in the file: the file before it is the base. */
        for (size_t i = json_array_size(*journal); i > 0; i--) {
                json_t *t = json_array_get(*journal, i - 1), *f;
                size_t j;
                if (!jstreq(t, "state", "applied") && !jstreq(t, "state", "partially-rolled-back"))
                        continue;
                json_array_foreach(json_object_get(t, "files"), j, f) {
                        if (!jstreq(f, "path", path) || !jstreq(f, "status", "written") || rollback_result_done(jstr(f, "rollback")))
                                continue;
                        bool has_base = json_object_get(f, "base_existed") != NULL;
                        json_object_set(rec, "base_existed", json_object_get(f, has_base ? "base_existed" : "existed"));
                        json_object_set(rec, "base_content", json_object_get(f, has_base ? "base_content" : "old_content"));
                        json_t *dirs = json_object_get(f, has_base ? "base_created_dirs" : "created_dirs");
                        json_object_set_new(rec, "base_created_dirs", dirs ? json_deep_copy(dirs) : json_array());
                        return 0;
                }
        }
        return 0;
}
