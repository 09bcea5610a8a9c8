/* SPDX-License-Identifier: MIT */
/* The files skytune owns for persistent changes, and the mechanism that reaches each key:
 *   sysctl                       procfs      /etc/sysctl.d/90-skytune.conf         key = value
 *   io_scheduler, read_ahead_kb,
 *   nr_requests                  sysfs       /etc/udev/rules.d/90-skytune.rules    ATTR{queue/...}
 *   cpu_governor, cpu_epp        sysfs       /etc/tmpfiles.d/90-skytune.conf       w lines
 *   ulimit process:COMM:R        prlimit     (none: running processes only)
 *   ulimit unit:UNIT:R           systemd-dropin /etc/systemd/system/UNIT.d/90-skytune.conf  LimitR=
 *   ulimit login:DOMAIN:R        limits.d    /etc/security/limits.d/90-skytune.conf  soft and hard lines
 *   ulimit default:*:R           system.conf.d /etc/systemd/system.conf.d/90-skytune.conf DefaultLimitR=
 * Paths are as on the host ("/etc/..."); read them through a Sysroot. One implementation for both
 * sides, so that the dry run's diff (optimizer) is byte for byte what skytune-helper writes. Keys
 * are canonical (tunable_check); render canonicalizes the keys of its changes itself. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "sysroot.h"
#include "tunable.h"

const char *owned_mechanism(TunableKind kind, const char *key);
/* *ret is NULL when the key has no persistent form (process scope). */
int owned_file_for(TunableKind kind, const char *key, char **ret);
/* Keys that live only in an owned file (ulimit unit, login and default scopes). */
bool owned_file_only(TunableKind kind, const char *key);
/* The content of the owned file `path` (old: its current content or NULL) with every change of
 * `changes` (array of {kind, key, proposed[, status]}) whose file is `path` merged in; a change
 * whose status is "unavailable" is left out. The path may lack its leading '/'. */
int owned_file_render(const char *path, const char *old, const json_t *changes, char **ret);
/* The value an owned file's content sets for a file-only key, normalized; -ENOENT when it does not
 * set it, -EOPNOTSUPP for a key that is not file-only. */
int owned_file_parse_value(const char *content, TunableKind kind, const char *key, char **ret);
/* The same, read from the file through root. */
int owned_file_value(const Sysroot *root, TunableKind kind, const char *key, char **ret);

/* Rollback side (owned-file-edit.c). Several transactions share one file, so a rollback undoes the
 * entries its transaction changed, not the whole file. An entry is what one line sets, named by its
 * entry key (a sysctl name; "DEV ATTR" in the udev rules; the cpufreq attribute path in tmpfiles.d;
 * "DOMAIN soft|hard ITEM" in limits.d; "LimitX" / "DefaultLimitX" in the systemd files). */
/* The entry keys whose line differs between before and after (NULL: no file): what a transaction
 * that turned one into the other changed. A NULL-terminated array; free it with owned_keys_free. */
int owned_file_changed_keys(const char *path, const char *before, const char *after, char ***ret);
/* The entry keys that one change (canonical key) sets in its owned file; -EOPNOTSUPP without one. */
int owned_file_change_keys(TunableKind kind, const char *key, const char *value, char ***ret);
char **owned_keys_free(char **keys);
/* The line that content sets for ekey (the last one: the one the file's reader takes), or NULL. */
int owned_file_line(const char *path, const char *content, const char *ekey, char **ret);
/* content with its lines for ekey replaced by line (in the first one's place; appended when it has
 * none) or removed (line NULL); every other line stays byte for byte. content NULL: a new file. */
int owned_file_set_line(const char *path, const char *content, const char *ekey, const char *line, char **ret);
/* 1 when a and b set the same entries with the same lines (order, comments, blank lines aside). */
int owned_file_same_entries(const char *path, const char *a, const char *b);
/* A line to write back from the journal: for a sysctl, an allowlisted key and a valid value; for the
 * other files, exactly the line skytune renders for an allowlisted key and a valid value
 * (tunable_check). -EINVAL with the reason in e (may be NULL). */
int owned_file_check_line(const char *path, const char *line, Error *e);
/* The same for every line of a whole content (comments, blank lines and the file's own section
 * header allowed). */
int owned_file_check_content(const char *path, const char *content, Error *e);
/* Is path one of the owned files (a unit drop-in's unit name a valid path component)? */
bool owned_file_path_valid(const char *path);
