/* SPDX-License-Identifier: MIT */
/* skytune db advise: the server's settings, its statistics (since the reset or over a window), the
 * host through the sysroot and optionally a pool sweep, weighed by db/'s rules; printed as
 * skytune.db-advise/1 or as text. Nothing is applied (docs/db.md, "Advise"). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db-advise.h"
#include "db-sweep.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "verb-db.h"

static const char advise_usage[] = "Usage: skytune db advise [--since-reset | --window S] [--sweep FILE]\n"
                                   "                         [--sysroot DIR] --dsn DSN [--json]\n"
                                   "\n"
                                   "Weigh the server's settings against the host and the statistics: shared_buffers\n"
                                   "and effective_cache_size against MemTotal, work_mem against temporary files,\n"
                                   "max_connections against the connections seen (and a pool sweep's size),\n"
                                   "random_page_cost and effective_io_concurrency against the data directory's\n"
                                   "disk, huge_pages against shared_buffers. Each advice: the value, the proposal,\n"
                                   "the evidence, the risk and an ALTER SYSTEM line; skytune never runs it.\n"
                                   "\n"
                                   "  --since-reset        the statistics since their last reset (default)\n"
                                   "  --window S           the statistics of the next S seconds instead\n"
                                   "  --sweep FILE         a 'db pool-sweep --json' document: its pool size\n"
                                   "  --sysroot DIR        read /proc and /sys under DIR (default /)\n" DB_CONN_HELP
                                   "  --json               print a skytune.db-advise/1 document\n"
                                   "\n"
                                   "Exit codes: 0 advice printed (whether or not it proposes changes), 1 the\n"
                                   "server could not be read, 2 usage error, 130 interrupted.\n";

typedef struct AdviseArgs {
        DbCliCommon common;
        double window_s;
        bool since_reset;
        const char *sweep, *sysroot;
} AdviseArgs;

enum { OPT_SINCE_RESET = 0x100, OPT_WINDOW, OPT_SWEEP, OPT_SYSROOT };

static int advise_option(int c, void *userdata) {
        AdviseArgs *a = userdata;
        switch (c) {
        case OPT_SINCE_RESET: a->since_reset = true; return 0;
        case OPT_WINDOW:
                if (cli_parse_seconds(optarg, &a->window_s) < 0 || a->window_s <= 0) {
                        log_error("--window '%s': seconds above 0 are expected", optarg);
                        return EXIT_USAGE;
                }
                return 0;
        case OPT_SWEEP: a->sweep = optarg; return 0;
        case OPT_SYSROOT: a->sysroot = optarg; return 0;
        default: return db_cli_common_option(c, optarg, &a->common);
        }
}

#define SWEEP_MAX_BYTES (16u << 20)

/* The --sweep document's recommended size (0: it recommended none); logs why it cannot be read. */
static int read_sweep(const char *path, unsigned *ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return log_error_errno(-errno, "--sweep %s: cannot open it: %m", path);
        _cleanup_free_ char *buf = malloc(SWEEP_MAX_BYTES + 1);
        size_t n = buf ? fread(buf, 1, SWEEP_MAX_BYTES + 1, f) : 0;
        if (!buf || ferror(f) || n > SWEEP_MAX_BYTES) {
                log_error("--sweep %s: cannot read it%s", path, n > SWEEP_MAX_BYTES ? " (over 16 MiB)" : "");
                return -EIO;
        }
        Error e = ERROR_NULL;
        int r = db_sweep_read_recommended(buf, n, ret, &e);
        if (r < 0)
                log_error("--sweep %s: %s", path, error_message(&e));
        error_done(&e);
        return r;
}

static bool stop_requested(void *userdata) {
        return cli_interrupted();
}

static int gather(const AdviseArgs *a, DbAdviseFacts *f, json_t **doc) {
        Sysroot *root = NULL;
        if (cli_open_sysroot(a->sysroot, &root) < 0)
                return EXIT_FAIL;
        Error e = ERROR_NULL;
        DbConn *c = NULL;
        uint64_t ns;
        int r = db_connect(&a->common.conn, &c, &ns, &e);
        if (r >= 0)
                r = db_advise_settings(c, f, &e);
        if (r >= 0) {
                f->host.rotational = -1;
                if (f->server_local)
                        db_cli_advise_host(root, f->data_directory, &f->host);
                r = db_advise_evidence(c, a->window_s, stop_requested, NULL, f, &e);
        }
        if (r >= 0) {
                _cleanup_free_ char *dsn = db_dsn_redact(a->common.conn.dsn);
                *doc = db_advise_doc(f, dsn, db_server_version(c));
        }
        db_close(c);
        sysroot_free(root);
        if (r == -EINTR) {
                error_done(&e);
                return cli_stop_if_interrupted("during the window: no advice was given"), EXIT_INTERRUPTED;
        }
        if (r < 0)
                log_error("db advise: %s", error_message(&e));
        error_done(&e);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}

int verb_db_advise(int argc, char **argv) {
        static const struct option options[] = {
                { "since-reset", no_argument, NULL, OPT_SINCE_RESET },
                { "window", required_argument, NULL, OPT_WINDOW },
                { "sweep", required_argument, NULL, OPT_SWEEP },
                { "sysroot", required_argument, NULL, OPT_SYSROOT },
                { "help", no_argument, NULL, 'h' },
                DB_COMMON_OPTIONS,
                {},
        };
        AdviseArgs a = {};
        int code = db_cli_getopt(argc, argv, options, advise_usage, advise_option, &a);
        if (code >= 0)
                return code;
        if (optind < argc) {
                log_error("db advise takes no argument '%s' (see 'skytune db advise --help')", argv[optind]);
                return EXIT_USAGE;
        }
        if (a.since_reset && a.window_s > 0)
                return cli_flags_conflict("--since-reset", "--window", "the evidence is one or the other");
        DbAdviseFacts f = {};
        if (a.sweep && read_sweep(a.sweep, &f.sweep_clients) < 0)
                return EXIT_FAIL;
        cli_install_interrupt();
        json_t *doc = NULL;
        code = gather(&a, &f, &doc);
        if (code != EXIT_OK)
                return code;
        if (a.common.json ? cli_write_json(doc, NULL) < 0
                          : render_db_advise(stdout, doc, &(RenderView) { .width = 80 }) < 0)
                code = EXIT_FAIL;
        json_decref(doc);
        return code;
}
