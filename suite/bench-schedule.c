/* SPDX-License-Identifier: MIT */
/* The units of scheduled suite runs (bench-schedule.h): their text, writing and removing them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-schedule.h"
#include "fileio.h"
#include "macro.h"

#define UNIT_FILE_MAX (64 * 1024)
#define DROPIN        "skytune-schedule.conf"

static const char *under(const char *root) {
        return isempty(root) || strcmp(root, "/") == 0 ? "" : root;
}

int bench_schedule_unit_dir(bool user, const char *root, char **ret, Error *e) {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        int r;
        if (!user)
                r = asprintf(ret, "%s/etc/systemd/system", under(root));
        else if (xdg && xdg[0] == '/')
                r = asprintf(ret, "%s%s/systemd/user", under(root), xdg);
        else if (home && home[0] == '/')
                r = asprintf(ret, "%s%s/.config/systemd/user", under(root), home);
        else
                return error_set(e, -ENOENT, "no place for user units: HOME and XDG_CONFIG_HOME are not set");
        return r < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

bool bench_schedule_template_installed(const char *root) {
        static const char *const dirs[] = { "/etc/systemd/system", "/usr/local/lib/systemd/system",
                                            "/usr/lib/systemd/system", "/lib/systemd/system" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s%s/skytune-bench@.timer", under(root), dirs[i]) >= 0 && access(p, F_OK) == 0)
                        return true;
        }
        return false;
}

/* One ExecStart= word: as it is when plain, else quoted, with systemd's specifiers ('%') and
 * variables ('$') escaped. Control characters are refused (-EINVAL): no line may end early. */
static char *exec_word(const char *s) {
        bool plain = *s != '\0';
        for (const char *p = s; *p; p++) {
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return NULL;
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+-:@,=", *p))
                        plain = false;
        }
        if (plain)
                return strdup(s);
        char *out = malloc(strlen(s) * 2 + 3), *o = out;
        if (!out)
                return NULL;
        *o++ = '"';
        for (const char *p = s; *p; p++) {
                if (*p == '"' || *p == '\\' || *p == '%' || *p == '$')
                        *o++ = *p == '"' || *p == '\\' ? '\\' : *p;
                *o++ = *p;
        }
        *o++ = '"';
        *o = '\0';
        return out;
}

/* "ExecStart=SKYTUNE bench run %i --history HISTORY". */
static int exec_start(const char *skytune, const char *history, char **ret, Error *e) {
        _cleanup_free_ char *a = exec_word(skytune), *b = exec_word(history);
        if (!a || !b)
                return error_set(e, -EINVAL, "'%s' or '%s': a path with a control character cannot go into a unit",
                                 skytune, history);
        return asprintf(ret, "ExecStart=%s bench run %%i --history %s\n", a, b) < 0
                ? error_set(e, -ENOMEM, "out of memory")
                : 0;
}

