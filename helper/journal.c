/* SPDX-License-Identifier: MIT */
/* The undo journal: one skytune.tx/1 JSON file per transaction in STATE/tx/<id>.json (STATE is mode
 * 0700). Durable saves (the intent record before the first system write, and the final state) are
 * write-temp, fsync, rename, fsync-dir (common/fileio.c), so a reader finds the previous or the new
 * version, never a torn one. Progress between them (each change as it lands) goes to <id>.progress,
 * renamed into place without fsync: it never replaces the durable record, and it is preferred when
 * it is readable. A file that cannot be parsed is reported and moved
 * to STATE/corrupt/ (never deleted), and the helper goes on. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "helper-core.h"
#include "log.h"

static int open_subdir(int dfd, const char *name) {
        if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        if (fchmod(fd, 0700) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        return fd;
}

/* The ".#*.tmp" files of saves that a crash or a failure interrupted: nobody else writes here (the lock). */
static void remove_temp_files(Helper *h) {
        int dfd = dup(h->tx_fd);
        _cleanup_closedir_ DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
        if (!d) {
                if (dfd >= 0)
                        close(dfd);
                return;
        }
        for (struct dirent *de; (de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (len > 6 && strncmp(de->d_name, ".#", 2) == 0 && strcmp(de->d_name + len - 4, ".tmp") == 0)
                        (void) unlinkat(h->tx_fd, de->d_name, 0);
        }
}

int journal_open(Helper *h) {
        if (mkdir(h->state_dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "cannot create state directory %s: %m", h->state_dir);
        h->state_fd = open(h->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->state_fd < 0)
                return log_error_errno(negative_errno(), "cannot open state directory %s: %m", h->state_dir);
        if (fchmod(h->state_fd, 0700) < 0)
                return log_error_errno(negative_errno(), "cannot make %s private (0700): %m", h->state_dir);
        h->tx_fd = open_subdir(h->state_fd, "tx");
        if (h->tx_fd < 0)
                return log_error_errno(h->tx_fd, "cannot open %s/tx: %m", h->state_dir);
        /* One instance at a time: a helper started by the bus while the previous one drains waits here
         * until that one has exited, and so never recovers a transaction that is still running. */
        h->lock_fd = openat(h->state_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (h->lock_fd < 0)
                return log_error_errno(negative_errno(), "cannot open %s/lock: %m", h->state_dir);
        while (flock(h->lock_fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return log_error_errno(negative_errno(), "cannot lock %s/lock: %m", h->state_dir);
        remove_temp_files(h);
        return 0;
}

char *now_iso(void) {
        struct timespec ts;
        struct tm tm;
        char buf[64], *s;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        if (asprintf(&s, "%s.%06ldZ", buf, ts.tv_nsec / 1000) < 0)
                return NULL;
        return s;
}

int journal_new_id(char **ret) {
        struct timespec ts;
        struct tm tm;
        char buf[32];
        unsigned char rnd[3] = {};
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(buf, sizeof(buf), "%Y%m%dT%H%M%S", &tm);
        _cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t) sizeof(rnd))
                memcpy(rnd, &ts.tv_nsec, sizeof(rnd));
        /* Microseconds keep ids in time order; the random part keeps two helpers' ids apart. */
        return asprintf(ret, "%s-%06ld-%02x%02x%02x", buf, ts.tv_nsec / 1000, rnd[0], rnd[1], rnd[2]) < 0 ? -ENOMEM : 0;
}

/* Progress records: write-temp then rename, no fsync. A kill -9 keeps them (page cache); after a power
 * loss either one survives or the last durable record governs, which is enough because a rollback
 * decides from the live values, not from these statuses. */
static int write_progress(Helper *h, const char *name, const char *text, size_t len) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, ".#%s.tmp", name) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = fileio_openat(h->tx_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return fd;
        int r = write_all(fd, text, len);
        if (r >= 0)
                r = fileio_renameat(h->tx_fd, tmp, name);
        if (r < 0)
                (void) fileio_unlinkat(h->tx_fd, tmp, 0);
        return r;
}

int journal_save(Helper *h, json_t *tx, bool durable) {
        const char *id = json_string_value(json_object_get(tx, "id"));
        if (!tx_id_valid(id))
                return -EINVAL;
        _cleanup_free_ char *now = now_iso(), *path = NULL, *progress = NULL;
        json_object_set_new(tx, "updated", json_string(now ?: ""));
        /* Every save numbers itself: a progress record counts only when it is newer than the durable
         * one, so one left behind by a failed unlink never outranks the final record. */
        json_object_set_new(tx, "seq", json_integer(json_integer_value(json_object_get(tx, "seq")) + 1));
        _cleanup_free_ char *text = json_dumps(tx, JSON_INDENT(1));
        if (!text || asprintf(&path, "%s.json", id) < 0 || asprintf(&progress, "%s.progress", id) < 0)
                return -ENOMEM;
        size_t n = strlen(text);
        text[n] = '\n';        /* json_dumps leaves room for the NUL: swap it for a newline */
        if (!durable)
                return write_progress(h, progress, text, n + 1);
        int r = write_file_atomic_at(h->tx_fd, path, text, n + 1, 0600);
        if (r >= 0)
                (void) fileio_unlinkat(h->tx_fd, progress, 0);        /* superseded (and outranked by seq if it stays) */
        return r;
}

static void quarantine(Helper *h, const char *name, const char *why) {
        _cleanup_close_ int cfd = open_subdir(h->state_fd, "corrupt");
        _cleanup_free_ char *now = now_iso(), *dest = NULL;
        if (cfd < 0 || asprintf(&dest, "%s.%s", name, now ?: "x") < 0) {
                log_error("journal file %s/tx/%s is corrupt (%s) and could not be moved aside", h->state_dir, name, why);
                return;
        }
        if (renameat(h->tx_fd, name, cfd, dest) < 0) {
                log_error_errno(negative_errno(), "journal file %s/tx/%s is corrupt (%s); moving it aside failed: %m",
                                h->state_dir, name, why);
                return;
        }
        (void) fsync(h->tx_fd);
        log_error("journal file %s/tx/%s is corrupt (%s): kept as %s/corrupt/%s; inspect it and undo its changes by hand if needed",
                  h->state_dir, name, why, h->state_dir, dest);
}

/* A record file, parsed. It is opened without blocking and read only when it is a regular file within
 * the cap, so that a FIFO or a huge file among the records never holds up an activation; one read of
 * the whole file (json_loadfd reads a byte per system call). A file that cannot be a record gives
 * *ret NULL with jerr->text saying why; a negative errno means it could not be opened or read. */
static int read_record(Helper *h, const char *name, json_t **ret, json_error_t *jerr) {
        _cleanup_close_ int fd = openat(h->tx_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        *ret = NULL;
        if (!S_ISREG(st.st_mode)) {
                snprintf(jerr->text, sizeof(jerr->text), "not a regular file");
                return 0;
        }
        if (st.st_size > HELPER_RECORD_MAX) {
                snprintf(jerr->text, sizeof(jerr->text), "%lld bytes, over the %u MiB a record may have",
                         (long long) st.st_size, HELPER_RECORD_MAX >> 20);
                return 0;
        }
        _cleanup_free_ char *buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        size_t len = 0;
        for (ssize_t n; len <= (size_t) st.st_size; len += (size_t) n) {
                n = read(fd, buf + len, (size_t) st.st_size + 1 - len);
                if (n < 0 && errno == EINTR)
                        n = 0;
                else if (n < 0)
                        return negative_errno();
                else if (n == 0)
                        break;
        }
        *ret = json_loadb(buf, len, JSON_REJECT_DUPLICATES, jerr);
        return 0;
}

/* A progress record newer than the durable one (a higher "seq"; old records without one: always), if
 * it is readable and names the same transaction. */
static json_t *load_progress(Helper *h, const char *id, json_int_t durable_seq) {
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "%s.progress", id) < 0)
                return NULL;
        json_error_t jerr;
        json_t *doc = NULL;
        if (read_record(h, name, &doc, &jerr) == -ENOENT)
                return NULL;
        const char *pid = json_string_value(json_object_get(doc, "id"));
        if (!pid || strcmp(pid, id) != 0 || !json_is_array(json_object_get(doc, "changes")) ||
            !json_is_array(json_object_get(doc, "files")) || !json_is_string(json_object_get(doc, "state"))) {
                if (doc)
                        json_decref(doc);
                log_warning("progress record %s/tx/%s is unreadable; using the durable record", h->state_dir, name);
                return NULL;
        }
        if (json_integer_value(json_object_get(doc, "seq")) <= durable_seq && durable_seq > 0) {
                json_decref(doc);        /* stale: the durable record was saved after it */
                return NULL;
        }
        return doc;
}

static int load_file(Helper *h, const char *name, json_t **ret) {
        json_error_t jerr;
        json_t *doc;
        int r = read_record(h, name, &doc, &jerr);
        if (r < 0)
                return r;
        const char *why = NULL;
        if (!doc)
                why = jerr.text;
        else if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "schema")) ||
                 strcmp(json_string_value(json_object_get(doc, "schema")), HELPER_TX_SCHEMA) != 0 ||
                 !json_is_string(json_object_get(doc, "id")) || !json_is_string(json_object_get(doc, "state")) ||
                 !json_is_array(json_object_get(doc, "changes")) || !json_is_array(json_object_get(doc, "files")))
                why = "not a skytune.tx/1 document";
        else {
                /* The file name and the id inside must agree. */
                _cleanup_free_ char *expect = NULL;
                if (asprintf(&expect, "%s.json", json_string_value(json_object_get(doc, "id"))) < 0)
                        return -ENOMEM;
                if (strcmp(expect, name) != 0)
                        why = "its id does not match its file name";
        }
        if (why) {
                json_decref(doc);
                quarantine(h, name, why);
                return -EBADMSG;
        }
        json_t *progress = load_progress(h, json_string_value(json_object_get(doc, "id")),
                                         json_integer_value(json_object_get(doc, "seq")));
        if (progress) {
                json_decref(doc);
                doc = progress;
        }
        *ret = doc;
        return 0;
}

