/* SPDX-License-Identifier: MIT */
/* The write mechanisms, one implementation each; a key's backend names its mechanism (TunablePlace,
 * common/tunable.h). Attribute files (sysctl, cpufreq, block queue) are written with one write(2) of
 * the value and a newline, so procfs and sysfs report EINVAL at write time; the host-specific checks
 * (the offered values) run first, in common/plan-validate.c, because a fixture's regular file would
 * accept anything. Process limits use prlimit(2), on the host only. Keys that live only in an owned
 * file have no live value (persist.c writes them with the files). */
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fileio.h"
#include "helper-core.h"
#include "log.h"
#include "procfs.h"
#include "ulimit.h"

static int write_attr(Helper *h, const char *path, const char *value) {
        _cleanup_close_ int fd = sysroot_openat(h->root, path, O_WRONLY | O_TRUNC | O_NOCTTY, 0);
        if (fd < 0)
                return fd;
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "%s\n", value) < 0)
                return -ENOMEM;
        /* One write: sysfs and procfs take the value from a single write(2). */
        ssize_t n = write(fd, line, strlen(line));
        int r = n < 0 ? negative_errno() : (size_t) n != strlen(line) ? -EIO : 0;
        if (close(TAKE_FD(fd)) < 0 && r == 0)
                r = negative_errno();
        helper_count_write(h);
        return r;
}

static int attr_read(Helper *h, TunableKind kind, const char *key, char **ret) {
        return tunable_read(h->root, kind, key, ret);
}

static int attr_write(Helper *h, ChangeRecord *change, const char *value) {
        const TunableBackend *b = tunable_backend(change->kind);
        _cleanup_free_ char *path = NULL;
        if (!b)
                return -EINVAL;
        int r = b->live_path(change->key, &path);
        return r < 0 ? r : write_attr(h, path, value);
}

static int attr_prepare(Helper *h, ChangeRecord *change) {
        const TunableBackend *b = tunable_backend(change->kind);
        if (!b)
                return -EINVAL;
        /* The file as read, so that a rollback writes back exactly these bytes (tabs in tcp_rmem). */
        _cleanup_free_ char *path = NULL, *raw = NULL;
        if (b->restore_raw && b->live_path(change->key, &path) >= 0 && sysroot_read_line(h->root, path, &raw) >= 0 &&
            tunable_values_equal(change->kind, change->key, raw, change->old) && change_set_old_raw(change, raw) < 0)
                return -ENOMEM;
        /* vm.dirty_bytes and vm.dirty_ratio (and the background pair): the kernel zeroes one when the
         * other is written, so the journal records both and a rollback restores both. */
        const char *partner = b->coupled_partner ? b->coupled_partner(change->key) : NULL;
        if (!partner)
                return 0;
        _cleanup_free_ char *v = NULL;
        int r = attr_read(h, change->kind, partner, &v);
        if (r < 0)
                return r;
        return change_set_pair(change, partner, v);
}

static int write_key(Helper *h, TunableKind kind, const char *key, const char *value) {
        const TunableBackend *b = tunable_backend(kind);
        _cleanup_free_ char *path = NULL;
        int r = b ? b->live_path(key, &path) : -EINVAL;
        return r < 0 ? r : write_attr(h, path, value);
}

/* Write key=value unless it reads so already; a refusal of "0" for a *_bytes key is expected on a
 * real kernel (its minimum is two pages) after the partner was written, which zeroed it anyway. */
static int settle(Helper *h, TunableKind kind, const char *key, const char *value, bool tolerate_einval) {
        _cleanup_free_ char *cur = NULL;
        int r = attr_read(h, kind, key, &cur);
        if (r < 0)
                return r;
        if (tunable_values_equal(kind, key, cur, value))
                return 0;
        r = write_key(h, kind, key, value);
        return r == -EINVAL && tolerate_einval ? 0 : r;
}

