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
 * Paths are as on the host ("/etc/..."); read them through a Sysroot. The optimizer only renders
 * their content (for the dry run's diff); the helper writes them. */
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
 * `changes` (array of {kind, key, proposed}) whose file is `path` merged in. */
int owned_file_render(const char *path, const char *old, const json_t *changes, char **ret);
/* The value an owned file sets for a file-only key; -ENOENT when the file does not set it. */
int owned_file_value(const Sysroot *root, TunableKind kind, const char *key, char **ret);
