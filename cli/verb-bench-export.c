/* SPDX-License-Identifier: MIT */
/* skytune bench export [SUITE] and bench import FILE: the history out to the formats other tools
 * read, and skytune's own export back in (store/bench-export.h does the work). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench-export.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "schema.h"
#include "verb-bench.h"

static const char export_usage[] = "Usage: skytune bench export [SUITE] [--format skytune|asv|otava|bencher]\n"
                                   "                            [--days N] [--history FILE] [-o FILE]\n"
                                   "\n"
                                   "Writes the history's runs, oldest first, for another tool or another history\n"
                                   "(SUITE: its name; default every suite for skytune, the newest run's suite for\n"
                                   "the others, whose names are BENCH.METRIC):\n"
                                   "\n"
                                   "  skytune   one " BENCH_RUN_SCHEMA " per line with every sample (nulls too),\n"
                                   "            repetition time, fingerprint, digest, gate, unit, direction and\n"
                                   "            histogram, then one " BENCH_BASELINE_SCHEMA " per baseline:\n"
                                   "            lossless, what 'bench import' reads (the default)\n"
                                   "  asv       an asv results document per run and line (median, quartiles,\n"
                                   "            samples; commit_hash is the suite digest)\n"
                                   "  otava     Otava's CSV: a time column, then each BENCH.METRIC's median per run\n"
                                   "  bencher   Bencher Metric Format per run and line (median, min, max)\n"
                                   "\n"
                                   "  --days N          only runs of the last N days (default all)\n"
                                   "  --history FILE    the history (default: as 'bench run')\n"
                                   "  -o FILE           write FILE (replaced whole, or left as it was) instead of\n"
                                   "                    standard output\n"
                                   "\n"
                                   "Exit: 0 written, 1 error (no history, cannot write), 2 usage.\n";

static const char import_usage[] = "Usage: skytune bench import FILE [--history FILE]\n"
                                   "\n"
                                   "Reads an export of 'skytune bench export --format skytune' (FILE, or - for\n"
                                   "standard input) into the history, all of it in one transaction: a bad line\n"
                                   "(named FILE:LINE with what is wrong) imports nothing. A run already there (same\n"
                                   "suite, start and suite digest) and a baseline of a name already there are\n"
                                   "skipped and counted, so importing a file twice adds nothing. asv, otava and\n"
                                   "bencher exports are lossy (a summary per run) and are refused. FILE is checked\n"
                                   "whole first: a bad FILE creates no history and leaves an existing one as it was.\n"
                                   "\n"
                                   "  --history FILE    the history (default: as 'bench run'; created if missing)\n"
                                   "\n"
                                   "Exit: 0 imported, 1 error (cannot read FILE or write the history), 2 usage or\n"
                                   "a bad line.\n";

typedef struct ExportArgs {
        const char *history, *suite, *output, *format, *file;
        unsigned days;
} ExportArgs;

static int parse_args(int argc, char **argv, bool import, ExportArgs *a) {
        static const struct option options[] = { { "format", required_argument, NULL, 'f' },
                                                 { "days", required_argument, NULL, 'd' },
                                                 { "history", required_argument, NULL, 'H' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        const char *verb = import ? "import" : "export";
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, import ? "h" : "ho:", options, NULL)) != -1) {
                if (c == 'h') {
                        fputs(import ? import_usage : export_usage, stdout);
                        return EXIT_OK;
                } else if (c == 'H')
                        a->history = optarg;
                else if (c == 'o' && !import)
                        a->output = optarg;
                else if (c == 'f' && !import)
                        a->format = optarg;
                else if (c == 'd' && !import) {
                        if (bench_parse_count("--days", optarg, 36500, &a->days) < 0)
                                return EXIT_USAGE;
                } else {
                        log_error("unknown option or missing value '%s' (see 'skytune bench %s --help')",
                                  argv[optind - 1], verb);
                        return EXIT_USAGE;
                }
        }
        if (import ? argc - optind != 1 : argc - optind > 1) {
                log_error("bench %s takes %s (see 'skytune bench %s --help')", verb,
                          import ? "one FILE" : "at most one suite", verb);
                return EXIT_USAGE;
        }
        *(import ? &a->file : &a->suite) = optind < argc ? argv[optind] : NULL;
        return -1;
}

/* The newest run's suite, for a format of one suite; NULL (logged) when there is none. */
static char *newest_suite(BenchHistory *h) {
        int64_t id;
        size_t n = 0;
        json_t *run = NULL;
        char *suite = NULL;
        if (bench_history_last(h, NULL, 1, &id, &n) >= 0 && n == 1 && bench_history_get(h, id, &run) >= 0)
                suite = strdup(json_string_value(json_object_get(run, "suite")) ?: "");
        json_decref(run);
        if (!suite)
                log_error("the history has no runs to export: run 'skytune bench run SUITE' first");
        return suite;
}

