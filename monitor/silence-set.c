/* SPDX-License-Identifier: MIT */
/* The silences of a directory, read again when it changes (silence.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "silence.h"

/* ID.json: 16 hex digits; anything else in the directory (the CLI's temporary files) is not read. */
static bool silence_name(const char *name) {
        return strlen(name) == SILENCE_ID_LEN + 5 && strspn(name, "0123456789abcdef") == SILENCE_ID_LEN &&
                strcmp(name + SILENCE_ID_LEN, ".json") == 0;
}

static int read_one(const char *path, Silence *ret, const char **why) {
        char *text = NULL;
        size_t len = 0;
        int r = fileio_read_regular(path, SILENCE_FILE_MAX, &text, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *why = r == -EFBIG ? "larger than 64 KiB" : "cannot be read";
                return -EINVAL;
        }
        json_error_t je;
        json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        free(text);
        if (!doc) {
                *why = "not JSON";
                return -EINVAL;
        }
        r = silence_from_json(doc, ret, why);
        json_decref(doc);
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
                        : read_one(path, &v[n], &why);
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

int silence_set_refresh(SilenceSet *set, const char *dir, SilenceBadFn bad, void *userdata) {
        struct stat st;
        if (stat(dir, &st) < 0) { /* none there (yet): no silences */
                bool changed = !set->read || set->n > 0;
                set_free(set->v, set->n);
                *set = (SilenceSet) { .read = true };
                return changed;
        }
        if (set->read && st.st_mtim.tv_sec == set->mtime.tv_sec && st.st_mtim.tv_nsec == set->mtime.tv_nsec)
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
        int r = read_dir(dir, d, &v, &n, bad, userdata);
        closedir(d);
        if (r < 0)
                return r;
        set_free(set->v, set->n);
        *set = (SilenceSet) { .v = v, .n = n, .mtime = st.st_mtim, .read = true };
        return 1;
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
