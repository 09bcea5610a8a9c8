/* SPDX-License-Identifier: MIT */
/* Tunable kinds: the allowlist shared by the optimizer (what it may propose) and the helper (what
 * it will write). Each kind is a backend in a table (tunable-*.c), not a switch spread over the code.
 *
 * Keys, canonical form:
 *   sysctl         dotted name as sysctl(8) prints it; a dot inside a component is written '/'
 *                  (net.ipv4.conf.eth0/1.rp_filter). The '/'-separated path form is accepted too.
 *   cpu_governor   cpufreq policy name, "policy0"      -> sys/devices/system/cpu/cpufreq/policy0/scaling_governor
 *   cpu_epp        cpufreq policy name, "policy0"      -> .../energy_performance_preference
 *   io_scheduler   block device name, "vda"            -> sys/block/vda/queue/scheduler
 *   read_ahead_kb  block device name                    -> sys/block/DEV/queue/read_ahead_kb
 *   nr_requests    block device name                    -> sys/block/DEV/queue/nr_requests
 *   ulimit         SCOPE:TARGET:RESOURCE, SCOPE one of process (running processes whose comm is
 *                  TARGET, via prlimit), unit (a systemd unit's Limit*= drop-in), login
 *                  (limits.d; TARGET is "*", a user or @group), default (DefaultLimit*= for all
 *                  services; TARGET "*"). Value "SOFT:HARD" or "N" (both), numbers or "infinity".
 *
 * A new kind is a backend (a tunable-NAME.c filling TunableBackend: grammar, live file, offered values,
 * place = write mechanism and owned-file format) and its line in tunable.c's table; the helper's
 * writers (helper/writers.c) and the owned-file formats (common/owned-file*.c) are chosen by the
 * place, so a kind with an existing mechanism and format needs nothing else.
 * tests/unit/test-tunable-kinds.c walks every kind across every table (add its sample keys there).
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "sysroot.h"

typedef struct json_t json_t;

typedef enum TunableKind {
        TUNABLE_SYSCTL,
        TUNABLE_CPU_GOVERNOR,
        TUNABLE_CPU_EPP,
        TUNABLE_IO_SCHEDULER,
        TUNABLE_READ_AHEAD_KB,
        TUNABLE_NR_REQUESTS,
        TUNABLE_ULIMIT,
        _TUNABLE_KIND_MAX,
        _TUNABLE_KIND_INVALID = -EINVAL,
} TunableKind;

#define TUNABLE_KEY_MAX 255
#define TUNABLE_VALUE_MAX 255

/* How skytune-helper writes a key's live value; each has one implementation in helper/writers.c. */
typedef enum TunableMechanism {
        TUNABLE_MECH_ATTR,      /* one write(2) of the live file (procfs, sysfs) */
        TUNABLE_MECH_PRLIMIT,   /* prlimit(2) on the running processes */
        TUNABLE_MECH_FILE,      /* no live value: only the owned file (ulimit unit, login, default) */
        _TUNABLE_MECH_MAX,
} TunableMechanism;

/* The format of the owned file that persists a key; each has its writer in common/owned-file*.c. */
typedef enum OwnedFormat {
        OWNED_SYSCTL,           /* /etc/sysctl.d: key = value */
        OWNED_UDEV,             /* /etc/udev/rules.d: ATTR{queue/...} of a block device */
        OWNED_TMPFILES,         /* /etc/tmpfiles.d: w lines of sysfs attributes */
        OWNED_LIMITS,           /* /etc/security/limits.d: soft and hard lines */
        OWNED_UNIT,             /* a systemd unit's drop-in: LimitX= */
        OWNED_SYSTEM,           /* /etc/systemd/system.conf.d: DefaultLimitX= */
        _OWNED_FORMAT_MAX,
        OWNED_NONE = -1,        /* no persistent form (running processes only) */
} OwnedFormat;

/* Where a key's value lives: how it is written live and which owned file persists it. */
typedef struct TunablePlace {
        TunableMechanism mechanism;
        OwnedFormat format;
} TunablePlace;

typedef struct TunableBackend {
        TunableKind kind;
        const char *name;
        /* Check the key's grammar and allowlist; on success *ret is the canonical key (malloc'ed). A
         * refusal may say why in e; else tunable_check() says why from the errno. */
        int (*canonical_key)(const char *key, char **ret, Error *e);
        /* Check a value against the grammar, range and floor for this key (canonical key); e as
         * above. */
        int (*validate_value)(const char *key, const char *value, Error *e);
        /* Relative path of the live file for a canonical key (NULL for kinds without one). */
        int (*live_path)(const char *key, char **ret);
        /* Current value, normalized; -ENOENT when this host lacks the key. NULL: read live_path. */
        int (*read)(const Sysroot *root, const char *key, char **ret);
        /* Normalized form of a value, for comparison and storage. */
        int (*normalize)(const char *key, const char *value, char **ret);
        /* For people (`skytune policy keys`): what a key names and what values it takes. */
        const char *key_help, *value_help;
        /* An element a policy key's '$' may stand for ("eth0" in net.ipv4.conf.$.rp_filter), to check
         * such keys against the allowlist. */
        const char *sample_element;
        /* Adds what the kind's keys are made of to its `skytune policy keys` entry (the sysctl names,
         * the ulimit scopes and resources); NULL when the help texts say it all. */
        int (*describe)(json_t *entry);
        /* Values are numbers: raise, lower and scaling apply. */
        bool numeric;
        /* The host's list of offered values for a key ("none [mq-deadline] kyber",
         * scaling_available_governors): its relative path, or *ret NULL when the key has none. NULL:
         * no key of the kind has one. offered_words_only: a number is not looked up (EPP 0-255). */
        int (*offered_path)(const char *key, char **ret);
        bool offered_words_only;
        /* The helper refuses a value the list lacks (plan_check_change_host); without it the list only
         * guides the optimizer (the kernel loads a TCP congestion control module on demand). */
        bool offered_enforced;
        const char *offered_refusal;    /* the helper's reason when it refuses */
        /* Where the values live; keys whose place differs (ulimit's scopes) set place_of instead. */
        TunablePlace place;
        int (*place_of)(const char *key, TunablePlace *ret);
        /* TUNABLE_MECH_ATTR: the key the kernel couples to this one (writing one zeroes the other), or
         * NULL; restore_raw: a rollback writes back the file's bytes as read (tabs in tcp_rmem). */
        const char *(*coupled_partner)(const char *key);
        bool restore_raw;
} TunableBackend;