int journal_load(Helper *h, const char *id, json_t **ret) {
        _cleanup_free_ char *name = NULL;
        if (!tx_id_valid(id))
                return -EINVAL;
        if (asprintf(&name, "%s.json", id) < 0)
                return -ENOMEM;
        return load_file(h, name, ret);
}

static int by_id(const void *a, const void *b) {
        const json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
        return strcmp(json_string_value(json_object_get(x, "id")), json_string_value(json_object_get(y, "id")));
}

/* Cheap look at a file without parsing it: does it end a finished transaction? Anything else (an
 * unfinished one, a torn or foreign file) gets parsed, and reported if corrupt. */
static bool looks_finished(Helper *h, const char *name) {
        static const char *const done[] = { "\"state\": \"applied\"", "\"state\": \"rolled-back\"",
                                            "\"state\": \"recovered\"", "\"state\": \"failed\"" };
        _cleanup_close_ int fd = openat(h->tx_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        char buf[65536];
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (n < 3 || n == (ssize_t) sizeof(buf) - 1 || buf[n - 1] != '\n' || buf[n - 2] != '}')
                return false;
        buf[n] = '\0';
        size_t len = strlen(name);
        char progress[300];
        if (len < 6 || len - 5 > 250)
                return false;
        snprintf(progress, sizeof(progress), "%.*s.progress", (int) (len - 5), name);
        if (faccessat(h->tx_fd, progress, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(done); i++)
                if (strstr(buf, done[i]))
                        return true;
        return false;
}

int journal_list(Helper *h, json_t **ret) {
        return journal_list_filtered(h, false, ret);
}

int journal_open_dir(Helper *h, DIR **ret) {
        int dfd = dup(h->tx_fd);
        if (dfd < 0)
                return negative_errno();
        DIR *d = fdopendir(dfd);
        if (!d) {
                int r = negative_errno();
                close(dfd);
                return r;
        }
        rewinddir(d);
        *ret = d;
        return 0;
}

bool journal_is_record_name(const char *name) {
        size_t len = strlen(name);
        /* Not ".", "..", or the ".#*.tmp" files a crash may leave during a save. */
        return name[0] != '.' && len >= 6 && strcmp(name + len - 5, ".json") == 0;
}

int journal_list_filtered(Helper *h, bool unfinished_only, json_t **ret) {
        _cleanup_closedir_ DIR *d = NULL;
        int r = journal_open_dir(h, &d);
        if (r < 0)
                return r;
        json_t **items = NULL;
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (!journal_is_record_name(de->d_name))
                        continue;
                json_t *doc;
                if (unfinished_only && looks_finished(h, de->d_name))
                        continue;
                if (load_file(h, de->d_name, &doc) < 0)
                        continue;
                json_t **ni = realloc(items, (n + 1) * sizeof(*items));
                if (!ni) {
                        json_decref(doc);
                        r = -ENOMEM;
                        break;
                }
                items = ni;
                items[n++] = doc;
        }
        if (n > 1)
                qsort(items, n, sizeof(*items), by_id);
        json_t *arr = r < 0 ? NULL : json_array();
        for (size_t i = 0; i < n; i++)
                if (arr)
                        json_array_append_new(arr, items[i]);
                else
                        json_decref(items[i]);
        free(items);
        if (!arr)
                return r < 0 ? r : -ENOMEM;
        *ret = arr;
        return 0;
}

int journal_set_verification(Helper *h, const char *id, json_t *record, uid_t uid, json_t **ret_tx) {
        json_auto_t *tx = NULL;
        int r = journal_load(h, id, &tx);
        if (r < 0)
                return r;
        const char *state = json_string_value(json_object_get(tx, "state"));
        if (!state || strcmp(state, "applying") == 0 || strcmp(state, "rolling-back") == 0)
                return -EBUSY;
        _cleanup_free_ char *now = now_iso();
        json_auto_t *copy = json_deep_copy(record);
        if (!now || !copy || json_object_set_new(copy, "recorded", json_string(now)) < 0 ||
            json_object_set_new(copy, "recorded_by_uid", json_integer(uid == (uid_t) -1 ? -1 : (json_int_t) uid)) < 0 ||
            json_object_set(tx, "verification", copy) < 0)
                return -ENOMEM;
        r = journal_save(h, tx, true);
        if (r < 0)
                return r;
        *ret_tx = TAKE_PTR(tx);
        return 0;
}
