/* SPDX-License-Identifier: MIT */
/* Tunable names as people type them on the command line of 'skytune get' and 'skytune set':
 * a sysctl name (dotted "vm.swappiness", the path form "vm/swappiness" or "/proc/sys/vm/swappiness"),
 * or KIND:KEY for the other kinds ("io_scheduler:vda", "cpu_governor:policy0",
 * "ulimit:unit:nginx.service:nofile"). */
#pragma once

#include <stdbool.h>

#include "tunable.h"

/* The kind and canonical key of arg. An unknown or malformed name is logged with the nearest known
 * name ("did you mean") and -EINVAL returned. */
int tunable_arg_parse(const char *arg, TunableKind *ret_kind, char **ret_key);
/* How a tunable is written back to people: the sysctl name alone, else KIND:KEY; malloc'ed. */
char *tunable_arg_format(TunableKind kind, const char *key);
/* Why a read failed, for people ("/proc/sys/vm/foo does not exist: ..."); malloc'ed. */
char *tunable_arg_read_error(TunableKind kind, const char *key, int r);
/* What values the key takes, for people ("an integer from 0 to 200"); malloc'ed, NULL if unknown. */
char *tunable_arg_values(TunableKind kind, const char *key);
/* The current value: live, or for the file-only ulimit scopes (unit, login, default) what skytune's
 * owned file sets; -ENOENT when there is none. */
int tunable_arg_read(const Sysroot *root, TunableKind kind, const char *key, char **ret);
