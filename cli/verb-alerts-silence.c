/* SPDX-License-Identifier: MIT */
/* skytune alerts silence MATCHER... [--for SPAN] [--comment TEXT], alerts silences [--all] and
 * alerts unsilence ID (alerts-silence.h): the silence files beside the monitor's store
 * (monitor/silence.h), each written whole under a temporary name and renamed into place, so the
 * daemon never reads half a file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerts-silence.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "monitor-store.h"
#include "render-monitor.h"
#include "schema.h"
#include "silence.h"
#include "site.h"
#include "time-util.h"

/* Expired silences stay listed (--all) this long, then the next change removes their files. */
#define EXPIRED_KEEP_MS (INT64_C(7) * 86400000)

static int64_t now_ms(void) {
        return (int64_t) (time_now_realtime_usec() / 1000u);
}

static int silence_dir(const char *store, char *dir, size_t size) {
        if (!store && cli_default_store(&store) < 0)
                return -EINVAL;
        if (silence_dir_of_store(store, dir, size) < 0) {
                log_error("%s: the path is too long", store);
                return -ENAMETOOLONG;
        }
        return 0;
}

/* The document of s as DIR/ID.json, through a temporary file, fsync'ed, renamed. */
static int write_silence(const char *dir, const Silence *s) {
        struct stat st;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno,
                                       "%s: cannot make the silences directory: %m (it is beside the "
                                       "monitor's store: run as root, or give --store)",
                                       dir);
        /* The store's directory is the service's: a link put there is not followed. */
        if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return log_error_errno(-ENOTDIR,
                                       "%s: not a directory (a symbolic link?): remove it, the next "
                                       "silence makes it",
                                       dir);
        json_t *doc = silence_to_json(s);
        /* What the monitor would refuse is not written: read it back as the monitor reads it. */
        Silence back;
        const char *why = NULL;
        if (doc && silence_from_json(doc, &back, &why) < 0) {
                json_decref(doc);
                return log_error_errno(-EINVAL, "%s: the silence would not be read: %s", dir, why);
        }
        if (doc)
                silence_done(&back);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        json_decref(doc);
        if (!text)
                return log_error_errno(-ENOMEM, "%s: cannot write the silence: %m", dir);
        char tmp[4200], path[4200];
        snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
        snprintf(path, sizeof(path), "%s/%s.json", dir, s->id);
        int fd = mkstemp(tmp);
        int r = fd < 0 ? -errno : 0;
        size_t len = strlen(text);
        if (r == 0 &&
            (fchmod(fd, 0644) < 0 || write(fd, text, len) != (ssize_t) len || write(fd, "\n", 1) != 1 || fsync(fd) < 0))
                r = -errno ?: -EIO;
        if (fd >= 0 && close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0 && fd >= 0)
                (void) unlink(tmp);
        free(text);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write the silence: %m", path);
        return 0;
}

static void on_bad(void *userdata, const char *path, const char *why) {
        log_warning("%s: not a silence, left out: %s", path, why);
}

/* The silences of dir, with expired files older than EXPIRED_KEEP_MS removed when prune. */
static int read_all(const char *dir, SilenceSet *set, bool prune) {
        int r = silence_set_refresh(set, dir, on_bad, NULL);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read the silences: %m", dir);
        for (size_t i = 0; prune && i < set->n; i++)
                if (set->v[i].ends_ms < now_ms() - EXPIRED_KEEP_MS) {
                        char path[4200];
                        snprintf(path, sizeof(path), "%s/%s.json", dir, set->v[i].id);
                        (void) unlink(path);
                }
        return 0;
}

/* Who asked: sudo's user, else the account; cut to 64 bytes (a name, not a text). */
static char *author(void) {
        const char *sudo = getenv("SUDO_USER");
        struct passwd *pw = sudo && *sudo ? NULL : getpwuid(getuid());
        const char *name = sudo && *sudo ? sudo : pw ? pw->pw_name : NULL;
        return name ? strndup(name, 64) : NULL;
}

static int new_id(char id[static SILENCE_ID_LEN + 1]) {
        unsigned char b[SILENCE_ID_LEN / 2];
        if (getrandom(b, sizeof(b), 0) != (ssize_t) sizeof(b))
                return log_error_errno(-errno, "cannot make a silence id: %m");
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(id + 2 * i, 3, "%02x", b[i]);
        return 0;
}

/* The options all three take: --store FILE, --json, and their own (in long). */
typedef struct SilenceArgs {
        const char *store, *span, *comment, *start;
        bool json, all;
} SilenceArgs;

