/* SPDX-License-Identifier: MIT */
/* skytune bench schedule SUITE --daily|--on CALENDAR | --remove | --list: the systemd timer of a
 * suite's runs (suite/bench-schedule.h writes the units; this file parses, checks and runs systemctl). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-schedule.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "schema.h"
#include "suite-lookup.h"
#include "verb-bench.h"

static const char usage[] = "Usage: skytune bench schedule NAME (--daily | --on CALENDAR) [--user|--system]\n"
                            "                              [--history FILE] [--root DIR]\n"
                            "       skytune bench schedule NAME --remove [--user|--system] [--root DIR]\n"
                            "       skytune bench schedule --list [--json] [--user|--system] [--root DIR]\n"
                            "\n"
                            "Runs suite NAME ('bench list' shows the names) on a calendar with a systemd\n"
                            "timer, skytune-bench@NAME.timer, into the history; a run missed while the\n"
                            "host was off happens at the next start (Persistent=true).\n"
                            "\n"
                            "  --daily          every day (OnCalendar=daily, within 15 minutes at random)\n"
                            "  --on CALENDAR    systemd's calendar ('Mon *-*-* 03:00', weekly, hourly),\n"
                            "                   checked with systemd-analyze calendar; see systemd.time(7)\n"
                            "  --user           the user's timer in ~/.config/systemd/user (the default\n"
                            "                   when not root): the units are written there, with this\n"
                            "                   skytune's path and the user's history, then enabled with\n"
                            "                   systemctl --user\n"
                            "  --system         root: a drop-in for the packaged skytune-bench@NAME.timer\n"
                            "                   in /etc/systemd/system (the default for root); it runs as\n"
                            "                   root into /var/lib/skytune/bench.db\n"
                            "  --history FILE   this suite's runs into FILE (a drop-in for its service)\n"
                            "  --remove         disable the timer, remove what schedule wrote (only that)\n"
                            "  --list           the schedules written (--json: " BENCH_SCHEDULE_SCHEMA ")\n"
                            "  --root DIR       write under DIR, run no systemctl (packaging and tests)\n"
                            "\n"
                            "Exit: 0 done, 1 an error (also: written, but systemctl failed; the message\n"
                            "says what to run), 2 usage.\n";

typedef struct SchedArgs {
        const char *suite, *calendar, *history, *root;
        bool user, system, remove, list, json;
} SchedArgs;

static int check_args(SchedArgs *a) {
        if (a->user && a->system)
                return cli_flags_conflict("--user", "--system", "a timer is the user's or the system's");
        if (!a->user && !a->system)
                a->user = geteuid() != 0;
        if (a->system && geteuid() != 0 && !a->root) {
                log_error("--system writes /etc/systemd/system: run it as root, or schedule with --user");
                return EXIT_USAGE;
        }
        if (a->list)
                return a->suite || a->calendar || a->remove
                        ? cli_flags_conflict("--list", "SUITE", "--list takes no suite")
                        : -1;
        if (a->json)
                return cli_flag_needs("--json", "--list", "it is the list that is JSON");
        if (!a->suite) {
                log_error("bench schedule needs a SUITE name (see 'skytune bench schedule --help')");
                return EXIT_USAGE;
        }
        if (!suite_name_valid(a->suite)) {
                log_error("suite '%s': schedule takes a name (letters, digits, '-', '_'), as the timer's instance; "
                          "copy a file to ~/.config/skytune/suites/NAME.conf (or /etc/skytune/suites.d) first",
                          a->suite);
                return EXIT_USAGE;
        }
        if (a->remove && (a->calendar || a->history))
                return cli_flags_conflict("--remove", a->calendar ? "--daily/--on" : "--history",
                                          "--remove takes the schedule away");
        if (!a->remove && !a->calendar) {
                log_error("when? give --daily or --on CALENDAR (or --remove; see 'skytune bench schedule --help')");
                return EXIT_USAGE;
        }
        return -1;
}

static int parse_args(int argc, char **argv, SchedArgs *a) {
        static const struct option options[] = { { "daily", no_argument, NULL, 'd' },
                                                 { "on", required_argument, NULL, 'o' },
                                                 { "user", no_argument, NULL, 'u' },
                                                 { "system", no_argument, NULL, 's' },
                                                 { "history", required_argument, NULL, 'H' },
                                                 { "remove", no_argument, NULL, 'r' },
                                                 { "list", no_argument, NULL, 'l' },
                                                 { "json", no_argument, NULL, 'j' },
                                                 { "root", required_argument, NULL, 'R' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                if ((c == 'd' || c == 'o') && a->calendar)
                        return cli_flags_conflict("--daily", "--on", "give one calendar");
                switch (c) {
                case 'd': a->calendar = "daily"; break;
                case 'o': a->calendar = optarg; break;
                case 'u': a->user = true; break;
                case 's': a->system = true; break;
                case 'H': a->history = optarg; break;
                case 'r': a->remove = true; break;
                case 'l': a->list = true; break;
                case 'j': a->json = true; break;
                case 'R': a->root = optarg; break;
                case 'h': fputs(usage, stdout); return EXIT_OK;
                default:
                        log_error("unknown option or missing value '%s' (see 'skytune bench schedule --help')",
                                  argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind + 1 < argc) {
                log_error("bench schedule takes one SUITE (see 'skytune bench schedule --help')");
                return EXIT_USAGE;
        }
        a->suite = optind < argc ? argv[optind] : NULL;
        return check_args(a);
}

/* systemctl [--user] ARGS...; its output goes into the message when it fails. */
static int systemctl(const SchedArgs *a, const char *verb, const char *opt, const char *unit) {
        char *argv[7];
        size_t n = 0;
        argv[n++] = (char *) "systemctl";
        if (a->user)
                argv[n++] = (char *) "--user";
        argv[n++] = (char *) verb;
        if (opt)
                argv[n++] = (char *) opt;
        if (unit)
                argv[n++] = (char *) unit;
        argv[n] = NULL;
        _cleanup_free_ char *out = NULL;
        int st = bench_schedule_exec(argv, &out);
        if (st != 0) {
                size_t len = out ? strcspn(out, "\n") : 0;
                log_error("systemctl%s %s%s%s%s%s failed (exit %d)%s%.*s", a->user ? " --user" : "", verb,
                          opt ? " " : "", opt ?: "", unit ? " " : "", unit ?: "", st, len ? ": " : "", (int) len,
                          out ?: "");
        }
        return st == 0 ? 0 : -EIO;
}

