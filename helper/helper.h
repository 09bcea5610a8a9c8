/* SPDX-License-Identifier: MIT */
/* skytune-helper: the only part of skytune that changes the system. Shared state of the service and
 * the interfaces between its files (bus, polkit, journal, writers, persist, apply, idle, caps). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "sysroot.h"
#include "tunable.h"

#define HELPER_BUS_NAME "io.skysentinel.SkyTune1"
#define HELPER_BUS_PATH "/io/skysentinel/SkyTune1"
#define HELPER_BUS_IFACE "io.skysentinel.SkyTune1"
#define HELPER_ACTION_APPLY "io.skysentinel.skytune.apply"
#define HELPER_ACTION_ROLLBACK "io.skysentinel.skytune.rollback"

#define HELPER_ERROR_INVALID_PLAN "io.skysentinel.SkyTune1.Error.InvalidPlan"
#define HELPER_ERROR_CONFLICT "io.skysentinel.SkyTune1.Error.Conflict"
#define HELPER_ERROR_BUSY "io.skysentinel.SkyTune1.Error.Busy"
#define HELPER_ERROR_NOT_FOUND "io.skysentinel.SkyTune1.Error.NotFound"
#define HELPER_ERROR_FAILED "io.skysentinel.SkyTune1.Error.Failed"
#define HELPER_ERROR_INVALID_VERIFICATION "io.skysentinel.SkyTune1.Error.InvalidVerification"
#define HELPER_ERROR_NOT_FINISHED "io.skysentinel.SkyTune1.Error.NotFinished"

/* Apply and RollbackWithFlags flags (the "t flags" argument). */
enum {
        HELPER_FLAG_INTERACTIVE = 1 << 0,   /* polkit may ask for a password */
        HELPER_FLAG_PERSIST = 1 << 1,       /* also write the persistent forms (as the plan's "persist") */
        HELPER_FLAG_FORCE = 1 << 2,         /* rollback: restore values someone else changed since */
        _HELPER_FLAGS_ALL = (1 << 3) - 1,
};

#define HELPER_TX_SCHEMA "skytune.tx/1"
#define HELPER_PLAN_SCHEMA "skytune.plan/1"
#define HELPER_PLAN_MAX (1024 * 1024)       /* bytes of plan JSON */
#define HELPER_CHANGES_MAX 256
#define HELPER_PENDING_MAX 32               /* requests waiting for polkit or their turn */
#define HELPER_VERIFY_SCHEMA "skytune.verify/1"
#define HELPER_VERIFICATION_MAX (64 * 1024) /* bytes of verification JSON (AnnotateTransaction) */

typedef struct Request Request;

/* test-hooks.c: --test-fault KIND:N:WHAT (see there). */
typedef struct TestFault {
        int kind;                           /* a FileOp, or -1: any */
        unsigned long at, seen;
        int error;                          /* errno to fail with; 0: SIGKILL */
        bool kill_next;
} TestFault;
int test_fault_parse(const char *spec, TestFault *ret);
void test_fault_enable(TestFault *t);

typedef struct Helper {
        Sysroot *root;
        char *state_dir;
        int state_fd;                       /* the state directory (0700) */
        int tx_fd;                          /* its tx/ subdirectory: one <id>.json per transaction */
        int lock_fd;                        /* flock: one helper instance works on the journal at a time */
        sd_event *event;
        sd_bus *bus;
        uint64_t idle_usec;
        bool log_journal;
        long test_crash_after;              /* < 0: off; else die by SIGKILL after that many system writes */
        unsigned long writes;               /* system writes so far (for the test hook) */
        TestFault test_fault;               /* --test-fault; .at == 0: off */
        char boot_id[33];
        Request *requests;                  /* waiting for polkit */
        unsigned n_requests;
        bool exiting;
} Helper;

/* One validated change of a plan. Keys are canonical, values normalized. */
typedef struct PlanChange {
        TunableKind kind;
        char *key;
        char *proposed;
        char *mechanism;                    /* from the plan, informational; may be NULL */
} PlanChange;

typedef struct Plan {
        bool persist;
        PlanChange *changes;
        size_t n_changes;
} Plan;

/* plan.c: parse and validate against the allowlist; on -EINVAL *ret_error says which change and why. */
int plan_parse(const char *text, size_t len, Plan **ret, char **ret_error);
Plan *plan_free(Plan *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Plan *, plan_free);
/* Transaction ids: [0-9A-Za-z-], at most 64 bytes. */
bool tx_id_valid(const char *id);

