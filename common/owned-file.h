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
