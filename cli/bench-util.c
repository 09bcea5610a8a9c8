/* SPDX-License-Identifier: MIT */
/* What the bench subcommands share: the suite loaded with its error logged, the history's path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-history.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "suite-lookup.h"
#include "verb-bench.h"

int bench_find_suite(const char *arg, const char *root, bool user, char **ret_path) {
        SuitePlaces p;
        if (suite_places_init(&p, root, user) < 0) {
                log_error("out of memory");
                return -ENOMEM;
        }
        Error e = ERROR_NULL;
        int r = suite_lookup(&p, arg, ret_path, &e);
        if (r < 0)
                log_error("%s", error_message(&e));
        error_done(&e);
        suite_places_done(&p);
        return r;
}

Suite *bench_load_suite(const char *arg) {
        Suite *s = NULL;
        Error e = ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        if (bench_find_suite(arg, NULL, true, &path) < 0)
                return NULL;
        if (suite_load_file(path, &s, &e) < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                error_done(&e);
                return NULL;
        }
        return s;
}

int bench_history_path(const char *opt, bool make_dir, char **ret) {
        const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
        char *path = NULL;
        int r;
        if (opt)
                r = (path = strdup(opt)) ? 0 : -1;
        else if (geteuid() == 0)
                r = (path = strdup("/var/lib/skytune/bench.db")) ? 0 : -1;
        else if (xdg && xdg[0] == '/')
                r = asprintf(&path, "%s/skytune/bench.db", xdg);
        else if (home && home[0] == '/')
                r = asprintf(&path, "%s/.local/state/skytune/bench.db", home);
        else {
                log_error(
                        "no place for the benchmark history: HOME and XDG_STATE_HOME are not set; give --history FILE");
                return -ENOENT;
        }
        if (r < 0 || !path) {
                log_error("out of memory");
                return -ENOMEM;
        }
        _cleanup_free_ char *dir = make_dir && !opt ? strndup(path, strrchr(path, '/') - path) : NULL;
        if (dir && (r = fileio_mkdir_p(dir, 0700)) < 0) {
                log_error("cannot create the directory of %s: %s (give --history FILE elsewhere)", path, strerror(-r));
                free(path);
                return r;
        }
        *ret = path;
        return 0;
}

int bench_history_read(const char *opt, BenchHistory **ret) {
        _cleanup_free_ char *path = NULL;
        if (bench_history_path(opt, false, &path) < 0)
                return -EINVAL;
        int r = bench_history_open_reader(path, ret);
        if (r < 0)
                log_error("cannot read the history %s: %s%s", path, strerror(-r),
                          r == -ENOENT ? " (no run recorded yet: run 'skytune bench run SUITE')" : "");
        return r;
}

int bench_parse_count(const char *opt, const char *arg, unsigned max, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > max) {
                log_error("%s '%s': give a whole number from 1 to %u", opt, arg, max);
                return -EINVAL;
        }
        *ret = (unsigned) v;
        return 0;
}
