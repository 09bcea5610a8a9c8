/* SPDX-License-Identifier: MIT */
/* Transactions: apply a validated plan, roll a transaction back, recover after a crash.
 *
 * Apply: read every current value and run every host check first (nothing is written if one fails),
 * then save the journal with each change "pending" and its old value, then write the changes one by
 * one, saving the journal after each, then the owned files. A write that fails rolls back what this
 * transaction wrote so far: never a half-applied plan.
 *
 * Rollback: owned files first, then the changes, in reverse order. A value is restored only if it
 * still reads as what skytune wrote; anything else means someone changed it since, and it is left
 * alone and reported as a conflict unless forced. A crash leaves a transaction "applying" or
 * "rolling-back"; the next start rolls it back by the same rules (a "pending" change may or may not
 * have been written: the live value tells). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"
#include "json-util.h"
#include "log.h"
#include "owned-file.h"
#include "ulimit.h"


static void note(json_t *tx, const char *fmt, ...) _printf_(2, 3);
static void note(json_t *tx, const char *fmt, ...) {
        va_list ap;
        char *s;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        json_t *notes = json_object_get(tx, "notes");
        if (!notes) {
                notes = json_array();
                json_object_set_new(tx, "notes", notes);
        }
        json_array_append_new(notes, json_string(s));
        free(s);
}

static json_t *tx_new(Helper *h, bool persist, uid_t uid) {
        _cleanup_free_ char *now = now_iso();
        return json_pack("{s:s, s:n, s:s, s:s, s:s, s:I, s:b, s:[], s:[], s:[]}", "schema", HELPER_TX_SCHEMA, "id", "state",
                         "applying", "boot_id", h->boot_id, "created", now ?: "", "caller_uid", (json_int_t) uid, "persist",
                         persist, "changes", "files", "notes");
}

/* Build the change records: current values, host checks, which owned files are involved. */
static int prepare_changes(Helper *h, const Plan *plan, bool persist, json_t *tx, sd_bus_error *error) {
        json_t *changes = json_object_get(tx, "changes");
        for (size_t i = 0; i < plan->n_changes; i++) {
                const PlanChange *pc = &plan->changes[i];
                const Writer *w = writer_for(pc->kind);
                const char *kind = tunable_kind_to_string(pc->kind);
                json_t *c = json_pack("{s:s, s:s, s:s, s:s*}", "kind", kind, "key", pc->key, "proposed", pc->proposed,
                                      "plan_mechanism", pc->mechanism);
                if (!c || json_array_append_new(changes, c) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *cur = NULL, *file = NULL;
                int r = w->read(h, pc->key, &cur);
                if (r == -EOPNOTSUPP) {
                        /* Lives only in an owned file (ulimit unit/login/default). */
                        r = persist_file_for(pc->kind, pc->key, &file);
                        if (r < 0)
                                return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "changes[%zu] (%s %s): no owned file: %s", i,
                                                         kind, pc->key, strerror(-r));
                        r = persist_read_value(h, pc->kind, pc->key, &cur);
                        if (r < 0 && r != -ENOENT)
                                return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "changes[%zu] (%s %s): cannot read %s: %s", i,
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
                        note(tx, "%s %s: not present on this host; skipped", kind, pc->key);
                        continue;
                }
                if (r < 0)
                        return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "changes[%zu] (%s %s): cannot read the current value: %s", i,
                                                 kind, pc->key, strerror(-r));
                /* Checked before polkit was asked; again now, since the host may have changed meanwhile. */
                _cleanup_free_ char *why = NULL, *warning = NULL;
                r = plan_check_change_host(h->root, plan, i, &why);
                if (r < 0)
                        return sd_bus_error_setf(error, HELPER_ERROR_INVALID_PLAN, "%s", why ?: strerror(-r));
                if (ulimit_lowered_hard_warning(pc->key, cur, pc->proposed, &warning) > 0)
                        note(tx, "%s", warning);
                set_str(c, "mechanism", pc->kind == TUNABLE_ULIMIT ? "prlimit" : "live");
                set_str(c, "old", cur);
                set_str(c, "new", pc->proposed);
                bool same = tunable_values_equal(pc->kind, pc->key, cur, pc->proposed);
                set_str(c, "status", same ? "unchanged" : "pending");
                if (!same) {
                        r = w->prepare(h, c);
                        if (r < 0)
                                return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "changes[%zu] (%s %s): %s", i, kind, pc->key,
                                                         strerror(-r));
                }
                if (persist) {
                        r = persist_file_for(pc->kind, pc->key, &file);
                        if (r == -EOPNOTSUPP)
                                note(tx, "%s %s: no persistent form (running processes only)", kind, pc->key);
                        else if (r < 0)
                                return -ENOMEM;
                        else
                                set_str(c, "file", file);
                }
        }
        return 0;
}

