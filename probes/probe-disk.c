/* SPDX-License-Identifier: MIT */
/* disk: 4 KiB random reads and writes with O_DIRECT (IOPS and latency), sequential write and read
 * throughput, and fsync latency, on a temporary file in a chosen directory. The file is created with
 * O_TMPFILE (or created and unlinked at once where that is not supported), so it has no name and the
 * kernel frees it when the process ends, on exit, on SIGINT or even on SIGKILL; the probe never
 * writes anywhere else. It refuses to run when the file system would be left with little space. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "histogram.h"
#include "macro.h"
#include "probe.h"
#include "stats.h"

enum { M_RREAD_IOPS, M_RREAD_P50, M_RREAD_P99, M_RWRITE_IOPS, M_RWRITE_P50, M_RWRITE_P99,
       M_SEQ_WRITE, M_SEQ_READ, M_FSYNC_P50, M_FSYNC_P99, M_COUNT };

static const ProbeMetricDef disk_metrics[] = {
        [M_RREAD_IOPS] = { "randread_iops", "op/s", true },
        [M_RREAD_P50] = { "randread_p50_us", "us", false },
        [M_RREAD_P99] = { "randread_p99_us", "us", false },
        [M_RWRITE_IOPS] = { "randwrite_iops", "op/s", true },
        [M_RWRITE_P50] = { "randwrite_p50_us", "us", false },
        [M_RWRITE_P99] = { "randwrite_p99_us", "us", false },
        [M_SEQ_WRITE] = { "seqwrite_bytes_per_s", "B/s", true },
        [M_SEQ_READ] = { "seqread_bytes_per_s", "B/s", true },
        [M_FSYNC_P50] = { "fsync_p50_us", "us", false },
        [M_FSYNC_P99] = { "fsync_p99_us", "us", false },
};

#define BLOCK 4096u
#define SEQ_CHUNK (1u << 20)
#define DEFAULT_BYTES (UINT64_C(64) << 20)
/* Leave at least this much free after the file, and at least 5 % of the file system. */
#define RESERVE_BYTES (UINT64_C(256) << 20)

typedef struct DiskState {
        int fd;
        bool direct;
        uint64_t bytes;
        char *buf;              /* SEQ_CHUNK bytes, aligned for O_DIRECT */
        Histogram *h;
        StatsRng rng;
        char *dir;
} DiskState;

