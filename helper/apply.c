/* SPDX-License-Identifier: MIT */
/* Apply a validated plan as one transaction.
 *
 * Read every current value and run every host check first (nothing is written if one fails), then
 * save the journal with each change "pending" and its old value, then write the changes one by one,
 * saving the journal after each, then the owned files. A write that fails rolls back what this
 * transaction wrote so far (undo.c): never a half-applied plan. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper-core.h"
#include "json-util.h"
#include "log.h"
#include "owned-file.h"
#include "ulimit.h"

static json_t *tx_new(Helper *h, bool persist, uid_t uid) {
        _cleanup_free_ char *now = now_iso();
        return json_pack("{s:s, s:n, s:s, s:s, s:s, s:I, s:b, s:[], s:[], s:[]}", "schema", HELPER_TX_SCHEMA, "id", "state",
                         "applying", "boot_id", h->boot_id, "created", now ?: "", "caller_uid", (json_int_t) uid, "persist",
                         persist, "changes", "files", "notes");
}

/* Build the change records: current values, host checks, which owned files are involved. */
static int prepare_changes(Helper *h, const Plan *plan, bool persist, json_t *tx, Error *error) {
        json_t *changes = json_object_get(tx, "changes");
        for (size_t i = 0; i < plan->n_changes; i++) {
                const PlanChange *pc = &plan->changes[i];
                const Writer *w = writer_for(pc->kind, pc->key);
                const char *kind = tunable_kind_to_string(pc->kind);
                json_t *c = json_pack("{s:s, s:s, s:s, s:s*}", "kind", kind, "key", pc->key, "proposed", pc->proposed,
                                      "plan_mechanism", pc->mechanism);
                if (!c || json_array_append_new(changes, c) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *cur = NULL, *file = NULL;
                int r = w ? w->read(h, pc->kind, pc->key, &cur) : -EINVAL;
                if (r == -EOPNOTSUPP) {
                        /* Lives only in an owned file (ulimit unit/login/default). */
                        r = persist_file_for(pc->kind, pc->key, &file);
                        if (r < 0)
                                return error_set(error, helper_failure(r), "changes[%zu] (%s %s): no owned file: %s", i,
                                                 kind, pc->key, strerror(-r));
                        r = persist_read_value(h, pc->kind, pc->key, &cur);
                        if (r < 0 && r != -ENOENT)
                                return error_set(error, helper_failure(r), "changes[%zu] (%s %s): cannot read %s: %s", i,
                                                 kind, pc->key, file, strerror(-r));
                        set_str(c, "mechanism", "file");
                        set_str(c, "file", file);
                        set_str(c, "old", cur);
                        set_str(c, "new", pc->proposed);
                        set_str(c, "status", cur && tunable_values_equal(pc->kind, pc->key, cur, pc->proposed) ? "unchanged" : "pending");
                        continue;
                }
                if (r == -ENOENT) {
                        set_str(c, "status", "unavailable");
                        tx_note(tx, "%s %s: not present on this host; skipped", kind, pc->key);
                        continue;
                }
                if (r < 0)
                        return error_set(error, helper_failure(r), "changes[%zu] (%s %s): cannot read the current value: %s", i,
                                         kind, pc->key, strerror(-r));
                /* Checked before polkit was asked; again now, since the host may have changed meanwhile. */
                _cleanup_free_ char *warning = NULL;
                r = plan_check_change_host(h->root, plan, i, error);
                if (r < 0)
                        return r;
                if (ulimit_lowered_hard_warning(pc->key, cur, pc->proposed, &warning) > 0)
                        tx_note(tx, "%s", warning);
                set_str(c, "mechanism", w->name);
                set_str(c, "old", cur);
                set_str(c, "new", pc->proposed);
                bool same = tunable_values_equal(pc->kind, pc->key, cur, pc->proposed);
                set_str(c, "status", same ? "unchanged" : "pending");
                if (!same) {
                        ChangeRecord rec;
                        change_record_view(c, &rec);
                        r = w->prepare(h, &rec);
                        if (r < 0)
                                return error_set(error, helper_failure(r), "changes[%zu] (%s %s): %s", i, kind, pc->key,
                                                 strerror(-r));
                }
                if (persist) {
                        r = persist_file_for(pc->kind, pc->key, &file);
                        if (r == -EOPNOTSUPP)
                                tx_note(tx, "%s %s: no persistent form (running processes only)", kind, pc->key);
                        else if (r < 0)
                                return -ENOMEM;
                        else
                                set_str(c, "file", file);
                }
        }
        return 0;
}

/* One record per owned file whose content would change. */
static int prepare_files(Helper *h, json_t *tx, Error *error) {
        json_t *changes = json_object_get(tx, "changes"), *files = json_object_get(tx, "files");
        json_auto_t *journal = NULL;
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                const char *path = jstr(c, "file");
                bool seen = false;
                size_t j;
                json_t *f;
                if (!path || jstreq(c, "status", "unavailable"))
                        continue;
                json_array_foreach(files, j, f)
                        seen = seen || jstreq(f, "path", path);
                if (seen)
                        continue;
                _cleanup_free_ char *old = NULL, *new = NULL;
                bool exists;
                int r = persist_read_file(h, path, &old, &exists);
                if (r < 0)
                        return error_set(error, helper_failure(r), "cannot read the owned file /%s: %s; nothing was changed", path,
                                         r == -EBADMSG ? "too large or binary; it is not one skytune wrote"
                                         : r == -ELOOP ? PERSIST_LINK_REASON
                                                       : strerror(-r));
                r = owned_file_render(path, old, changes, &new);
                if (r < 0)
                        return error_set(error, helper_failure(r), "cannot render %s: %s", path, strerror(-r));
                if (old && strcmp(old, new) == 0)
                        continue;
                json_t *rec = json_pack("{s:s, s:b, s:s*, s:s, s:s, s:[]}", "path", path, "existed", exists, "old_content", old,
                                        "new_content", new, "status", "pending", "created_dirs");
                if (!rec || json_array_append_new(files, rec) < 0)
                        return -ENOMEM;
                r = persist_inherit_base(h, &journal, rec);
                if (r < 0)
                        return error_set(error, helper_failure(r), "cannot read the journal in %s: %s; nothing was changed",
                                         h->state_dir, strerror(-r));
                /* Recorded in the intent record, before they exist: a crash in between leaves nothing unknown. */
                r = persist_missing_dirs(h, path, json_object_get(rec, "created_dirs"));
                if (r < 0)
                        return error_set(error, helper_failure(r), "cannot check the directories of %s: %s; nothing was changed",
                                         path, strerror(-r));
        }
        return 0;
}