/* One record per owned file whose content would change. */
static int prepare_files(Helper *h, json_t *tx, sd_bus_error *error) {
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
                        return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "cannot read the owned file /%s: %s; nothing was changed", path,
                                                 r == -EBADMSG ? "too large or binary; it is not one skytune wrote"
                                                 : r == -ELOOP ? PERSIST_LINK_REASON
                                                               : strerror(-r));
                r = owned_file_render(path, old, changes, &new);
                if (r < 0)
                        return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "cannot render %s: %s", path, strerror(-r));
                if (old && strcmp(old, new) == 0)
                        continue;
                json_t *rec = json_pack("{s:s, s:b, s:s*, s:s, s:s, s:[]}", "path", path, "existed", exists, "old_content", old,
                                        "new_content", new, "status", "pending", "created_dirs");
                if (!rec || json_array_append_new(files, rec) < 0)
                        return -ENOMEM;
                r = persist_inherit_base(h, &journal, rec);
                if (r < 0)
                        return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "cannot read the journal in %s: %s; nothing was changed",
                                                 h->state_dir, strerror(-r));
                /* Recorded in the intent record, before they exist: a crash in between leaves nothing unknown. */
                r = persist_missing_dirs(h, path, json_object_get(rec, "created_dirs"));
                if (r < 0)
                        return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "cannot check the directories of %s: %s; nothing was changed",
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

static bool file_matches(const char *cur, bool cur_exists, const char *content, bool should_exist) {
        if (!cur_exists || !should_exist)
                return cur_exists == should_exist;
        return content && strcmp(cur, content) == 0;
}

/* Undo one change (a live value; one that lives in an owned file was undone with its file). */
static void rollback_change(RollbackRun *run, json_t *c, bool skip_live) {
        Helper *h = run->h;
        const char *id = jstr(run->tx, "id"), *result = NULL, *by = NULL, *reason = NULL;
        TunableKind kind = tunable_kind_from_string(jstr(c, "kind"));
        const Writer *w = writer_for(kind);
        _cleanup_free_ char *cur = NULL;
        if (jstreq(c, "mechanism", "file")) {
                result = rollback_file_change(run->tx, c, &by);        /* counted with the file */
                set_str(c, "superseded_by", by);
        } else if (skip_live)
                result = "obsolete";        /* the machine rebooted since: live values are gone */
        else if ((by = rollback_newer_owner(run, c))) {
                result = "superseded";
                set_str(c, "superseded_by", by);
                if (w && w->read(h, jstr(c, "key"), &cur) >= 0)
                        set_str(c, "found", cur);
                run->superseded++;
                log_warning("transaction %s: %s %s is set by the newer transaction %s; left alone", id, jstr(c, "kind"),
                            jstr(c, "key"), by);
        } else if (rollback_check_live(c, &reason) < 0) {
                log_error("transaction %s: %s %s: not restored: %s", id, strempty(jstr(c, "kind")), strempty(jstr(c, "key")), reason);
                set_str(c, "rollback_error", reason);
                result = "refused";
                run->failures++;
        } else {
                int r = w ? w->restore(h, c, run->force, &result) : -EINVAL;
                if (r < 0) {
                        log_error_errno(r, "transaction %s: cannot restore %s %s: %m", id, jstr(c, "kind"), jstr(c, "key"));
                        set_str(c, "rollback_error", strerror(-r));
                        result = "failed";
                        run->failures++;
                } else if (strcmp(result, "conflict") == 0) {
                        if (w->read(h, jstr(c, "key"), &cur) >= 0)
                                set_str(c, "found", cur);
                        run->conflicts++;
                        log_warning("transaction %s: %s %s was changed by someone else since (now %s, skytune set %s); left alone",
                                    id, jstr(c, "kind"), jstr(c, "key"), strempty(cur), strempty(jstr(c, "new")));
                } else if (strcmp(result, "restored") == 0 || strcmp(result, "forced") == 0)
                        helper_log_change(h, id, "restored", jstr(c, "kind"), jstr(c, "key"), jstr(c, "new"), jstr(c, "old"));
        }
        set_str(c, "rollback", result);
}