/* writers.c: per-kind live access (see the table there). */
typedef struct Writer {
        TunableKind kind;
        /* Live value, normalized; -ENOENT when the host lacks it; -EOPNOTSUPP when the change lives
         * only in an owned file (ulimit unit/login/default scopes). */
        int (*read)(Helper *h, const char *key, char **ret);
        /* Host-specific acceptance (offered governors, the scheduler list); *reason on refusal. */
        int (*check)(Helper *h, const char *key, const char *value, const char **reason);
        /* Record what a rollback needs beyond "old" (extra keys, process lists) in the change. */
        int (*prepare)(Helper *h, json_t *change);
        int (*write)(Helper *h, json_t *change, const char *value);
        /* Undo one applied change. Returns the status: "restored", "unchanged" (already the old value),
         * "conflict" (someone else changed it since; left alone unless force), or a negative errno. */
        int (*restore)(Helper *h, json_t *change, bool force, const char **ret_status);
} Writer;

const Writer *writer_for(TunableKind kind);
int writer_read(Helper *h, TunableKind kind, const char *key, char **ret);
/* Count a system write; the test hook dies here. */
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
/* Remove the directories an apply created, newest first, where empty; a failure other than "not empty". */
int persist_remove_dirs(Helper *h, json_t *created_dirs);
/* The directories of path that do not exist yet (what a write would create), appended to ret_dirs:
 * recorded in the intent record before they are created. */
int persist_missing_dirs(Helper *h, const char *path, json_t *ret_dirs);
/* Remove what an interrupted write of the owned file path may have left (its temporary file). */
int persist_remove_temp(Helper *h, const char *path);
bool persist_path_is_systemd(const char *path);
/* daemon-reload where systemd is PID 1 and the sysroot is "/"; else a note saying why not. */
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
int journal_new_id(char **ret);
char *now_iso(void);
/* A verification record (AnnotateTransaction) as the caller sent it: parsed and checked member by
 * member (skytune.verify/1 with decision and transactions; no unknown members, names and verdicts
 * from their grammar, at most HELPER_VERIFICATION_MAX bytes). -EINVAL with *ret_error saying where. */
int verification_parse(const char *text, size_t len, json_t **ret, char **ret_error);
/* Store a parsed record as the transaction's "verification" (replacing an earlier one; "recorded" and
 * "recorded_by_uid" added) with a durable save. -ENOENT: no such transaction; -EBUSY: it is still
 * applying or rolling back; -EBADMSG: its file is corrupt (moved aside). *ret_tx: the saved record. */
int journal_set_verification(Helper *h, const char *id, json_t *record, uid_t uid, json_t **ret_tx);

/* apply.c */
int tx_apply(Helper *h, const Plan *plan, bool persist, uid_t uid, json_t **ret_tx, sd_bus_error *error);
int tx_rollback(Helper *h, const char *id, bool force, json_t **ret_tx, sd_bus_error *error);
/* The newest transaction in state "applied"; -ENOENT if none. */
int tx_find_last_applied(Helper *h, json_t **ret);
/* Roll back every transaction left unfinished by a crash. */
int tx_recover_all(Helper *h);
/* The transaction with live values and drift annotations (GetTransaction). */
int tx_annotate_live(Helper *h, json_t *tx);

/* polkit.c: CheckAuthorization for the sender of m, without blocking; cb gets polkitd's reply (or the
 * bus's error when polkitd is not there), and polkit_verdict() reads it: 1 allowed, 0 denied,
 * -EBADR interactive authorization required; *why says why not. */
int polkit_check_async(Helper *h, sd_bus_message *m, const char *action, bool interactive,
                       sd_bus_message_handler_t cb, void *userdata, sd_bus_slot **ret_slot);
int polkit_verdict(sd_bus_message *request, sd_bus_message *reply, bool interactive, const char **why);

/* bus.c */
int bus_setup(Helper *h);
bool bus_is_idle(Helper *h);
void bus_cancel_requests(Helper *h, const char *why);

/* idle.c */
int idle_loop(Helper *h);

/* caps.c */
int caps_drop_to_needed(void);

/* log-helper.c: one structured journal record per change. */
void helper_log_setup(bool journal);
void helper_log_change(Helper *h, const char *tx, const char *verb, const char *kind, const char *key,
                       const char *old, const char *new);