/* What to run by hand, when skytune did not (--root) or could not. */
static void tell(const SchedArgs *a, const char *unit, bool on) {
        const char *u = a->user ? " --user" : "";
        if (on)
                printf("run: systemctl%s daemon-reload && systemctl%s enable --now %s\n", u, u, unit);
        else
                printf("run: systemctl%s stop %s; systemctl%s daemon-reload\n", u, unit, u);
}

static void print_paths(const char *what, const json_t *paths) {
        size_t i;
        const json_t *p;
        json_array_foreach(paths, i, p)
                printf("%s %s\n", what, json_string_value(p));
}

/* The suite exists where its unit will look (as the unit's user) and reads without a mistake. */
static int check_suite(const SchedArgs *a) {
        _cleanup_free_ char *path = NULL;
        if (bench_find_suite(a->suite, a->root, a->user, &path) < 0)
                return -ENOENT;
        Suite *s = NULL;
        Error e = ERROR_NULL;
        int r = suite_load_file(path, &s, &e);
        if (r < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s (a suite that does not read is not scheduled)", msg ?: error_message(&e));
        }
        error_done(&e);
        suite_free(s);
        return r;
}

static int schedule_write(const SchedArgs *a, const char *dir, json_t **ret_written) {
        _cleanup_free_ char *self = realpath("/proc/self/exe", NULL), *history = NULL;
        if (!self) {
                log_error("cannot find this skytune's path (/proc/self/exe): %s", strerror(errno));
                return -errno;
        }
        if (a->user && bench_history_path(NULL, false, &history) < 0)
                return -ENOENT;
        BenchSchedule s = { .name = a->suite,
                            .calendar = a->calendar,
                            .history = a->history,
                            .skytune = self,
                            .user_history = history,
                            .user = a->user };
        Error e = ERROR_NULL;
        int r = bench_schedule_check_calendar(a->calendar, &e);
        if (r >= 0 && !a->user && !bench_schedule_template_installed(a->root))
                r = error_set(&e, -ENOENT,
                              "skytune-bench@.timer is not installed (in /etc/systemd/system or "
                              "/usr/lib/systemd/system%s%s): "
                              "install skytune's package, or schedule with --user",
                              a->root ? " under " : "", a->root ?: "");
        if (r >= 0)
                r = bench_schedule_write(&s, dir, ret_written, &e);
        if (r < 0)
                log_error("%s; nothing scheduled", error_message(&e));
        error_done(&e);
        return r;
}