static int parse(int argc, char **argv, const char *usage, SilenceArgs *a) {
        static const struct option opts[] = {
                { "store", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
                { "for", required_argument, NULL, 'f' },   { "comment", required_argument, NULL, 'c' },
                { "start", required_argument, NULL, 't' }, { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },        {},
        };
        optind = 0;
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
                switch (c) {
                case 's': a->store = optarg; break;
                case 'j': a->json = true; break;
                case 'f': a->span = optarg; break;
                case 'c': a->comment = optarg; break;
                case 't': a->start = optarg; break;
                case 'a': a->all = true; break;
                case 'h': fputs(usage, stdout); return EXIT_OK;
                default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
                }
        return -1;
}

static int emit(const SilenceSet *set, bool all, bool json, const char *dir) {
        json_t *list = json_array();
        for (size_t i = 0; list && i < set->n; i++)
                if (all || set->v[i].ends_ms > now_ms())
                        json_array_append_new(list, silence_to_json(&set->v[i]));
        char now[ISO8601_USEC_SIZE];
        return monitor_emit(json_pack("{sssssss o}", "schema", SILENCES_SCHEMA, "dir", dir, "now",
                                      time_format_iso8601((uint64_t) now_ms() * 1000u, now), "silences", list),
                            json, render_silences);
}

int alerts_silence(int argc, char **argv) {
        SilenceArgs a = { .span = "2h" };
        int code = parse(argc, argv, ALERTS_SILENCE_USAGE, &a);
        if (code >= 0)
                return code;
        if (optind >= argc || argc - optind > SILENCE_MATCHERS_MAX) {
                log_error("alerts silence: give 1 to %d matchers, e.g. alertname=HighCPU (see 'skytune alerts "
                          "silence --help')",
                          SILENCE_MATCHERS_MAX);
                return EXIT_USAGE;
        }
        int64_t span, start = now_ms();
        uint64_t usec;
        if (time_parse_span_ms(a.span, &span) < 0 || span <= 0 || span > SILENCE_SPAN_MAX_MS) {
                log_error("--for %s: give a span of 1s to 30d (90m, 2h, 1d)", a.span);
                return EXIT_USAGE;
        }
        if (a.start && time_parse_iso8601(a.start, &usec) < 0) {
                log_error("--start %s: give a time in UTC as 2026-12-07T18:00:00Z", a.start);
                return EXIT_USAGE;
        }
        if (a.start)
                start = (int64_t) (usec / 1000u);
        if (a.comment && strlen(a.comment) > SILENCE_TEXT_MAX) {
                log_error("--comment: at most %d bytes", SILENCE_TEXT_MAX);
                return EXIT_USAGE;
        }
        Silence s = { .starts_ms = start, .ends_ms = start + span };
        const char *why = NULL;
        for (int i = optind; i < argc; i++)
                if (silence_matcher_parse(argv[i], &s.m[s.n], &why) < 0) {
                        log_error("alerts silence: '%s': %s", argv[i], why ? why : "out of memory");
                        silence_done(&s);
                        return EXIT_USAGE;
                } else
                        s.n++;
        if (!silence_matchers_narrow(&s, &why)) {
                log_error("alerts silence: %s", why);
                silence_done(&s);
                return EXIT_USAGE;
        }
        s.comment = a.comment ? strdup(a.comment) : NULL;
        s.created_by = author();
        char dir[4096];
        SilenceSet set = {};
        int r = silence_dir(a.store, dir, sizeof(dir));
        r = r < 0 ? r : new_id(s.id);
        r = r < 0 ? r : write_silence(dir, &s);
        if (r >= 0)
                (void) read_all(dir, &set, true); /* only to remove old expired files */
        if (r >= 0 && a.json)
                code = monitor_emit(silence_to_json(&s), true, NULL);
        else if (r >= 0) {
                char m[1024], ends[ISO8601_USEC_SIZE];
                silence_matchers_format(&s, m, sizeof(m));
                printf("silence %s: %s until %s\n", s.id, m, time_format_iso8601((uint64_t) s.ends_ms * 1000u, ends));
                code = EXIT_OK;
        }
        silence_set_done(&set);
        silence_done(&s);
        return r < 0 ? EXIT_FAIL : code;
}

int alerts_silences(int argc, char **argv) {
        SilenceArgs a = {};
        int code = parse(argc, argv, ALERTS_SILENCES_USAGE, &a);
        if (code >= 0)
                return code;
        if (optind < argc) {
                log_error("alerts silences: unexpected '%s' (see 'skytune alerts silences --help')", argv[optind]);
                return EXIT_USAGE;
        }
        char dir[4096];
        SilenceSet set = {};
        if (silence_dir(a.store, dir, sizeof(dir)) < 0 || read_all(dir, &set, false) < 0)
                return EXIT_FAIL;
        code = emit(&set, a.all, a.json, dir);
        silence_set_done(&set);
        return code;
}

int alerts_unsilence(int argc, char **argv) {
        SilenceArgs a = {};
        int code = parse(argc, argv, ALERTS_UNSILENCE_USAGE, &a);
        if (code >= 0)
                return code;
        if (argc - optind != 1) {
                log_error("alerts unsilence: give one silence id (skytune alerts silences lists them)");
                return EXIT_USAGE;
        }
        const char *id = argv[optind];
        char dir[4096];
        SilenceSet set = {};
        if (silence_dir(a.store, dir, sizeof(dir)) < 0 || read_all(dir, &set, true) < 0)
                return EXIT_FAIL;
        int r = -ENOENT;
        for (size_t i = 0; i < set.n && r == -ENOENT; i++)
                if (strcmp(set.v[i].id, id) == 0) {
                        Silence *s = &set.v[i];
                        /* Expired, not removed: it stays in the list (--all) for a week. */
                        if (s->ends_ms > now_ms()) {
                                s->ends_ms = now_ms();
                                s->starts_ms = MIN(s->starts_ms, s->ends_ms - 1);
                        }
                        r = write_silence(dir, s);
                }
        if (r == -ENOENT)
                log_error("alerts unsilence: no silence %s in %s (skytune alerts silences --all lists them)", id, dir);
        else if (r >= 0)
                printf("silence %s expired\n", id);
        silence_set_done(&set);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}
