/* SPDX-License-Identifier: MIT */
/* The silences of a directory, read again when it changes (silence.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "silence.h"

/* ID.json: 16 hex digits; anything else in the directory (the CLI's temporary files) is not read. */
static bool silence_name(const char *name) {
        return strlen(name) == SILENCE_ID_LEN + 5 && strspn(name, "0123456789abcdef") == SILENCE_ID_LEN &&
                strcmp(name + SILENCE_ID_LEN, ".json") == 0;
}

/* The file's text: not followed if a symlink, not waited on if a FIFO, a regular file or nothing. */
static int read_text(const char *path, char **ret, size_t *ret_len, const char **why) {
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                *why = errno == ELOOP ? "a symbolic link" : "cannot be opened";
                return -EINVAL;
        }
        struct stat st;
        char *text = NULL;
        int r = fstat(fd, &st) < 0                         ? (*why = "cannot be read", -EINVAL)
                : !S_ISREG(st.st_mode)                     ? (*why = "not a regular file", -EINVAL)
                : st.st_size > SILENCE_FILE_MAX            ? (*why = "larger than 64 KiB", -EINVAL)
                : (text = malloc((size_t) st.st_size + 1)) ? 0
                                                           : -ENOMEM;
        ssize_t n = r == 0 ? read(fd, text, (size_t) st.st_size) : -1;
        if (r == 0 && n < 0)
                *why = "cannot be read", r = -EINVAL;
        close(fd);
        if (r < 0) {
                free(text);
                return r;
        }
        text[n] = '\0';
        *ret = text;
        *ret_len = (size_t) n;
        return 0;
}

static int read_one(const char *path, const char *name, Silence *ret, const char **why) {
        char *text = NULL;
        size_t len = 0;
        int r = read_text(path, &text, &len, why);
        if (r < 0)
                return r;
        json_error_t je;
        json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        free(text);
        if (!doc) {
                *why = "not JSON";
                return -EINVAL;
        }
        r = silence_from_json(doc, ret, why);
        json_decref(doc);
        if (r == 0 && strncmp(ret->id, name, SILENCE_ID_LEN) != 0) {
                *why = "its 'id' is not its file's name";
                silence_done(ret);
                r = -EINVAL;
        }
        return r;
}

static void set_free(Silence *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                silence_done(&v[i]);
        free(v);
}

static int read_dir(const char *dir, DIR *d, Silence **ret, size_t *ret_n, SilenceBadFn bad, void *userdata) {
        Silence *v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        while ((de = readdir(d)) && n < SILENCES_MAX) {
                if (!silence_name(de->d_name))
                        continue;
                if (n == cap) {
                        size_t c = cap ? 2 * cap : 16;
                        Silence *w = realloc(v, c * sizeof(*w));
                        if (!w) {
                                set_free(v, n);
                                return -ENOMEM;
                        }
                        v = w;
                        cap = c;
                }
                char path[4096];
                const char *why = NULL;
                int r = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int) sizeof(path)
                        ? (why = "path too long", -EINVAL)
                        : read_one(path, de->d_name, &v[n], &why);
                if (r == -ENOMEM) {
                        set_free(v, n);
                        return r;
                }
                if (r < 0) {
                        if (bad)
                                bad(userdata, path, why);
                        continue;
                }
                n++;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* The same silences in the same order (ids and times: a silence file is only ever replaced). */
static bool equal(const Silence *a, size_t na, const Silence *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (strcmp(a[i].id, b[i].id) != 0 || a[i].starts_ms != b[i].starts_ms || a[i].ends_ms != b[i].ends_ms)
                        return false;
        return true;
}

int silence_set_refresh(SilenceSet *set, const char *dir, SilenceBadFn bad, void *userdata) {
        struct stat st;
        if (stat(dir, &st) < 0) { /* none there (yet): no silences */
                bool changed = !set->read || set->n > 0;
                set_free(set->v, set->n);
                *set = (SilenceSet) { .read = true };
                return changed;
        }
        /* A change within the directory's timestamp granularity of the last read leaves the time as
         * it was: while it is that recent, read again and compare (git's "racy" rule). */
        bool same = set->read && st.st_mtim.tv_sec == set->mtime.tv_sec && st.st_mtim.tv_nsec == set->mtime.tv_nsec;
        bool racy = st.st_mtim.tv_sec >= time(NULL) - 2;
        if (same && !racy)
                return 0;
        DIR *d = opendir(dir);
        if (!d) {
                if (bad)
                        bad(userdata, dir, "the directory cannot be read");
                set->mtime = st.st_mtim;
                set->read = true;
                return 0;
        }
        Silence *v = NULL;
        size_t n = 0;
        /* Bad files are reported when the directory changed, not at each racy reading. */
        int r = read_dir(dir, d, &v, &n, same ? NULL : bad, userdata);
        closedir(d);
        if (r < 0)
                return r;
        bool changed = !same || !equal(set->v, set->n, v, n);
        set_free(set->v, set->n);
        *set = (SilenceSet) { .v = v, .n = n, .mtime = st.st_mtim, .read = true };
        return changed;
}

const Silence *silence_set_match(const SilenceSet *set, const json_t *labels, int64_t now_ms) {
        for (size_t i = 0; i < set->n; i++)
                if (silence_active(&set->v[i], now_ms) && silence_matches(&set->v[i], labels))
                        return &set->v[i];
        return NULL;
}

void silence_set_done(SilenceSet *set) {
        set_free(set->v, set->n);
        *set = (SilenceSet) {};
}
