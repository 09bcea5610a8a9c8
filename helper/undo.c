/* SPDX-License-Identifier: MIT */
/* Undo a transaction: Rollback, the rollback of a failed apply, and recovery after a crash.
 *
 * Owned files first, then the changes, in reverse order. A value is restored only if it still reads
 * as what skytune wrote; anything else means someone changed it since, and it is left alone and
 * reported as a conflict unless forced (rollback.c decides per key and per file entry). A crash
 * leaves a transaction "applying" or "rolling-back"; the next start rolls it back by the same rules
 * (a "pending" change may or may not have been written: the live value tells). */
#include <stdlib.h>
#include <string.h>

#include "helper-core.h"
#include "json-util.h"
#include "log.h"
#include "owned-file.h"

/* Undo one change (a live value; one that lives in an owned file was undone with its file). */
static void rollback_change(RollbackRun *run, json_t *c, bool skip_live) {
        Helper *h = run->h;
        const char *id = jstr(run->tx, "id"), *result = NULL, *by = NULL;
        _cleanup_(error_done) Error why = ERROR_NULL;
        ChangeRecord rec;
        change_record_view(c, &rec);
        const Writer *w = writer_for(rec.kind, rec.key);
        _cleanup_free_ char *cur = NULL;
        if (jstreq(c, "mechanism", "file")) {
                result = rollback_file_change(run->tx, c, &by);        /* counted with the file */
                set_str(c, "superseded_by", by);
        } else if (skip_live)
                result = "obsolete";        /* the machine rebooted since: live values are gone */
        else if ((by = rollback_newer_owner(run, c))) {
                result = "superseded";
                set_str(c, "superseded_by", by);
                if (w && w->read(h, rec.kind, rec.key, &cur) >= 0)
                        set_str(c, "found", cur);
                run->superseded++;
                log_warning("transaction %s: %s %s is set by the newer transaction %s; left alone", id, jstr(c, "kind"),
                            jstr(c, "key"), by);
        } else if (rollback_check_live(&rec, &why) < 0) {
                log_error("transaction %s: %s %s: not restored: %s", id, strempty(jstr(c, "kind")), strempty(jstr(c, "key")),
                          error_message(&why));
                set_str(c, "rollback_error", error_message(&why));
                result = "refused";
                run->failures++;
        } else {
                int r = w ? w->restore(h, &rec, run->force, &result) : -EINVAL;
                if (r < 0) {
                        log_error_errno(r, "transaction %s: cannot restore %s %s: %m", id, jstr(c, "kind"), jstr(c, "key"));
                        set_str(c, "rollback_error", strerror(-r));
                        result = "failed";
                        run->failures++;
                } else if (strcmp(result, "conflict") == 0) {
                        if (w->read(h, rec.kind, rec.key, &cur) >= 0)
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
int tx_undo(Helper *h, json_t *tx, bool force, bool skip_live) {
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

int tx_rollback(Helper *h, const char *id, bool force, json_t **ret_tx, Error *error) {
        json_auto_t *tx = NULL;
        _cleanup_free_ char *last = NULL;
        int r = 0;
        if (isempty(id) || strcmp(id, "last") == 0) {
                /* From the summaries, so that no rollback parses the whole journal to find it. */
                r = journal_last_applied(h, &last);
                if (r == -ENOENT)
                        return error_set(error, -ENOENT, "no applied transaction to roll back");
                id = last;
        } else if (!tx_id_valid(id))
                return error_set(error, -EINVAL, "invalid transaction id");
        if (r >= 0) {
                r = journal_load(h, id, &tx);
                if (r == -ENOENT)
                        return error_set(error, -ENOENT, "no transaction %s", id);
                if (r == -EBADMSG)
                        return error_set(error, -EBADMSG, "the journal of transaction %s is corrupt; it was moved to %s/corrupt/", id,
                                         h->state_dir);
        }
        if (r < 0)
                return error_set(error, helper_failure(r), "cannot read the journal: %s", strerror(-r));
        if (!jstreq(tx, "state", "applied") && !jstreq(tx, "state", "partially-rolled-back"))
                return error_set(error, -EBUSY,
                                 "transaction %s is %s; only an applied transaction (or a partially rolled back one) can be rolled back",
                                 jstr(tx, "id"), jstr(tx, "state"));
        r = tx_undo(h, tx, force, false);
        if (r < 0)
                return error_set(error, helper_failure(r), "transaction %s: %s; nothing was restored", jstr(tx, "id"), strerror(-r));
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
                r = tx_undo(h, tx, false, !same_boot);
                if (r < 0)
                        continue;        /* stays unfinished: tried again next start */
                set_str(tx, "state", rollback_complete(tx) ? "recovered" : "partially-rolled-back");
                r = journal_save(h, tx, true);
                if (r < 0)
                        log_error_errno(r, "transaction %s: recovered, but the journal save failed: %m", jstr(tx, "id"));
        }
        return 0;
}