TunableKind tunable_kind_from_string(const char *s);
const char *tunable_kind_to_string(TunableKind k);
const TunableBackend *tunable_backend(TunableKind k);

/* Key and value against the allowlist: -EINVAL, -ERANGE or -EILSEQ with the reason in e (may be NULL). */
int tunable_check(TunableKind kind, const char *key, const char *value, char **ret_key, Error *e);
/* The same for a value of len bytes that need not end in NUL (an embedded NUL is refused): the entry
 * point of the value parsers for a fuzzer. */
int tunable_check_bytes(TunableKind kind, const char *key, const char *value, size_t len, Error *e);

/* The one parser of integer values (the optimizer, the dry run and the helper all reach it through
 * tunable_check): plain decimal as the kernel reads it, "-"? then "0" or [1-9][0-9]*, exactly len
 * bytes. The kernel parses sysctl numbers with base 0, so "0150" would be octal 104 and "0x10" hex:
 * a leading zero, a '+' or "-0" is -EILSEQ (never silently read as decimal), anything else not a
 * number -EINVAL, out of the 64-bit range -ERANGE. */
int tunable_parse_decimal(const char *s, size_t len, long long *ret);
int tunable_read(const Sysroot *root, TunableKind kind, const char *key, char **ret);
/* The place of a canonical key (tunable-place.c). */
int tunable_place(TunableKind kind, const char *key, TunablePlace *ret);
/* The offered values (tunable-offered.c): the words of the host's list for a canonical key, brackets
 * stripped, as a NULL-terminated array (free with tunable_offered_free); -EOPNOTSUPP when the key has no
 * list, else the read's errno (-ENOENT: this host lacks the list). */
int tunable_offered(const Sysroot *root, TunableKind kind, const char *key, char ***ret);
char **tunable_offered_free(char **v);
/* 1 when the host offers value for key (or the key has no list, or value is a number the backend does
 * not look up), 0 when not; a negative errno when the list cannot be read. */
int tunable_offers(const Sysroot *root, TunableKind kind, const char *key, const char *value);
int tunable_normalize(TunableKind kind, const char *key, const char *value, char **ret);
bool tunable_values_equal(TunableKind kind, const char *key, const char *a, const char *b);

/* sysctl names: "net/ipv4/conf/eth0.1/rp_filter" or "net.ipv4.conf.eth0/1.rp_filter" ->
 * canonical dotted form; and the canonical form -> "proc/sys/net/ipv4/conf/eth0.1/rp_filter". */
int sysctl_key_canonical(const char *key, char **ret);
int sysctl_key_to_path(const char *canonical, char **ret);
/* sysctl keys the kernel couples: writing vm.dirty_bytes zeroes vm.dirty_ratio and the other way
 * round (and the background pair). So a plan sets one of a pair, the journal records the partner's
 * old value, and an owned sysctl.d file never keeps the partner's line beside the one just written.
 * The partner of a canonical key, or NULL. */
const char *sysctl_coupled_partner(const char *key);
/* The i-th name pattern of the sysctl allowlist (canonical dotted form; '*' stands for one
 * component), NULL past the end: lets the profiler report the current value of each. */
const char *tunable_sysctl_allowlist_entry(size_t i);
/* The value grammar and range of the i-th entry for people ("an integer from 0 to 200"); malloc'ed,
 * NULL past the end or on ENOMEM. */
char *tunable_sysctl_allowlist_values(size_t i);

/* Every kind with what its keys name and what values they take, the sysctl names with their ranges and
 * the ulimit scopes and resources: [{kind, keys, values, names?, scopes?, resources?}] (jansson). */
json_t *tunable_allowlist_json(void);
/* The kind names for people, from the table: "sysctl, cpu_governor, ... or ulimit" (malloc'ed, NULL on
 * ENOMEM); the same with sep ", " throughout for ulimit_resource_names(). */
char *tunable_kind_names(void);

/* Characters allowed in names that become one path component (device, policy, unit names). */
bool tunable_component_ok(const char *s, size_t max);
/* Collapse runs of white space to one space and trim; the common value normalization. */
int tunable_normalize_space(const char *value, char **ret);