/* Undo the owned files and the changes of tx, newest first; what is already undone (an earlier,
 * partial rollback of the same transaction) is skipped. */
static int rollback_tx(Helper *h, json_t *tx, bool force, bool skip_live) {
        const char *id = jstr(tx, "id");
        /* Rolling back an applied (or partly rolled back) transaction: first a durable "rolling-back", so
         * that a failed final save leaves it for the next start to finish, never "applied" with the old
         * values back. In an apply or a recovery the durable record already says "applying" (or
         * "rolling-back"), so a failed progress save must not stop the restore. */
        _cleanup_free_ char *was = strdup(jstr(tx, "state") ?: "");
        if (!was)
                return -ENOMEM;
        bool was_applied = strcmp(was, "applied") == 0 || strcmp(was, "partially-rolled-back") == 0;
        set_str(tx, "state", "rolling-back");
        int r = journal_save(h, tx, was_applied);
        if (r < 0 && was_applied) {
                set_str(tx, "state", was);
                /* The rename may have landed before a failed fsync: put the durable record back, or the
                 * next start would finish a rollback the caller is told did not happen. */
                if (journal_save(h, tx, true) < 0)
                        log_error("transaction %s: the journal may say rolling-back: the next start of the helper "
                                  "may finish this rollback", id);
                return log_error_errno(r, "transaction %s: cannot save the journal before rolling back: %m", id);
        }
        if (r < 0)
                log_warning_errno(r, "transaction %s: cannot save the journal's progress (%m); rolling back all the same", id);

        RollbackRun run = { .h = h, .tx = tx, .force = force };
        json_t *files = json_object_get(tx, "files");
        for (size_t i = json_array_size(files); i > 0; i--) {
                json_t *f = json_array_get(files, i - 1);
                const char *path = jstr(f, "path"), *status = jstr(f, "status");
                if (path && owned_file_path_valid(path))
                        (void) persist_remove_temp(h, path);        /* of a write a crash or failure interrupted */
                /* "failed": the write may have landed anyway (the rename happened, the fsync after it failed). */
                if (!status ||
                    (strcmp(status, "written") != 0 && strcmp(status, "pending") != 0 && strcmp(status, "failed") != 0) ||
                    rollback_result_done(jstr(f, "rollback")))
                        continue;
                (void) rollback_file(&run, f);
                (void) journal_save(h, tx, false);
        }

        json_t *changes = json_object_get(tx, "changes");
        for (size_t i = json_array_size(changes); i > 0; i--) {
                json_t *c = json_array_get(changes, i - 1);
                const char *status = jstr(c, "status");
                /* "failed": a ulimit write may have changed some processes before it failed. */
                if (!status || (strcmp(status, "applied") != 0 && strcmp(status, "pending") != 0 && strcmp(status, "failed") != 0) ||
                    rollback_result_done(jstr(c, "rollback")))
                        continue;
                rollback_change(&run, c, skip_live);
                (void) journal_save(h, tx, false);
        }
        if (run.systemd_touched)
                persist_reload_systemd(h, tx);
        rollback_run_done(&run);
        _cleanup_free_ char *now = now_iso();
        set_str(tx, "rolled_back", now);
        json_object_set_new(tx, "conflicts", json_integer(run.conflicts));
        json_object_set_new(tx, "superseded", json_integer(run.superseded));
        json_object_set_new(tx, "failures", json_integer(run.failures));
        json_object_set_new(tx, "forced", json_boolean(force));
        return 0;
}