static int template_text(const BenchSchedule *s, char **ret, Error *e) {
        _cleanup_free_ char *exec = NULL;
        int r = exec_start(s->skytune, s->user_history, &exec, e);
        if (r < 0)
                return r;
        r = asprintf(ret,
                     BENCH_SCHEDULE_MARK
                     ": the user's variant of the packaged skytune-bench@.service,\n"
                     "# removed with the last suite's schedule. %%i is the suite's name, passed as written.\n"
                     "[Unit]\nDescription=skytune benchmark suite %%i\nDocumentation=man:skytune(1)\n\n"
                     "[Service]\nType=oneshot\n%sUMask=0077\nNoNewPrivileges=yes\n",
                     exec);
        return r < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

static int timer_text(const BenchSchedule *s, char **ret, Error *e) {
        int r = s->user ? asprintf(ret,
                                   BENCH_SCHEDULE_MARK "; 'skytune bench schedule %s --remove' removes it.\n"
                                                       "[Unit]\nDescription=skytune benchmark suite %s, on a calendar\n"
                                                       "Documentation=man:skytune(1)\n\n"
                                                       "[Timer]\nOnCalendar=%s\nPersistent=true\n"
                                                       "RandomizedDelaySec=15min\n\n"
                                                       "[Install]\nWantedBy=timers.target\n",
                                   s->name, s->name, s->calendar)
                        : asprintf(ret,
                                   BENCH_SCHEDULE_MARK "; 'skytune bench schedule %s --remove' removes it.\n"
                                                       "# The packaged timer's OnCalendar= is cleared, then set.\n"
                                                       "[Timer]\nOnCalendar=\nOnCalendar=%s\n",
                                   s->name, s->calendar);
        return r < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

static int service_dropin_text(const BenchSchedule *s, char **ret, Error *e) {
        _cleanup_free_ char *exec = NULL;
        int r = exec_start(s->skytune, s->history, &exec, e);
        if (r < 0)
                return r;
        r = asprintf(ret,
                     BENCH_SCHEDULE_MARK "; 'skytune bench schedule %s --remove' removes it.\n"
                                         "# This suite's runs go into their own history.\n[Service]\nExecStart=\n%s",
                     s->name, exec);
        return r < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

/* 1: the file at path is schedule's (its first line is the mark), 0: another's, -ENOENT: none. */
static int ours(const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = fileio_read_regular(path, UNIT_FILE_MAX, &text, &len);
        if (r < 0)
                return r == -ENOENT ? -ENOENT : 0;
        return strncmp(text, BENCH_SCHEDULE_MARK, strlen(BENCH_SCHEDULE_MARK)) == 0;
}

/* The file names (relative to the unit dir) of name's files; the template is not among them. */
static int file_names(const char *name, bool user, char *ret[2]) {
        ret[0] = ret[1] = NULL;
        int r = user ? asprintf(&ret[0], "skytune-bench@%s.timer", name)
                     : asprintf(&ret[0], "skytune-bench@%s.timer.d/" DROPIN, name);
        if (r >= 0)
                r = asprintf(&ret[1], "skytune-bench@%s.service.d/" DROPIN, name);
        if (r < 0) {
                free(ret[0]);
                ret[0] = ret[1] = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* Writes dir/rel, its directory made when missing. */
static int put(const char *dir, const char *rel, const char *text, json_t *written, Error *e) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, rel) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        char *slash = strrchr(path, '/');
        *slash = '\0';
        int r = fileio_mkdir_p(path, 0755);
        *slash = '/';
        if (r >= 0)
                r = write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return error_set(e, r, "cannot write %s: %s", path, strerror(-r));
        return json_array_append_new(written, json_string(path)) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

/* Removes dir/rel when it is schedule's, then its drop-in directory when empty. 1 removed, 0 not. */
static int remove_ours(const char *dir, const char *rel, json_t *removed) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, rel) < 0)
                return -ENOMEM;
        if (ours(path) != 1)
                return 0;
        if (unlink(path) < 0)
                return -errno;
        if (removed)
                json_array_append_new(removed, json_string(path));
        char *slash = strrchr(path, '/');
        *slash = '\0';
        if (strlen(path) > 2 && strcmp(path + strlen(path) - 2, ".d") == 0)
                (void) rmdir(path);
        return 1;
}

typedef struct Planned {
        char *rel, *text;
} Planned;

static int plan(const BenchSchedule *s, const char *dir, Planned p[3], size_t *n, Error *e) {
        char *names[2];
        if (file_names(s->name, s->user, names) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        *n = 0;
        int r = 0;
        if (s->user) {
                _cleanup_free_ char *tpl = NULL;
                if (asprintf(&tpl, "%s/skytune-bench@.service", dir) < 0)
                        r = error_set(e, -ENOMEM, "out of memory");
                else if (ours(tpl) != 0) { /* absent, or ours: (re)written */
                        p[*n].rel = strdup("skytune-bench@.service");
                        r = p[*n].rel ? template_text(s, &p[*n].text, e) : error_set(e, -ENOMEM, "out of memory");
                        (*n)++;
                }
        }
        p[*n].rel = names[0];
        if (r >= 0)
                r = timer_text(s, &p[*n].text, e);
        (*n)++;
        if (s->history) {
                p[*n].rel = names[1];
                names[1] = NULL;
                if (r >= 0)
                        r = service_dropin_text(s, &p[*n].text, e);
                (*n)++;
        }
        free(names[1]);
        return r;
}

static void planned_free(Planned *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].rel);
                free(p[i].text);
        }
}

/* Refuses before anything is written when one of the files is someone else's. */
static int check_free(const char *dir, const Planned *p, size_t n, Error *e) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", dir, p[i].rel) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                if (ours(path) == 0)
                        return error_set(e, -EEXIST,
                                         "%s exists and was not written by 'skytune bench schedule': left as it is "
                                         "(move it away, or edit it yourself)",
                                         path);
        }
        return 0;
}

int bench_schedule_write(const BenchSchedule *s, const char *dir, json_t **ret_written, Error *e) {
        Planned p[3] = {};
        size_t n = 0;
        json_t *written = json_array();
        int r = written ? plan(s, dir, p, &n, e) : error_set(e, -ENOMEM, "out of memory");
        if (r >= 0)
                r = check_free(dir, p, n, e);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = put(dir, p[i].rel, p[i].text, written, e);
        if (r >= 0 && !s->history) {
                /* Scheduled again without --history: an earlier one's history drop-in goes. */
                char *names[2];
                if (file_names(s->name, s->user, names) >= 0)
                        (void) remove_ours(dir, names[1], NULL);
                free(names[0]);
                free(names[1]);
        }
        planned_free(p, n);
        if (r < 0)
                json_decref(written);
        else
                *ret_written = written;
        return r;
}

