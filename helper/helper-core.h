/* SPDX-License-Identifier: MIT */
/* The helper's core library: the transaction engine of skytune-helper (the only part of skytune
 * that changes the system), free of any transport: the journal and its index, writers, owned files,
 * apply, rollback, recovery, the read documents and verification records. Failures are negative
 * errnos, with an Error (common/error.h) where a caller needs the detail; the executable's bus layer
 * (service.h) maps them to D-Bus errors. Tests drive it on fixture sysroots without root. */
#pragma once

#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "helper-bus.h"
#include "macro.h"
#include "plan-validate.h"
#include "sysroot.h"
#include "tunable.h"

#define HELPER_TX_SCHEMA TX_SCHEMA
/* The plan's schema and limits have their home in common/plan-validate.h. */
#define HELPER_PLAN_SCHEMA PLAN_SCHEMA
#define HELPER_PLAN_MAX PLAN_MAX_BYTES
#define HELPER_CHANGES_MAX PLAN_MAX_CHANGES
#define HELPER_LIST_FINISHED_MAX 200       /* finished transactions per ListTransactions reply (newest) */
#define HELPER_LIST_REPLY_MAX (1024 * 1024) /* bytes of finished transactions' summaries per list reply */
#define HELPER_PAGE_MAX 100                 /* transactions per ListTransactionsPage reply */
#define HELPER_KEEP_FINISHED 100            /* default retention: finished transactions kept (--keep-finished) */
#define HELPER_VERIFY_SCHEMA VERIFY_SCHEMA
#define HELPER_VERIFICATION_MAX (64 * 1024) /* bytes of verification JSON (AnnotateTransaction) */
#define HELPER_RECORD_MAX (16u * 1024 * 1024) /* bytes of one journal record read back; larger is quarantined */

typedef struct JournalIndex JournalIndex;

/* test-hooks.c: --test-fault KIND:N:WHAT (see there). */
typedef struct TestFault {
        int kind;                           /* a FileOp, or -1: any */
        unsigned long at, seen;
        int error;                          /* errno to fail with; 0: SIGKILL */
        bool kill_next;
} TestFault;
int test_fault_parse(const char *spec, TestFault *ret);
void test_fault_enable(TestFault *t);
/* What the executable plugs into the engine; each may be NULL (tests: logs only). */
typedef struct HelperHooks {
        /* One record per change made or undone (log-helper.c: structured journal fields); NULL: a
         * log_notice line. */
        void (*log_change)(const char *tx, const char *verb, const char *kind, const char *key, const char *old,
                           const char *new);
        /* Ask systemd (PID 1, on the host) for a daemon-reload: 0, or a negative errno and e saying
         * why it failed (systemd's message; none when it gave none). NULL: none is asked for. */
        int (*reload_systemd)(void *userdata, Error *e);
        void *userdata;
} HelperHooks;

/* The engine's state: one per process (the journal lock allows one at a time per state directory). */
typedef struct Helper {
        Sysroot *root;
        char *state_dir;
        int state_fd;                       /* the state directory (0700) */
        int tx_fd;                          /* its tx/ subdirectory: one <id>.json per transaction */
        int lock_fd;                        /* flock: one helper instance works on the journal at a time */
        long test_crash_after;              /* < 0: off; else die by SIGKILL after that many system writes */
        unsigned long writes;               /* system writes so far (for the test hook) */
        TestFault test_fault;               /* --test-fault; .at == 0: off */
        char boot_id[33];
        JournalIndex *index;                /* summaries of the journal files (journal-index.c) */
        unsigned keep_finished;             /* retention: newest finished transactions kept; 0: all */
        HelperHooks hooks;
} Helper;

/* core.c: the state that helper_core_open() set up (fds, index, sysroot) is released; state_dir is
 * the caller's. Safe on a zeroed Helper whose fds are -EBADF. */
void helper_core_done(Helper *h);
/* A change made or undone: through hooks.log_change, else a log line. */
void helper_log_change(Helper *h, const char *tx, const char *verb, const char *kind, const char *key, const char *old,
                       const char *new);