/* A write of an apply failed: roll back what it wrote and say exactly what became of that. */
static int apply_failed(Helper *h, json_t *tx, const char *what, int failed_r, sd_bus_error *error) {
        const char *id = jstr(tx, "id");
        log_error_errno(failed_r, "transaction %s: writing %s failed: %m; rolling back", id, what);
        int r = rollback_tx(h, tx, false, false);
        json_int_t left = json_integer_value(json_object_get(tx, "failures")) + json_integer_value(json_object_get(tx, "conflicts"));
        set_str(tx, "state", "failed");
        int saved = r < 0 ? r : journal_save(h, tx, true);
        if (saved < 0)
                /* A non-durable "failed" still beats the intent record (its seq is higher) until a power loss,
                 * after which the next start rolls the intent back (finding the old values: "unchanged"). */
                (void) journal_save(h, tx, false);
        if (r < 0 || left > 0)
                return sd_bus_error_setf(error, HELPER_ERROR_FAILED,
                                         "transaction %s: writing %s failed: %s; rolling back left %lld change(s) or file(s) "
                                         "not restored (see `skytune history %s`; roll back by hand what it names)",
                                         id, what, strerror(-failed_r), r < 0 ? -1LL : (long long) left, id);
        return sd_bus_error_setf(error, HELPER_ERROR_FAILED,
                                 "transaction %s: writing %s failed: %s; what this transaction had changed was rolled back%s", id,
                                 what, strerror(-failed_r),
                                 saved < 0 ? " (the journal could not record that durably; the next start checks again)" : "");
}

int tx_apply(Helper *h, const Plan *plan, bool persist, uid_t uid, json_t **ret_tx, sd_bus_error *error) {
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
                return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "cannot write the journal in %s: %s; nothing was changed",
                                         h->state_dir, strerror(-r));
        if (h->test_crash_after == 0) {
                log_notice("test hook: killing myself after the intent record");
                raise(SIGKILL);
        }

        const char *failed_what = NULL;
        int failed_r = 0;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c) {
                if (!jstreq(c, "status", "pending") || jstreq(c, "mechanism", "file"))
                        continue;
                TunableKind kind = tunable_kind_from_string(jstr(c, "kind"));
                const Writer *w = writer_for(kind);
                r = w->write(h, c, jstr(c, "proposed"));
                if (r < 0) {
                        set_str(c, "status", "failed");
                        set_str(c, "error", strerror(-r));
                        failed_what = jstr(c, "key");
                        failed_r = r;
                        break;
                }
                /* What the kernel made of it (it may round or reformat). */
                _cleanup_free_ char *now = NULL;
                if (w->read(h, jstr(c, "key"), &now) >= 0)
                        set_str(c, "new", now);
                set_str(c, "status", "applied");
                helper_log_change(h, id, "applied", jstr(c, "kind"), jstr(c, "key"), jstr(c, "old"), jstr(c, "new"));
                r = journal_save(h, tx, false);
                if (r < 0) {
                        failed_what = "the journal";
                        failed_r = r;
                        break;
                }
        }
        json_t *f;
        json_array_foreach(json_object_get(tx, "files"), i, f) {
                if (failed_what)
                        break;
                r = persist_write_file(h, jstr(f, "path"), jstr(f, "new_content"), NULL);
                if (r < 0) {
                        set_str(f, "status", "failed");
                        set_str(f, "error", strerror(-r));
                        failed_what = jstr(f, "path");
                        failed_r = r;
                        break;
                }
                set_str(f, "status", "written");
                helper_log_change(h, id, "written", "file", jstr(f, "path"), "", "");
                size_t k;
                json_array_foreach(json_object_get(tx, "changes"), k, c)
                        if (jstreq(c, "mechanism", "file") && jstreq(c, "file", jstr(f, "path")) && jstreq(c, "status", "pending"))
                                set_str(c, "status", "applied");
                r = journal_save(h, tx, false);
                if (r < 0) {
                        failed_what = "the journal";
                        failed_r = r;
                        break;
                }
        }
        if (failed_what)
                return apply_failed(h, tx, failed_what, failed_r, error);
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