static unsigned count_pending(json_t *tx) {
        unsigned n = 0;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c)
                n += jstreq(c, "status", "pending") && !jstreq(c, "mechanism", "file");
        n += json_array_size(json_object_get(tx, "files"));
        return n;
}

/* A write of an apply failed: roll back what it wrote and say exactly what became of that. */
static int apply_failed(Helper *h, json_t *tx, const char *what, int failed_r, Error *error) {
        const char *id = jstr(tx, "id");
        log_error_errno(failed_r, "transaction %s: writing %s failed: %m; rolling back", id, what);
        int r = tx_undo(h, tx, false, false);
        json_int_t left = json_integer_value(json_object_get(tx, "failures")) + json_integer_value(json_object_get(tx, "conflicts"));
        set_str(tx, "state", "failed");
        int saved = r < 0 ? r : journal_save(h, tx, true);
        if (saved < 0)
                /* A non-durable "failed" still beats the intent record (its seq is higher) until a power loss,
                 * after which the next start rolls the intent back (finding the old values: "unchanged"). */
                (void) journal_save(h, tx, false);
        if (r < 0 || left > 0)
                return error_set(error, helper_failure(failed_r),
                                 "transaction %s: writing %s failed: %s; rolling back left %lld change(s) or file(s) "
                                 "not restored (see `skytune history %s`; roll back by hand what it names)",
                                 id, what, strerror(-failed_r), r < 0 ? -1LL : (long long) left, id);
        return error_set(error, helper_failure(failed_r),
                         "transaction %s: writing %s failed: %s; what this transaction had changed was rolled back%s", id,
                         what, strerror(-failed_r),
                         saved < 0 ? " (the journal could not record that durably; the next start checks again)" : "");
}