static int attr_restore(Helper *h, ChangeRecord *change, bool force, const char **ret_status) {
        TunableKind kind = change->kind;
        const char *key = change->key, *old = change->old, *new = change->new;
        _cleanup_free_ char *cur = NULL;
        if (!old) {
                *ret_status = "unchanged";
                return 0;
        }
        int r = attr_read(h, kind, key, &cur);
        if (r < 0)
                return r;
        const char *pkey = change->pair_key, *pold = change->pair_old;
        bool at_old = tunable_values_equal(kind, key, cur, old);
        if (at_old && pkey && pold) {
                _cleanup_free_ char *pcur = NULL;
                at_old = attr_read(h, kind, pkey, &pcur) >= 0 && tunable_values_equal(kind, pkey, pcur, pold);
        }
        if (at_old) {
                *ret_status = "unchanged";
                return 0;
        }
        bool ours = new && tunable_values_equal(kind, key, cur, new);
        if (!ours && !force) {
                *ret_status = "conflict";
                return 0;
        }
        if (pkey && pold) {
                /* Write the one that was non-zero; the kernel zeroes the other; settle it if not. */
                bool key_first = strcmp(old, "0") != 0;
                r = write_key(h, kind, key_first ? key : pkey, key_first ? old : pold);
                if (r >= 0)
                        r = settle(h, kind, key_first ? pkey : key, key_first ? pold : old, true);
        } else
                r = attr_write(h, change, change->old_raw ?: old);
        if (r < 0)
                return r;
        *ret_status = ours ? "restored" : "forced";
        return 0;
}

/* ---- ulimit ---- */

static int ulimit_read(Helper *h, TunableKind kind, const char *key, char **ret) {
        UlimitKey k;
        int r = ulimit_key_parse_process(key, &k);
        if (r < 0)
                return r;
        /* prlimit(2) acts on real PIDs: in a fixture tree they would be someone else's processes. */
        if (!sysroot_is_host(h->root))
                return -ENOENT;
        return tunable_read(h->root, kind, key, ret);
}

static int proc_start_time(int pid, unsigned long long *ret) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return negative_errno();
        char buf[1024];
        if (!fgets(buf, sizeof(buf), f))
                return -EIO;
        char *p = strrchr(buf, ')');
        if (!p)
                return -EBADMSG;
        /* Field 22 (starttime); p + 2 is field 3. */
        unsigned long long v = 0;
        int field = 3;
        for (char *save = NULL, *w = strtok_r(p + 2, " ", &save); w; w = strtok_r(NULL, " ", &save), field++)
                if (field == 22) {
                        v = strtoull(w, NULL, 10);
                        *ret = v;
                        return 0;
                }
        return -EBADMSG;
}

static int pid_limit(int pid, int resource, long long *soft, long long *hard) {
        struct rlimit rl;
        if (prlimit(pid, resource, NULL, &rl) < 0)
                return negative_errno();
        *soft = rl.rlim_cur == RLIM_INFINITY ? -1 : (long long) rl.rlim_cur;
        *hard = rl.rlim_max == RLIM_INFINITY ? -1 : (long long) rl.rlim_max;
        return 0;
}