static int schedule(const SchedArgs *a, const char *dir, const char *unit) {
        json_t *written = NULL;
        if (check_suite(a) < 0 || schedule_write(a, dir, &written) < 0)
                return EXIT_FAIL;
        print_paths("wrote", written);
        json_decref(written);
        printf("suite %s: %s (%s)\n", a->suite, a->calendar, unit);
        if (a->root) {
                printf("--root: systemctl not run; on the system:\n");
                tell(a, unit, true);
                return EXIT_OK;
        }
        if (systemctl(a, "daemon-reload", NULL, NULL) < 0 || systemctl(a, "enable", "--now", unit) < 0) {
                log_error("the units are written but the timer is not enabled%s; run it yourself:",
                          a->user ? " (no user manager reachable? log in, or 'loginctl enable-linger')" : "");
                tell(a, unit, true);
                return EXIT_FAIL;
        }
        printf("enabled and started %s (systemctl%s list-timers shows the next run)\n", unit, a->user ? " --user" : "");
        return EXIT_OK;
}

static int unschedule(const SchedArgs *a, const char *dir, const char *unit) {
        bool manager = !a->root;
        if (manager && systemctl(a, "disable", "--now", unit) < 0)
                manager = false; /* the files go all the same; the message says what to run */
        json_t *removed = NULL;
        Error e = ERROR_NULL;
        int r = bench_schedule_remove(a->suite, a->user, dir, &removed, &e);
        if (r < 0)
                log_error("%s", error_message(&e));
        error_done(&e);
        print_paths("removed", removed);
        json_decref(removed);
        if (r < 0)
                return r == -ENOENT ? EXIT_USAGE : EXIT_FAIL;
        if (manager && systemctl(a, "daemon-reload", NULL, NULL) >= 0)
                return EXIT_OK;
        printf(a->root ? "--root: systemctl not run; on the system:\n" : "systemctl failed; run it yourself:\n");
        tell(a, unit, false);
        return a->root ? EXIT_OK : EXIT_FAIL;
}

static int list(const SchedArgs *a, const char *dir) {
        json_t *l = NULL;
        Error e = ERROR_NULL;
        if (bench_schedule_list(a->user, dir, &l, &e) < 0) {
                log_error("%s", error_message(&e));
                error_done(&e);
                return EXIT_FAIL;
        }
        json_t *doc = json_pack("{s:s, s:s, s:s, s:o}", "schema", BENCH_SCHEDULE_SCHEMA, "scope",
                                a->user ? "user" : "system", "dir", dir, "schedules", l);
        int code = doc ? EXIT_OK : EXIT_FAIL;
        size_t i;
        const json_t *o;
        if (doc && a->json)
                code = cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
        else if (doc && json_array_size(l) == 0)
                printf("no %s schedules in %s ('skytune bench schedule NAME --daily' makes one)\n",
                       a->user ? "user" : "system", dir);
        else if (doc)
                json_array_foreach(l, i, o)
                        printf("%-20s %-24s %s\n", json_string_value(json_object_get(o, "name")),
                               json_string_value(json_object_get(o, "calendar")),
                               json_string_value(json_object_get(o, "file")));
        json_decref(doc);
        return code;
}

int bench_schedule(int argc, char **argv) {
        SchedArgs a = {};
        int code = parse_args(argc, argv, &a);
        if (code >= 0)
                return code;
        _cleanup_free_ char *dir = NULL, *unit = NULL;
        Error e = ERROR_NULL;
        if (bench_schedule_unit_dir(a.user, a.root, &dir, &e) < 0) {
                log_error("%s", error_message(&e));
                error_done(&e);
                return EXIT_FAIL;
        }
        if (a.list)
                return list(&a, dir);
        if (asprintf(&unit, "skytune-bench@%s.timer", a.suite) < 0) {
                log_error("out of memory");
                return EXIT_FAIL;
        }
        return a.remove ? unschedule(&a, dir, unit) : schedule(&a, dir, unit);
}