char *bench_schedule_calendar(const char *text) {
        if (strncmp(text, BENCH_SCHEDULE_MARK, strlen(BENCH_SCHEDULE_MARK)) != 0)
                return NULL;
        const char *cal = NULL;
        size_t cal_len = 0;
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, "OnCalendar=", 11) == 0 && l[11] != '\n' && l[11] != '\0') {
                        cal = l + 11;
                        cal_len = strcspn(cal, "\n");
                }
        return cal ? strndup(cal, cal_len) : NULL;
}

static char *calendar_of(const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        return fileio_read_regular(path, UNIT_FILE_MAX, &text, &len) < 0 ? NULL : bench_schedule_calendar(text);
}

/* The suite name of a directory entry that is one of schedule's timers (NAME.timer for the user,
 * NAME.timer.d for the system), else NULL. */
static char *entry_name(const char *entry, bool user) {
        const char *suffix = user ? ".timer" : ".timer.d";
        size_t n = strlen(entry), pre = strlen("skytune-bench@"), suf = strlen(suffix);
        if (n <= pre + suf || strncmp(entry, "skytune-bench@", pre) != 0 || strcmp(entry + n - suf, suffix) != 0)
                return NULL;
        return strndup(entry + pre, n - pre - suf);
}

int bench_schedule_list(bool user, const char *dir, json_t **ret, Error *e) {
        json_t *list = json_array();
        if (!list)
                return error_set(e, -ENOMEM, "out of memory");
        DIR *d = opendir(dir);
        if (!d && errno != ENOENT) {
                json_decref(list);
                return error_set(e, -errno, "cannot read %s: %s", dir, strerror(errno));
        }
        for (struct dirent *de; d && (de = readdir(d));) {
                _cleanup_free_ char *name = entry_name(de->d_name, user), *path = NULL, *cal = NULL;
                if (!name || asprintf(&path, "%s/%s%s", dir, de->d_name, user ? "" : "/" DROPIN) < 0 ||
                    !(cal = calendar_of(path)))
                        continue;
                json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "name", name, "calendar", cal, "file", path));
        }
        if (d)
                closedir(d);
        *ret = list;
        return 0;
}

/* The link `systemctl enable` made for the timer, when it is still there (the manager could not be
 * reached to disable it): timers.target.wants/skytune-bench@NAME.timer, pointing at that timer or
 * at the template. */
static void remove_enable_link(const char *name, const char *dir, json_t *removed) {
        _cleanup_free_ char *link = NULL, *timer = NULL;
        char target[4096];
        if (asprintf(&link, "%s/timers.target.wants/skytune-bench@%s.timer", dir, name) < 0 ||
            asprintf(&timer, "skytune-bench@%s.timer", name) < 0)
                return;
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
                return;
        target[n] = '\0';
        const char *slash = strrchr(target, '/'), *base = slash ? slash + 1 : target;
        if ((strcmp(base, timer) == 0 || strcmp(base, "skytune-bench@.timer") == 0) && unlink(link) == 0)
                json_array_append_new(removed, json_string(link));
}

int bench_schedule_remove(const char *name, bool user, const char *dir, json_t **ret_removed, Error *e) {
        char *names[2] = {};
        json_t *removed = json_array(), *left = NULL;
        int r = removed && file_names(name, user, names) >= 0 ? 0 : error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; r >= 0 && i < 2; i++)
                if ((r = remove_ours(dir, names[i], removed)) < 0)
                        error_set(e, r, "cannot remove %s/%s: %s", dir, names[i], strerror(-r));
        free(names[0]);
        free(names[1]);
        if (r >= 0 && json_array_size(removed) > 0)
                remove_enable_link(name, dir, removed);
        if (r >= 0 && json_array_size(removed) == 0)
                r = error_set(e, -ENOENT, "suite %s has no schedule in %s (see 'skytune bench schedule --list')", name,
                              dir);
        /* The user's template goes with the last timer that needs it. */
        if (r >= 0 && user && bench_schedule_list(true, dir, &left, NULL) >= 0 && json_array_size(left) == 0)
                (void) remove_ours(dir, "skytune-bench@.service", removed);
        json_decref(left);
        if (r < 0)
                json_decref(removed);
        else
                *ret_removed = removed;
        return r;
}