/* -o FILE: a temporary file beside it (renamed over it once whole, so a failed export leaves FILE
 * as it was); NULL (logged) when it cannot be made. */
static FILE *open_output(const char *path, char **ret_tmp) {
        char *tmp = NULL;
        int fd = asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0 ? -1 : mkostemp(tmp, O_CLOEXEC);
        FILE *f = fd >= 0 && fchmod(fd, 0644) == 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
                log_error("cannot write '%s': %m (check that its directory exists and is writable)", path);
                if (fd >= 0) {
                        close(fd);
                        unlink(tmp);
                }
                free(tmp);
                return NULL;
        }
        *ret_tmp = tmp;
        return f;
}

/* The temporary file to path when r is 0 (and it reached the disk), else away. */
static int close_output(FILE *f, char *tmp, const char *path, int r) {
        if (r == 0 && (fflush(f) != 0 || fsync(fileno(f)) < 0))
                r = log_error_errno(negative_errno(), "cannot write '%s': %m", path);
        if (fclose(f) != 0 && r == 0)
                r = log_error_errno(negative_errno(), "cannot write '%s': %m", path);
        if (r == 0 && rename(tmp, path) < 0)
                r = log_error_errno(negative_errno(), "cannot put the export in place as '%s': %m", path);
        if (r < 0)
                unlink(tmp);
        free(tmp);
        return r;
}

static int export_to(const ExportArgs *a, BenchHistory *h, const BenchExportFormat *f, const char *suite) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        BenchExportOptions o = { .suite = suite };
        if (a->days)
                o.since_us = ((int64_t) ts.tv_sec - (int64_t) a->days * 86400) * 1000000;
        char *tmp = NULL;
        FILE *out = a->output ? open_output(a->output, &tmp) : stdout;
        if (!out)
                return EXIT_FAIL;
        size_t runs = 0;
        Error e = ERROR_NULL;
        int r = bench_history_export(h, f, &o, out, &runs, &e);
        if (r < 0)
                log_error("bench export%s%s: %s", a->output ? " to " : "", a->output ?: "", error_message(&e));
        if (a->output)
                r = close_output(out, tmp, a->output, r);
        if (r == 0 && runs == 0)
                log_notice("no runs%s%s%s in the history: the export is empty", suite ? " of suite " : "", suite ?: "",
                           a->days ? " in the window" : "");
        else if (r == 0 && a->output)
                log_notice("%s: %zu runs as %s", a->output, runs, a->format);
        error_done(&e);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}

int bench_export_verb(int argc, char **argv) {
        ExportArgs a = { .format = "skytune" };
        int code = parse_args(argc, argv, false, &a);
        if (code >= 0)
                return code;
        const BenchExportFormat *f = bench_export_format(a.format);
        if (!f) {
                log_error("--format '%s': give one of %s", a.format, bench_export_format_names());
                return EXIT_USAGE;
        }
        BenchHistory *h = NULL;
        if (bench_history_read(a.history, &h) < 0)
                return EXIT_FAIL;
        _cleanup_free_ char *suite = !a.suite && !bench_export_all_suites(f) ? newest_suite(h) : NULL;
        code = !a.suite && !bench_export_all_suites(f) && !suite ? EXIT_FAIL : export_to(&a, h, f, a.suite ?: suite);
        bench_history_close(h);
        return code;
}

static int import_failed(int r, Error *e) {
        _cleanup_free_ char *msg = error_format(e);
        log_error("%s; nothing was imported", msg ?: error_message(e));
        error_done(e);
        return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
}

