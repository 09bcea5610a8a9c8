/* SPDX-License-Identifier: MIT */
/* Scheduled suite runs (docs/bench.md, "Scheduling"): the systemd units `skytune bench schedule`
 * writes, each marked as its own so that --remove removes exactly those, and the children it runs
 * (systemd-analyze calendar, systemctl), never through a shell. Library code: no output. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The first line of every file schedule writes. */
#define BENCH_SCHEDULE_MARK "# Written by 'skytune bench schedule'"

typedef struct BenchSchedule {
        const char *name;         /* a suite name (suite_name_valid) */
        const char *calendar;     /* OnCalendar=, checked with bench_schedule_check_calendar */
        const char *history;      /* --history of this suite's runs, NULL: the unit's */
        const char *skytune;      /* the absolute path of the CLI the units run */
        const char *user_history; /* user: the template's --history (the user's state dir) */
        bool user;
} BenchSchedule;

/* Where the units go, under root (NULL: "/"): the user's $XDG_CONFIG_HOME/systemd/user
 * (~/.config/systemd/user) or /etc/systemd/system. */
int bench_schedule_unit_dir(bool user, const char *root, char **ret, Error *e);
/* System: whether skytune-bench@.timer is installed under root (the drop-in needs it). */
bool bench_schedule_template_installed(const char *root);
/* Writes the suite's files into dir (made when missing), each atomically, 0644; *ret_written gets
 * their paths (a JSON array). A file of the same name not written by schedule is refused. */
int bench_schedule_write(const BenchSchedule *s, const char *dir, json_t **ret_written, Error *e);
/* Removes what bench_schedule_write wrote for name (the user template only with the last suite),
 * and the timer's enable link when systemctl could not remove it; *ret_removed their paths.
 * -ENOENT: nothing of name's there. */
int bench_schedule_remove(const char *name, bool user, const char *dir, json_t **ret_removed, Error *e);
/* The calendar (the last non-empty OnCalendar=) of a unit text schedule wrote (its first line is
 * the mark); NULL for any other text or none. */
char *bench_schedule_calendar(const char *text);
/* The schedules in dir as [{name, calendar, file}]. */
int bench_schedule_list(bool user, const char *dir, json_t **ret, Error *e);

/* Runs argv (argv[0] found in PATH, no shell), stdout and stderr together into *ret_out (may be
 * NULL); the exit status, 127 when it could not start. */
int bench_schedule_exec(char *const argv[], char **ret_out);
/* Asks `systemd-analyze calendar CAL`: -EINVAL with its reason in e. */
int bench_schedule_check_calendar(const char *calendar, Error *e);