static int open_tmp(const char *dir, int flags) {
        int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | flags, 0600);
        if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != ENOENT))
                return fd >= 0 ? fd : negative_errno();
        /* No O_TMPFILE here: a named file, unlinked before any data is written. */
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/.skytune-probe-XXXXXX", dir) < 0)
                return -ENOMEM;
        fd = mkostemp(path, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        unlink(path);
        if (flags && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        return fd;
}

static int disk_setup(void *state, const ProbeConfig *cfg, Error *e) {
        DiskState *s = state;
        s->fd = -EBADF;
        s->bytes = cfg->disk_bytes ? cfg->disk_bytes : DEFAULT_BYTES;
        s->bytes -= s->bytes % SEQ_CHUNK;
        if (s->bytes < SEQ_CHUNK)
                s->bytes = SEQ_CHUNK;
        int r = cfg->dir ? ((s->dir = strdup(cfg->dir)) ? 0 : -ENOMEM) : probe_default_dir(&s->dir);
        if (r < 0)
                return r;
        struct statvfs sv;
        if (statvfs(s->dir, &sv) < 0) {
                r = negative_errno();
                return error_set(e, r, "cannot inspect '%s': %s (choose a directory with --dir)", s->dir, strerror(-r));
        }
        uint64_t avail = (uint64_t) sv.f_bavail * sv.f_frsize, size = (uint64_t) sv.f_blocks * sv.f_frsize;
        uint64_t reserve = MAX(RESERVE_BYTES, size / 20);
        if (avail < s->bytes + reserve) {
                return error_set(e, -ENOSPC, "only %llu MiB free in '%s'; the disk probe needs %llu MiB plus %llu MiB to spare "
                                 "(choose another directory with --dir)", (unsigned long long) (avail >> 20), s->dir,
                                 (unsigned long long) (s->bytes >> 20), (unsigned long long) (reserve >> 20));
        }
        s->fd = open_tmp(s->dir, O_DIRECT);
        s->direct = s->fd >= 0;
        if (s->fd == -EINVAL)           /* tmpfs and some others have no O_DIRECT */
                s->fd = open_tmp(s->dir, 0);
        if (s->fd < 0) {
                return error_set(e, s->fd, "cannot create a temporary file in '%s': %s (choose a writable directory with --dir)",
                                 s->dir, strerror(-s->fd));
        }
        r = posix_memalign((void **) &s->buf, BLOCK, SEQ_CHUNK);
        if (r != 0)
                return -r;
        StatsRng fill;
        stats_rng_seed(&fill, 1);
        for (size_t i = 0; i < SEQ_CHUNK / sizeof(uint64_t); i++)
                ((uint64_t *) s->buf)[i] = stats_rng_next(&fill);     /* incompressible data */
        stats_rng_seed(&s->rng, 0x6469736b);
        r = histogram_new(UINT64_C(60000000000), 3, &s->h);         /* ns, up to 60 s */
        if (r < 0)
                return r;
        /* Lay the file out once, so random reads hit allocated blocks. */
        for (uint64_t off = 0; off < s->bytes; off += SEQ_CHUNK)
                if (pwrite(s->fd, s->buf, SEQ_CHUNK, (off_t) off) != (ssize_t) SEQ_CHUNK)
                        return negative_errno();
        if (fsync(s->fd) < 0)
                return negative_errno();
        return 0;
}

typedef enum Op { OP_READ, OP_WRITE } Op;

/* Random 4 KiB operations for `seconds`; IOPS and latency percentiles into v[0..2]. */
static int random_io(DiskState *s, const ProbeConfig *cfg, Op op, double seconds, double *v) {
        histogram_reset(s->h);
        uint64_t blocks = s->bytes / BLOCK, t0 = probe_now_ns(), end = t0 + (uint64_t) (seconds * 1e9), now = t0;
        do {
                off_t off = (off_t) (stats_rng_below(&s->rng, blocks) * BLOCK);
                ssize_t n = op == OP_READ ? pread(s->fd, s->buf, BLOCK, off) : pwrite(s->fd, s->buf, BLOCK, off);
                if (n != (ssize_t) BLOCK)
                        return n < 0 ? negative_errno() : -EIO;
                uint64_t t = probe_now_ns();
                histogram_record(s->h, t - now);
                now = t;
        } while (now < end && !probe_stopped(cfg));
        v[0] = (double) histogram_count(s->h) / ((double) (now - t0) / 1e9);
        v[1] = (double) histogram_percentile(s->h, 50) / 1e3;
        v[2] = (double) histogram_percentile(s->h, 99) / 1e3;
        return 0;
}

/* Sequential pass over the file in 1 MiB chunks for at most `seconds` (wrapping); bytes per second. */
static int sequential(DiskState *s, const ProbeConfig *cfg, Op op, double seconds, double *v) {
        uint64_t t0 = probe_now_ns(), end = t0 + (uint64_t) (seconds * 1e9), bytes = 0, off = 0;
        do {
                ssize_t n = op == OP_READ ? pread(s->fd, s->buf, SEQ_CHUNK, (off_t) off)
                                          : pwrite(s->fd, s->buf, SEQ_CHUNK, (off_t) off);
                if (n != (ssize_t) SEQ_CHUNK)
                        return n < 0 ? negative_errno() : -EIO;
                bytes += SEQ_CHUNK;
                off = (off + SEQ_CHUNK) % s->bytes;
        } while (probe_now_ns() < end && !probe_stopped(cfg));
        if (op == OP_WRITE && !s->direct && fdatasync(s->fd) < 0)
                return negative_errno();
        *v = (double) bytes / ((double) (probe_now_ns() - t0) / 1e9);
        return 0;
}

/* A 4 KiB write followed by fsync, repeated; latency of the pair. */
static int fsync_latency(DiskState *s, const ProbeConfig *cfg, double seconds, double *v) {
        histogram_reset(s->h);
        uint64_t t0 = probe_now_ns(), end = t0 + (uint64_t) (seconds * 1e9), now = t0;
        do {
                off_t off = (off_t) (stats_rng_below(&s->rng, s->bytes / BLOCK) * BLOCK);
                if (pwrite(s->fd, s->buf, BLOCK, off) != (ssize_t) BLOCK || fsync(s->fd) < 0)
                        return negative_errno();
                uint64_t t = probe_now_ns();
                histogram_record(s->h, t - now);
                now = t;
        } while (now < end && !probe_stopped(cfg));
        v[0] = (double) histogram_percentile(s->h, 50) / 1e3;
        v[1] = (double) histogram_percentile(s->h, 99) / 1e3;
        return 0;
}

static int disk_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        DiskState *s = state;
        double part = cfg->duration_s / 5;
        double *v = out->values;
        int r = random_io(s, cfg, OP_READ, part, &v[M_RREAD_IOPS]);
        if (r >= 0)
                r = random_io(s, cfg, OP_WRITE, part, &v[M_RWRITE_IOPS]);
        if (r >= 0)
                r = sequential(s, cfg, OP_WRITE, part, &v[M_SEQ_WRITE]);
        if (r >= 0)
                r = sequential(s, cfg, OP_READ, part, &v[M_SEQ_READ]);
        if (r >= 0)
                r = fsync_latency(s, cfg, part, &v[M_FSYNC_P50]);
        if (r < 0)
                return r;
        out->detail = json_pack("{s:s,s:b,s:I}", "dir", s->dir, "direct", s->direct, "file_bytes", (json_int_t) s->bytes);
        return 0;
}

static void disk_teardown(void *state) {
        DiskState *s = state;
        if (s->fd >= 0)
                close(s->fd);           /* the file has no name: closing frees it */
        free(s->buf);
        free(s->dir);
        histogram_free(s->h);
}

const ProbeBackend probe_disk = {
        .name = "disk",
        .summary = "4 KiB random read/write IOPS and latency (O_DIRECT), sequential throughput, fsync latency",
        .metrics = disk_metrics,
        .n_metrics = M_COUNT,
        .primary = M_RREAD_IOPS,
        .state_size = sizeof(DiskState),
        .setup = disk_setup,
        .round = disk_round,
        .teardown = disk_teardown,
};