static int ulimit_prepare(Helper *h, ChangeRecord *change) {
        UlimitKey k;
        int r = ulimit_key_parse(change->key, &k);
        if (r < 0 || strcmp(k.scope, "process") != 0)
                return r < 0 ? r : 0;
        if (change_start_processes(change) < 0)
                return -ENOMEM;
        /* The host's processes (ulimit_read refused a fixture tree): prlimit(2) takes host PIDs. */
        _cleanup_(proc_iter_close) ProcIter it = PROC_ITER_INIT;
        r = proc_iter_open(&it, h->root);
        if (r < 0)
                return r;
        for (int pid; proc_iter_next(&it, &pid) > 0;) {
                _cleanup_free_ char *comm = NULL, *old = NULL;
                unsigned long long start;
                long long soft, hard;
                if (proc_read_line(h->root, pid, "comm", &comm) < 0 || strcmp(comm, k.target) != 0)
                        continue;
                if (proc_start_time(pid, &start) < 0 || pid_limit(pid, k.resource->rlimit, &soft, &hard) < 0)
                        continue;        /* gone meanwhile */
                if (ulimit_value_format(soft, hard, &old) < 0 || change_add_process(change, pid, start, old) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int set_pid_limit(Helper *h, int pid, const char *value, const UlimitResource *res) {
        long long soft, hard;
        int r = ulimit_value_parse(value, res, &soft, &hard);
        if (r < 0)
                return r;
        struct rlimit rl = {
                .rlim_cur = soft < 0 ? RLIM_INFINITY : (rlim_t) soft,
                .rlim_max = hard < 0 ? RLIM_INFINITY : (rlim_t) hard,
        };
        r = prlimit(pid, res->rlimit, &rl, NULL) < 0 ? negative_errno() : 0;
        helper_count_write(h);
        return r;
}

/* The process is still the one recorded (same PID and start time). */
static bool same_process(const ProcessRecord *p) {
        unsigned long long start;
        return proc_start_time(p->pid, &start) >= 0 && start == p->start;
}

static int ulimit_write(Helper *h, ChangeRecord *change, const char *value) {
        UlimitKey k;
        int r = ulimit_key_parse(change->key, &k);
        if (r < 0)
                return r;
        if (strcmp(k.scope, "process") != 0)
                return 0;        /* lives in an owned file, written with the files */
        for (size_t i = 0; i < change->processes; i++) {
                ProcessRecord p = change_process(change, i);
                if (!same_process(&p)) {
                        change_set_process_status(change, i, "gone");
                        continue;
                }
                r = set_pid_limit(h, p.pid, value, k.resource);
                if (r == -ESRCH) {
                        change_set_process_status(change, i, "gone");
                        continue;
                }
                if (r < 0)
                        return r;
                change_set_process_status(change, i, "applied");
        }
        return 0;
}

static int ulimit_restore(Helper *h, ChangeRecord *change, bool force, const char **ret_status) {
        UlimitKey k;
        int r = ulimit_key_parse(change->key, &k);
        if (r < 0)
                return r;
        *ret_status = "unchanged";
        if (strcmp(k.scope, "process") != 0)
                return 0;
        bool any_conflict = false, any_restored = false;
        for (size_t i = 0; i < change->processes; i++) {
                ProcessRecord p = change_process(change, i);
                long long soft, hard;
                _cleanup_free_ char *cur = NULL;
                if (!p.old || !same_process(&p) || pid_limit(p.pid, k.resource->rlimit, &soft, &hard) < 0) {
                        change_set_process_status(change, i, "gone");
                        continue;
                }
                if (ulimit_value_format(soft, hard, &cur) < 0)
                        return -ENOMEM;
                if (strcmp(cur, p.old) == 0)
                        continue;
                if (!force && (!change->new || strcmp(cur, change->new) != 0)) {
                        change_set_process_status(change, i, "conflict");
                        any_conflict = true;
                        continue;
                }
                r = set_pid_limit(h, p.pid, p.old, k.resource);
                if (r < 0 && r != -ESRCH)
                        return r;
                change_set_process_status(change, i, "restored");
                any_restored = true;
        }
        *ret_status = any_conflict ? "conflict" : any_restored ? "restored" : "unchanged";
        return 0;
}

/* ---- owned file only: no live value; persist.c writes the file ---- */

static int file_read(Helper *h, TunableKind kind, const char *key, char **ret) {
        return -EOPNOTSUPP;
}

static int file_prepare(Helper *h, ChangeRecord *change) {
        return 0;
}

static int file_write(Helper *h, ChangeRecord *change, const char *value) {
        return 0;
}

static int file_restore(Helper *h, ChangeRecord *change, bool force, const char **ret_status) {
        *ret_status = "unchanged";
        return 0;
}

static const Writer writers[] = {
        [TUNABLE_MECH_ATTR] = { "live", attr_read, attr_prepare, attr_write, attr_restore },
        [TUNABLE_MECH_PRLIMIT] = { "prlimit", ulimit_read, ulimit_prepare, ulimit_write, ulimit_restore },
        [TUNABLE_MECH_FILE] = { "file", file_read, file_prepare, file_write, file_restore },
};
static_assert(ELEMENTSOF(writers) == _TUNABLE_MECH_MAX, "a write mechanism without its writer");

const Writer *writer_of_mechanism(TunableMechanism m) {
        return m >= 0 && m < _TUNABLE_MECH_MAX ? &writers[m] : NULL;
}

const Writer *writer_for(TunableKind kind, const char *key) {
        TunablePlace place;
        return tunable_place(kind, key, &place) < 0 ? NULL : writer_of_mechanism(place.mechanism);
}

int writer_read(Helper *h, TunableKind kind, const char *key, char **ret) {
        const Writer *w = writer_for(kind, key);
        if (!w)
                return -EINVAL;
        int r = w->read(h, kind, key, ret);
        if (r == -EOPNOTSUPP)
                return persist_read_value(h, kind, key, ret);
        return r;
}