static int import_from(BenchHistory *h, FILE *in, const char *name) {
        Error e = ERROR_NULL;
        BenchImportCounts n;
        int r = bench_history_import(h, in, name, &n, &e);
        if (r < 0)
                return import_failed(r, &e);
        log_notice("%s: imported %u, skipped %u (already there); baselines: imported %u, skipped %u", name, n.runs,
                   n.runs_skipped, n.baselines, n.baselines_skipped);
        return EXIT_OK;
}

/* A temporary file (never linked: nothing is left behind) under $TMPDIR, else /tmp. */
static FILE *temp_file(void) {
        const char *dir = getenv("TMPDIR");
        dir = dir && *dir ? dir : "/tmp";
        int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
        if (!f) {
                log_error("cannot make a temporary file in %s: %m (set TMPDIR to a writable directory)", dir);
                if (fd >= 0)
                        close(fd);
        }
        return f;
}

/* The whole of src (name: what it is) into a temporary file, at its start; NULL (said) on failure. */
static FILE *copy_to_temp(FILE *src, const char *name) {
        FILE *tmp = temp_file();
        char buf[65536];
        size_t n;
        while (tmp && (n = fread(buf, 1, sizeof(buf), src)) > 0)
                if (fwrite(buf, 1, n, tmp) != n)
                        break;
        if (tmp && ferror(src))
                log_error("cannot read %s: %m", name);
        else if (tmp && (ferror(tmp) || fflush(tmp) != 0 || fseek(tmp, 0, SEEK_SET) != 0))
                log_error("cannot write %s to a temporary file: %m (is $TMPDIR, else /tmp, full?)", name);
        else
                return tmp;
        fclose(tmp);
        return NULL;
}

/* FILE, or a copy of it in a temporary file when it cannot be read twice (standard input, a pipe,
 * a FIFO): it is read twice, checked, then imported. */
static FILE *open_input(const char *file, bool std_in) {
        FILE *in = std_in ? stdin : fopen(file, "re");
        if (!in) {
                log_error("cannot open %s: %m (give the file 'skytune bench export' wrote)", file);
                return NULL;
        }
        struct stat st;
        if (!std_in && fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
                return in;
        FILE *copy = copy_to_temp(in, std_in ? "standard input" : file);
        if (!std_in)
                fclose(in);
        return copy;
}

/* FILE is read whole and checked before the history is opened: a bad one creates no history and
 * leaves an existing one as it was (not moved aside, not brought forward). */
static int import_checked(const ExportArgs *a, FILE *in, const char *name) {
        _cleanup_free_ char *path = NULL;
        Error e = ERROR_NULL;
        int r = bench_history_path(a->history, false, &path);
        if (r < 0)
                return EXIT_FAIL;
        /* A damaged history counts as none: opening it to write moves it aside. */
        BenchHistory *h = NULL;
        bool exists = bench_history_open_reader(path, &h) == 0;
        bench_history_close(h);
        h = NULL;
        if ((r = bench_import_check(in, name, exists, &e)) < 0)
                return import_failed(r, &e);
        if (fseek(in, 0, SEEK_SET) != 0)
                return log_error_errno(-errno, "cannot read %s again from its start: %m", name), EXIT_FAIL;
        free(path);
        path = NULL;
        char *moved = NULL;
        r = bench_history_path(a->history, true, &path);
        if (r == 0 && (r = bench_history_open(path, &h, &moved)) < 0)
                log_error("cannot open the history %s: %s", path, strerror(-r));
        if (moved)
                log_warning("%s was not a benchmark history or was damaged: moved to %s, a fresh one started", path,
                            moved);
        free(moved);
        int code = r < 0 ? EXIT_FAIL : import_from(h, in, name);
        bench_history_close(h);
        return code;
}

int bench_import_verb(int argc, char **argv) {
        ExportArgs a = {};
        int code = parse_args(argc, argv, true, &a);
        if (code >= 0)
                return code;
        bool std_in = strcmp(a.file, "-") == 0;
        FILE *in = open_input(a.file, std_in);
        if (!in)
                return EXIT_FAIL;
        code = import_checked(&a, in, std_in ? "<stdin>" : a.file);
        fclose(in);
        return code;
}