/* Append a note (a sentence for people) to the transaction's "notes". */
void tx_note(json_t *tx, const char *fmt, ...) _printf_(2, 3);
/* The errno of a failure that is neither "not found" (-ENOENT), a refused argument or plan (-EINVAL)
 * nor a transaction in the wrong state (-EBUSY): those three have their own D-Bus errors (bus.c), so a
 * plain failure that happens to carry one of them is reported as -EIO (its message keeps the cause). */
static inline int helper_failure(int r) {
        return r == -ENOENT || r == -EINVAL || r == -EBUSY ? -EIO : r;
}

/* Plans (Plan, PlanChange) are parsed and validated by common/plan-validate.h: plan_validate() before
 * polkit is asked, plan_check_change_host() again before anything is written. */
/* Transaction ids: [0-9A-Za-z-], at most 64 bytes. */
bool tx_id_valid(const char *id);

/* change.c: the typed view of one change record of the journal (skytune.tx/1 "changes"[i]), which the
 * writers read instead of the document's members; its setters record what a rollback needs in the
 * document (the journal's format) and refresh the view. Strings are borrowed from the document. */
typedef struct ChangeRecord {
        json_t *json;                       /* the record in the transaction (borrowed) */
        TunableKind kind;                   /* < 0 when the journal names no known kind */
        const char *key, *proposed;
        const char *old, *new;              /* the value before, and as the kernel read it back after */
        const char *old_raw;                /* sysctl: the file's bytes before, when they differ (tabs) */
        bool has_pair;                      /* sysctl: a coupled partner is recorded (vm.dirty_bytes ~ ratio) */
        const char *pair_key, *pair_old;    /* its key and old value (NULL when the journal lacks them) */
        size_t processes;                   /* ulimit process scope: how many processes are recorded */
} ChangeRecord;
typedef struct ProcessRecord {
        int pid;
        unsigned long long start;           /* its start time (field 22 of /proc/PID/stat) */
        const char *old;                    /* its limit before ("soft:hard") */
} ProcessRecord;
void change_record_view(json_t *json, ChangeRecord *ret);
int change_set_old_raw(ChangeRecord *c, const char *raw);
int change_set_pair(ChangeRecord *c, const char *key, const char *old);
/* An empty list of processes, then one entry each. */
int change_start_processes(ChangeRecord *c);
int change_add_process(ChangeRecord *c, int pid, unsigned long long start, const char *old);
ProcessRecord change_process(const ChangeRecord *c, size_t i);
/* "applied", "restored", "conflict" or "gone" (exited, or its PID is another process now). */
void change_set_process_status(ChangeRecord *c, size_t i, const char *status);

/* writers.c: one per write mechanism (TunableMechanism, chosen by the key's backend). */
typedef struct Writer {
        const char *name;                   /* the journal's "mechanism": live, prlimit, file */
        /* Live value, normalized; -ENOENT when the host lacks it; -EOPNOTSUPP when the change lives
         * only in an owned file (ulimit unit/login/default scopes). */
        int (*read)(Helper *h, TunableKind kind, const char *key, char **ret);
        /* Record what a rollback needs beyond "old" (extra keys, process lists) in the change. */
        int (*prepare)(Helper *h, ChangeRecord *change);
        int (*write)(Helper *h, ChangeRecord *change, const char *value);
        /* Undo one applied change. Returns the status: "restored", "unchanged" (already the old value),
         * "conflict" (someone else changed it since; left alone unless force), or a negative errno. */
        int (*restore)(Helper *h, ChangeRecord *change, bool force, const char **ret_status);
} Writer;

const Writer *writer_of_mechanism(TunableMechanism m);
/* The writer of a canonical key's mechanism; NULL for an unknown kind or a key that does not parse. */
const Writer *writer_for(TunableKind kind, const char *key);
int writer_read(Helper *h, TunableKind kind, const char *key, char **ret);
/* test-hooks.c: count a system write; the --test-crash-after hook dies here. */
void helper_count_write(Helper *h);