/* Write the pending live changes, saving progress after each; on a failure *ret_what names what
 * failed and its errno is returned. */
static int write_changes(Helper *h, json_t *tx, const char **ret_what) {
        const char *id = jstr(tx, "id");
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c) {
                if (!jstreq(c, "status", "pending") || jstreq(c, "mechanism", "file"))
                        continue;
                ChangeRecord rec;
                change_record_view(c, &rec);
                const Writer *w = writer_for(rec.kind, rec.key);
                int r = w ? w->write(h, &rec, rec.proposed) : -EINVAL;
                if (r < 0) {
                        set_str(c, "status", "failed");
                        set_str(c, "error", strerror(-r));
                        *ret_what = jstr(c, "key");
                        return r;
                }
                /* What the kernel made of it (it may round or reformat). */
                _cleanup_free_ char *now = NULL;
                if (w->read(h, rec.kind, rec.key, &now) >= 0)
                        set_str(c, "new", now);
                set_str(c, "status", "applied");
                helper_log_change(h, id, "applied", jstr(c, "kind"), jstr(c, "key"), jstr(c, "old"), jstr(c, "new"));
                r = journal_save(h, tx, false);
                if (r < 0) {
                        *ret_what = "the journal";
                        return r;
                }
        }
        return 0;
}

/* Write the owned files, the same way. */
static int write_files(Helper *h, json_t *tx, const char **ret_what) {
        const char *id = jstr(tx, "id");
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(tx, "files"), i, f) {
                int r = persist_write_file(h, jstr(f, "path"), jstr(f, "new_content"), NULL);
                if (r < 0) {
                        set_str(f, "status", "failed");
                        set_str(f, "error", strerror(-r));
                        *ret_what = jstr(f, "path");
                        return r;
                }
                set_str(f, "status", "written");
                helper_log_change(h, id, "written", "file", jstr(f, "path"), "", "");
                size_t k;
                json_t *c;
                json_array_foreach(json_object_get(tx, "changes"), k, c)
                        if (jstreq(c, "mechanism", "file") && jstreq(c, "file", jstr(f, "path")) && jstreq(c, "status", "pending"))
                                set_str(c, "status", "applied");
                r = journal_save(h, tx, false);
                if (r < 0) {
                        *ret_what = "the journal";
                        return r;
                }
        }
        return 0;
}

int tx_apply(Helper *h, const Plan *plan, bool persist, uid_t uid, json_t **ret_tx, Error *error) {
        json_auto_t *tx = tx_new(h, persist, uid);
        if (!tx)
                return -ENOMEM;
        int r = prepare_changes(h, plan, persist, tx, error);
        if (r >= 0)
                r = prepare_files(h, tx, error);
        if (r < 0)
                return r;
        if (count_pending(tx) == 0) {
                /* Nothing to change: no transaction, no journal file. */
                set_str(tx, "state", "unchanged");
                *ret_tx = json_incref(tx);
                return 0;
        }
        _cleanup_free_ char *id = NULL;
        r = journal_new_id(&id);
        if (r < 0)
                return r;
        set_str(tx, "id", id);
        /* The intent record, durable before the first write to the system. */
        r = journal_save(h, tx, true);
        if (r < 0)
                return error_set(error, helper_failure(r), "cannot write the journal in %s: %s; nothing was changed",
                                 h->state_dir, strerror(-r));
        if (h->test_crash_after == 0) {
                log_notice("test hook: killing myself after the intent record");
                raise(SIGKILL);
        }

        const char *failed_what = NULL;
        r = write_changes(h, tx, &failed_what);
        if (r >= 0)
                r = write_files(h, tx, &failed_what);
        if (r < 0)
                return apply_failed(h, tx, failed_what, r, error);
        persist_reload_systemd(h, tx);
        /* "applied" means durable: without the final record the next start would roll it back. */
        set_str(tx, "state", "applied");
        r = journal_save(h, tx, true);
        if (r < 0) {
                set_str(tx, "state", "applying");
                return apply_failed(h, tx, "the journal's final record", r, error);
        }
        log_notice("transaction %s applied (%zu changes)", id, json_array_size(json_object_get(tx, "changes")));
        *ret_tx = json_incref(tx);
        return 0;
}