int tx_find_last_applied(Helper *h, json_t **ret) {
        json_auto_t *all = NULL;
        int r = journal_list(h, &all);
        if (r < 0)
                return r;
        for (size_t i = json_array_size(all); i > 0; i--) {
                json_t *tx = json_array_get(all, i - 1);
                if (jstreq(tx, "state", "applied")) {
                        *ret = json_incref(tx);
                        return 0;
                }
        }
        return -ENOENT;
}

int tx_rollback(Helper *h, const char *id, bool force, json_t **ret_tx, sd_bus_error *error) {
        json_auto_t *tx = NULL;
        int r;
        if (isempty(id) || strcmp(id, "last") == 0) {
                r = tx_find_last_applied(h, &tx);
                if (r == -ENOENT)
                        return sd_bus_error_setf(error, HELPER_ERROR_NOT_FOUND, "no applied transaction to roll back");
        } else {
                if (!tx_id_valid(id))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "invalid transaction id");
                r = journal_load(h, id, &tx);
                if (r == -ENOENT)
                        return sd_bus_error_setf(error, HELPER_ERROR_NOT_FOUND, "no transaction %s", id);
                if (r == -EBADMSG)
                        return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "the journal of transaction %s is corrupt; it was moved to %s/corrupt/",
                                                 id, h->state_dir);
        }
        if (r < 0)
                return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "cannot read the journal: %s", strerror(-r));
        if (!jstreq(tx, "state", "applied") && !jstreq(tx, "state", "partially-rolled-back"))
                return sd_bus_error_setf(error, HELPER_ERROR_CONFLICT,
                                         "transaction %s is %s; only an applied transaction (or a partially rolled back one) can be rolled back",
                                         jstr(tx, "id"), jstr(tx, "state"));
        r = rollback_tx(h, tx, force, false);
        if (r < 0)
                return sd_bus_error_setf(error, HELPER_ERROR_FAILED, "transaction %s: %s; nothing was restored", jstr(tx, "id"), strerror(-r));
        set_str(tx, "state", rollback_complete(tx) ? "rolled-back" : "partially-rolled-back");
        r = journal_save(h, tx, true);
        if (r < 0)
                log_error_errno(r, "transaction %s: rolled back, but the final journal save failed: %m", jstr(tx, "id"));
        log_notice("transaction %s rolled back (%lld conflicts)", jstr(tx, "id"), json_integer_value(json_object_get(tx, "conflicts")));
        *ret_tx = json_incref(tx);
        return 0;
}

int tx_recover_all(Helper *h) {
        json_auto_t *all = NULL;
        int r = journal_list_filtered(h, true, &all);
        if (r < 0)
                return log_error_errno(r, "cannot list the journal in %s: %m", h->state_dir);
        /* Newest first, as a rollback of several would. */
        for (size_t i = json_array_size(all); i > 0; i--) {
                json_t *tx = json_array_get(all, i - 1);
                const char *state = jstr(tx, "state");
                if (!jstreq(tx, "state", "applying") && !jstreq(tx, "state", "rolling-back"))
                        continue;
                bool same_boot = jstreq(tx, "boot_id", h->boot_id);
                log_warning("transaction %s was left %s (crash or kill); rolling it back%s", jstr(tx, "id"), state,
                            same_boot ? "" : " (the machine rebooted since: only owned files)");
                json_object_set_new(tx, "interrupted_state", json_string(state));
                r = rollback_tx(h, tx, false, !same_boot);
                if (r < 0)
                        continue;        /* stays unfinished: tried again next start */
                set_str(tx, "state", rollback_complete(tx) ? "recovered" : "partially-rolled-back");
                r = journal_save(h, tx, true);
                if (r < 0)
                        log_error_errno(r, "transaction %s: recovered, but the journal save failed: %m", jstr(tx, "id"));
        }
        return 0;
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