/* persist.c: owned files. */
/* Path of the owned file that holds the persistent form of a change, or NULL (-EOPNOTSUPP). */
int persist_file_for(TunableKind kind, const char *key, char **ret_path);
/* Value of a file-only change as the owned file says now; -ENOENT when it is not set. */
int persist_read_value(Helper *h, TunableKind kind, const char *key, char **ret);
int persist_read_file(Helper *h, const char *path, char **ret_content, bool *ret_exists);
/* Write (content != NULL) or remove (content == NULL) an owned file atomically; creates missing
 * directories below etc/ and appends them to created_dirs. */
int persist_write_file(Helper *h, const char *path, const char *content, json_t *created_dirs);
/* Remove the directories of created_dirs (newest first) that are empty and on path's own path; a
 * failure other than "not empty" is returned (and logged). */
int persist_remove_dirs(Helper *h, const char *path, json_t *created_dirs);
/* Why an owned path is refused with -ELOOP (persist_read_file, persist_write_file). */
#define PERSIST_LINK_REASON                                                                                     \
        "it, or a directory on its path below /etc, is a symbolic link: skytune writes no owned file through a " \
        "link; replace the link by a copy of what it points to (or remove it) and try again"
/* Record in a new owned-file record (prepare_files) the file as it was before the transactions that
 * still hold entries in it (base_existed, base_content, base_created_dirs). *journal: loaded once. */
int persist_inherit_base(Helper *h, json_t **journal, json_t *rec);
/* The directories of path that do not exist yet (what a write would create), appended to ret_dirs:
 * recorded in the intent record before they are created. */
int persist_missing_dirs(Helper *h, const char *path, json_t *ret_dirs);
/* Remove what an interrupted write of the owned file path may have left (its temporary file). */
int persist_remove_temp(Helper *h, const char *path);
bool persist_path_is_systemd(const char *path);
/* daemon-reload (hooks.reload_systemd) where systemd is PID 1 and the sysroot is "/"; else a note
 * saying why not. */
void persist_reload_systemd(Helper *h, json_t *tx);

/* journal.c */
int journal_open(Helper *h);
/* durable: fsync'd <id>.json (and the progress record dropped); else <id>.progress, not fsync'd. */
int journal_save(Helper *h, json_t *tx, bool durable);
/* -ENOENT: no such transaction; -EBADMSG: corrupt (it is moved aside). */
int journal_load(Helper *h, const char *id, json_t **ret);
/* All readable transactions, oldest first; corrupt files are reported and moved aside. */
int journal_list(Helper *h, json_t **ret);
/* The same, skipping (without parsing) files that plainly hold a finished transaction. */
int journal_list_filtered(Helper *h, bool unfinished_only, json_t **ret);
/* The tx/ directory for readdir, and whether an entry's name is a transaction record (<id>.json). */
int journal_open_dir(Helper *h, DIR **ret);
bool journal_is_record_name(const char *name);
int journal_new_id(char **ret);

/* journal-index.c: summaries of every transaction, oldest first (id, state, created, updated,
 * persist, caller_uid, changes and applied counts, conflicts, failures, verification), from a cache
 * that re-reads only journal files changed since it read them; the array is borrowed until the next
 * call. */
int journal_summaries(Helper *h, const json_t **ret);
/* Id of the newest applied transaction, from the summaries; -ENOENT if none. */
int journal_last_applied(Helper *h, char **ret_id);
void journal_index_free(Helper *h);
/* Retention: remove finished transactions (rolled-back, recovered or failed, with no conflict or
 * failure left) beyond the newest h->keep_finished; applied and unfinished ones are never removed.
 * Returns how many were removed. */
int journal_prune(Helper *h);

/* read.c: the read methods' documents; full, or redacted for callers without HELPER_ACTION_READ. */
/* A transaction or summary as those callers see it: no owned file contents, no caller uids;
 * "redacted": true. Changes tx in place (a shared verification is copied first). */
void journal_redact(json_t *tx);
/* skytune.txlist/1: every applied or unfinished transaction, and the newest HELPER_LIST_FINISHED_MAX
 * finished ones while they fit HELPER_LIST_REPLY_MAX bytes; oldest first, "omitted" counts the rest. */
int read_list(Helper *h, bool full, json_t **ret);
/* At most limit (1..HELPER_PAGE_MAX; 0: the most) transactions older than before ("": the newest),
 * oldest first; "more" and "next" (the before of the next older page) when older ones are left. */
int read_page(Helper *h, bool full, const char *before, uint32_t limit, json_t **ret);
/* GetTransaction: one record ("last" or "": the newest applied) with live values and drift. */
/* -EINVAL: not a transaction id; -ENOENT: no such transaction (or none applied); else a failure. */
int read_get(Helper *h, const char *id, bool full, json_t **ret, Error *error);
char *now_iso(void);
/* A verification record (AnnotateTransaction) as the caller sent it: parsed and checked member by
 * member (skytune.verify/1 with decision and transactions; no unknown members, names and verdicts
 * from their grammar, at most HELPER_VERIFICATION_MAX bytes). -EINVAL with ret_error saying where. */
int verification_parse(const char *text, size_t len, json_t **ret, Error *ret_error);
/* Store a parsed record as the transaction's "verification" (replacing an earlier one; "recorded" and
 * "recorded_by_uid" added) with a durable save. -ENOENT: no such transaction; -EBUSY: it is still
 * applying or rolling back; -EBADMSG: its file is corrupt (moved aside). *ret_tx: the saved record. */
int journal_set_verification(Helper *h, const char *id, json_t *record, uid_t uid, json_t **ret_tx);

/* rollback.c: what tx_undo (undo.c) decides per key and per owned-file entry. Results:
 * "restored", "unchanged", "forced", "obsolete" (done); "conflict" (changed by someone else),
 * "superseded" (a newer transaction holds the key: left alone, also when forced), "failed", "refused"
 * (the journal's old value fails the allowlist): left for a later rollback of the same transaction. */
typedef struct RollbackRun {
        Helper *h;
        json_t *tx;
        json_t *journal;                    /* every transaction, loaded when first needed */
        bool force;
        unsigned conflicts, superseded, failures;
        bool systemd_touched;
} RollbackRun;
void rollback_run_done(RollbackRun *run);
bool rollback_result_done(const char *result);
/* The id of a newer transaction that still holds the live key of change, or NULL. */
const char *rollback_newer_owner(RollbackRun *run, json_t *change);
/* The change's values from the journal pass the allowlist again (key canonical, old, old_raw, the
 * coupled partner, process limits); -EINVAL with the reason in e. */
int rollback_check_live(const ChangeRecord *change, Error *e);
/* Undo file record f entry by entry (its "entries" record the result per entry key). */
int rollback_file(RollbackRun *run, json_t *f);
/* The result for a change that lives in an owned file (its entries'), *ret_by the newer owner. */
const char *rollback_file_change(json_t *tx, json_t *change, const char **ret_by);
/* Nothing of tx is left to roll back. */
bool rollback_complete(json_t *tx);

/* apply.c: apply a validated plan as one transaction; *ret_tx is the transaction ("unchanged" and no
 * id when nothing was to change). -EINVAL: a change fails the host checks now (the plan is refused,
 * nothing was changed); else a failure, *error saying what became of the system. */
int tx_apply(Helper *h, const Plan *plan, bool persist, uid_t uid, json_t **ret_tx, Error *error);

/* undo.c: Rollback of transaction id ("last" or "": the newest applied). -EINVAL: not a transaction
 * id; -ENOENT: no such transaction; -EBUSY: it is not applied (nor partly rolled back); else a
 * failure. */
int tx_rollback(Helper *h, const char *id, bool force, json_t **ret_tx, Error *error);
/* Undo the owned files and the changes of tx, newest first, saving progress; what is already undone
 * (an earlier, partial rollback) is skipped. skip_live: the machine rebooted since (live values are
 * gone: only owned files). The caller sets the final state and saves it. */
int tx_undo(Helper *h, json_t *tx, bool force, bool skip_live);
/* Roll back every transaction left unfinished by a crash. */
int tx_recover_all(Helper *h);
/* read.c: the transaction with live values and drift annotations (GetTransaction). */
int tx_annotate_live(Helper *h, json_t *tx);

