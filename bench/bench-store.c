/* SPDX-License-Identifier: MIT */
/* The monitor's store (store/tsdb.h) on a synthetic run: bytes per sample on disk, the 24-hour query
 * at 1-minute steps from the rollups and from the chunks side by side, and append throughput.
 *
 *   bench-store [--hours H] [--series N] [--chunk-s S[,S...]] [--jitter-ms J] [--rounds R]
 *               [--log-s F] [--commit seal|series] [--keep DIR]
 *
 * The series are a mix shaped like the monitor's default collectors (docs/store.md, Figures): a
 * quarter constant (drops, errors), an eighth small integers (runnable tasks), a quarter percentages
 * with two decimals and noise (CPU, memory), an eighth byte gauges that move by pages, a quarter noisy
 * rates with bursts (network and disk bytes/s). Every sample is 1 s apart, or within +-J ms of its
 * second with --jitter-ms (a daemon woken late). Each store is built once the monitor's way (flushes
 * of F seconds into the log, default 10, and a seal every hour) and once per chunk length sealed
 * without a log, on the grid and, with J > 0, jittered; then the query is timed on the monitor's
 * jittered store, rollups and chunks alternating. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "stats.h"
#include "tsdb.h"

/* 2025-12-01T00:00:00Z: whole hours, so a day's query at 1-minute steps hits the rollups. */
#define T_BASE INT64_C(1764547200000)

enum kind { K_CONST, K_SMALL, K_PERCENT, K_BYTES, K_RATE, K_KINDS };
static const struct {
        const char *name;
        int scale;
} kinds[K_KINDS] = {
        [K_CONST] = { "constant", 0 }, [K_SMALL] = { "small-int", 0 }, [K_PERCENT] = { "percent", 2 },
        [K_BYTES] = { "bytes", 0 },    [K_RATE] = { "rate", 0 },
};

/* The kind of series i of n: the shares of the header comment, cycling through 8 slots. */
static enum kind kind_of(unsigned i) {
        static const enum kind slot[8] = { K_CONST, K_PERCENT, K_RATE, K_SMALL, K_CONST, K_PERCENT, K_RATE, K_BYTES };
        return slot[i % 8];
}

typedef struct Gen {
        enum kind kind;
        StatsRng rng;
        int64_t level;
} Gen;

static int64_t gen_next(Gen *g, int64_t sec) {
        double day = sin(2 * M_PI * (double) (sec % 86400) / 86400.0);
        switch (g->kind) {
        case K_CONST: return g->level;
        case K_SMALL: return (int64_t) stats_rng_below(&g->rng, 4) + (day > 0.5 ? 2 : 0);
        case K_PERCENT: /* 20 % +- 10 % over the day, +- 0.5 % noise, in hundredths */
                return 2000 + (int64_t) (1000 * day) + (int64_t) stats_rng_below(&g->rng, 101) - 50;
        case K_BYTES: /* a few pages up or down now and then */
                if (stats_rng_below(&g->rng, 8) == 0)
                        g->level += ((int64_t) stats_rng_below(&g->rng, 65) - 32) * 4096;
                return g->level;
        default: /* ~1 MB/s +- 10 %, a 5x burst one second in 100 */
                return (int64_t) ((1e6 + 2e5 * day) * (0.9 + 0.2 * stats_rng_uniform(&g->rng)) *
                                  (stats_rng_below(&g->rng, 100) == 0 ? 5 : 1));
        }
}

/* Bytes this process has written with write(2) and friends so far (/proc/self/io wchar): SQLite's
 * WAL and checkpoints, what the store costs a disk before the page cache. */
static int64_t written_bytes(void) {
        FILE *f = fopen("/proc/self/io", "re");
        long long v = -1;
        char key[32];
        while (f && fscanf(f, "%31s %lld", key, &v) == 2 && strcmp(key, "wchar:") != 0)
                v = -1;
        if (f)
                fclose(f);
        return v;
}

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

typedef struct Opt {
        unsigned hours, series, rounds, jitter_ms, log_s;
        unsigned chunk_s[8], n_chunk;
        bool per_series;
        const char *keep;
} Opt;

typedef struct Built {
        double append_s;
        int64_t points, file_bytes, written;
        struct tsdb_tier_stats st[TSDB_TIERS];
        int64_t blob_by_kind[K_KINDS], points_by_kind[K_KINDS];
        int64_t *ids; /* of the series, in order; the caller frees */
} Built;

static int fail(const char *what, const char *path, int r) {
        fprintf(stderr, "bench-store: %s %s: %s\n", what, path, strerror(-r));
        return r;
}

/* How points reach the file: chunks of period seconds, all series of a period in one transaction (or
 * one transaction per series with --commit series); or, with log, flushes of period seconds into the
 * log and a seal at the end of every hour, as the monitor writes. */
typedef struct Mode {
        unsigned period;
        bool log;
} Mode;

static int put(struct tsdb *t, const Opt *o, Mode m, const struct tsdb_chunk_in *in, int64_t end_s) {
        if (m.log) {
                int r = tsdb_log(t, in, o->series);
                return r < 0 || end_s % 3600 ? r : tsdb_seal(t, T_BASE + end_s * 1000, NULL);
        }
        for (unsigned i = 0; i < o->series; i += o->per_series ? 1 : o->series) {
                int r = tsdb_append_chunks(t, in + i, o->per_series ? 1 : o->series);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int fill(struct tsdb *t, const char *path, const Opt *o, Mode m, unsigned jitter, Built *b) {
        unsigned chunk_s = m.period;
        int64_t *id = b->ids = calloc(o->series, sizeof(int64_t));
        _cleanup_free_ Gen *gen = calloc(o->series, sizeof(Gen));
        _cleanup_free_ struct store_point *p = calloc((size_t) o->series * chunk_s, sizeof(*p));
        _cleanup_free_ struct tsdb_chunk_in *in = calloc(o->series, sizeof(*in));
        StatsRng jit;
        if (!id || !gen || !p || !in)
                return -ENOMEM;
        stats_rng_seed(&jit, 7);
        for (unsigned i = 0; i < o->series; i++) {
                char name[64];
                gen[i].kind = kind_of(i);
                stats_rng_seed(&gen[i].rng, 1000 + i);
                gen[i].level = gen[i].kind == K_BYTES ? INT64_C(3) << 30
                        : gen[i].kind == K_CONST      ? (int64_t) (i % 3)
                                                      : 0;
                snprintf(name, sizeof(name), "bench.%s.%u", kinds[gen[i].kind].name, i);
                int r = tsdb_series(t, name, kinds[gen[i].kind].scale, &id[i]);
                if (r < 0)
                        return fail("series in", path, r);
        }
        int64_t total = (int64_t) o->hours * 3600;
        double t0 = now_s();
        int64_t w0 = written_bytes();
        for (int64_t s0 = 0; s0 < total; s0 += chunk_s) {
                size_t n = (size_t) (total - s0 < chunk_s ? total - s0 : chunk_s);
                for (unsigned i = 0; i < o->series; i++) {
                        struct store_point *q = p + (size_t) i * chunk_s;
                        for (size_t k = 0; k < n; k++) {
                                int64_t sec = s0 + (int64_t) k;
                                int64_t d = jitter ? (int64_t) stats_rng_below(&jit, 2 * jitter + 1) - jitter : 0;
                                q[k] = (struct store_point) { T_BASE + sec * 1000 + d, gen_next(&gen[i], sec) };
                        }
                        in[i] = (struct tsdb_chunk_in) { id[i], q, n };
                        uint8_t *blob;
                        size_t len;
                        if (!m.log && chunk_encode(q, n, &blob, &len) == 0) { /* the blob's size, per kind */
                                b->blob_by_kind[gen[i].kind] += (int64_t) len;
                                b->points_by_kind[gen[i].kind] += (int64_t) n;
                                free(blob);
                        }
                }
                int r = put(t, o, m, in, s0 + (int64_t) n);
                if (r < 0)
                        return fail("append to", path, r);
        }
        b->append_s = now_s() - t0;
        b->written = written_bytes() - w0;
        b->points = total * o->series;
        return 0;
}

static int build(const char *path, const Opt *o, Mode m, unsigned jitter, Built *b, struct tsdb **ret) {
        struct tsdb *t;
        unlink(path);
        int r = tsdb_open(path, &t, NULL);
        if (r < 0)
                return fail("open", path, r);
        *b = (Built) {};
        r = fill(t, path, o, m, jitter, b);
        if (r == 0 && (r = tsdb_checkpoint(t)) < 0)
                fail("checkpoint", path, r);
        if (r == 0 && (r = tsdb_stats(t, b->st)) < 0)
                fail("stats of", path, r);
        struct stat sb;
        if (r == 0 && stat(path, &sb) < 0)
                r = fail("stat", path, -errno);
        if (r < 0) {
                tsdb_close(t);
                free(b->ids);
                b->ids = NULL;
                return r;
        }
        b->file_bytes = sb.st_size;
        *ret = t;
        return 0;
}

static void print_built(const Opt *o, Mode m, unsigned jitter, const Built *b) {
        double pts = (double) b->points;
        if (m.log)
                printf("  log %3us, seal 1 h", m.period);
        else
                printf("  chunk %6us     ", m.period);
        printf("  jitter %2ums  %7.3f B/sample chunks  %7.3f B/sample file  (%.1f MB, %lld chunks, "
               "%lld r1m, %lld r1h rows)  append %.2f M samples/s, %.0f MB written a day\n",
               jitter, (double) b->st[TSDB_TIER_CHUNK].blob_bytes / pts, (double) b->file_bytes / pts,
               (double) b->file_bytes / 1e6, (long long) b->st[TSDB_TIER_CHUNK].rows,
               (long long) b->st[TSDB_TIER_R1M].rows, (long long) b->st[TSDB_TIER_R1H].rows, pts / b->append_s / 1e6,
               (double) b->written / 1e6 * 24 / o->hours);
}

static void print_kinds(const Built *b) {
        printf("    blob bytes per sample by kind:");
        for (int k = 0; k < K_KINDS; k++)
                if (b->points_by_kind[k])
                        printf(" %s %.3f", kinds[k].name, (double) b->blob_by_kind[k] / (double) b->points_by_kind[k]);
        printf("\n");
}

static int count_bucket(const struct tsdb_bucket *bk, void *userdata) {
        (void) bk;
        ++*(size_t *) userdata;
        return 0;
}

/* One pass over all series: ms per series, and the buckets seen. */
static int query_pass(struct tsdb *t, const Opt *o, const int64_t *ids, unsigned flags, double *ms, size_t *buckets) {
        int64_t from = T_BASE + (int64_t) (o->hours > 24 ? o->hours - 24 : 0) * TSDB_HOUR_MS;
        int64_t to = from + (o->hours < 24 ? o->hours : 24) * TSDB_HOUR_MS;
        *buckets = 0;
        double t0 = now_s();
        for (unsigned i = 0; i < o->series; i++) {
                int r = tsdb_query(t, ids[i], from, to, TSDB_MINUTE_MS, flags, count_bucket, buckets);
                if (r < 0)
                        return fail("query", "store", r);
        }
        *ms = (now_s() - t0) * 1e3 / o->series;
        return 0;
}

static int time_queries(struct tsdb *t, const Opt *o, const int64_t *ids) {
        _cleanup_free_ double *ru = calloc(o->rounds, sizeof(double));
        _cleanup_free_ double *ch = calloc(o->rounds, sizeof(double));
        size_t n_ru = 0, n_ch = 0;
        if (!ru || !ch)
                return -ENOMEM;
        for (unsigned k = 0; k < o->rounds; k++) { /* A B A B */
                int r = query_pass(t, o, ids, 0, &ru[k], &n_ru);
                if (r == 0)
                        r = query_pass(t, o, ids, TSDB_QUERY_CHUNKS, &ch[k], &n_ch);
                if (r < 0)
                        return r;
        }
        if (n_ru != n_ch) {
                fprintf(stderr, "bench-store: rollups gave %zu buckets, chunks %zu\n", n_ru, n_ch);
                return -EPROTO;
        }
        double m_ru = stats_median(ru, o->rounds), m_ch = stats_median(ch, o->rounds);
        printf("query %uh at 1-min steps (%zu buckets per series), median of %u rounds A B A B:\n",
               o->hours < 24 ? o->hours : 24, n_ru / o->series, o->rounds);
        printf("  rollups %7.3f ms per series, %7.2f ms for 10 series (target <= 20 ms per query)\n", m_ru, 10 * m_ru);
        printf("  chunks  %7.3f ms per series, %7.2f ms for 10 series (decoding %.1fx the rollups)\n", m_ch, 10 * m_ch,
               m_ch / m_ru);
        return 0;
}

static int parse(int argc, char **argv, Opt *o) {
        static const struct option opts[] = {
                { "hours", required_argument, NULL, 'H' },   { "series", required_argument, NULL, 'n' },
                { "chunk-s", required_argument, NULL, 'c' }, { "jitter-ms", required_argument, NULL, 'j' },
                { "rounds", required_argument, NULL, 'r' },  { "keep", required_argument, NULL, 'k' },
                { "commit", required_argument, NULL, 'C' },  { "log-s", required_argument, NULL, 'l' },
                { "help", no_argument, NULL, 'h' },          {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "H:n:c:j:r:k:C:l:h", opts, NULL)) != -1)
                switch (c) {
                case 'H': o->hours = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'n': o->series = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'c':
                        o->n_chunk = 0;
                        for (char *s = optarg; *s && o->n_chunk < ELEMENTSOF(o->chunk_s); s += *s == ',')
                                o->chunk_s[o->n_chunk++] = (unsigned) strtoul(s, &s, 10);
                        break;
                case 'j': o->jitter_ms = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'r': o->rounds = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'k': o->keep = optarg; break;
                case 'l': o->log_s = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'C':
                        if (strcmp(optarg, "series") != 0 && strcmp(optarg, "seal") != 0)
                                return -EINVAL;
                        o->per_series = strcmp(optarg, "series") == 0;
                        break;
                case 'h':
                        printf("usage: bench-store [--hours H] [--series N] [--chunk-s S[,S...]] [--jitter-ms J] "
                               "[--rounds R] [--log-s F] [--commit seal|series] [--keep DIR]\n");
                        exit(0);
                default: return -EINVAL;
                }
        for (unsigned i = 0; i < o->n_chunk; i++)
                if (o->chunk_s[i] == 0 || o->chunk_s[i] > CHUNK_MAX_POINTS)
                        return -EINVAL;
        if (o->log_s == 0 || 3600 % o->log_s != 0)
                return -EINVAL;
        if (o->hours == 0 || o->series == 0 || o->rounds == 0 || o->n_chunk == 0 || o->jitter_ms > 499)
                return -EINVAL;
        return 0;
}

static void remove_store(const char *path) {
        char side[PATH_MAX + 8];
        unlink(path);
        snprintf(side, sizeof(side), "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", path);
        unlink(side);
}

int main(int argc, char **argv) {
        Opt o = { .hours = 24,
                  .series = 16,
                  .rounds = 9,
                  .jitter_ms = 3,
                  .log_s = 10,
                  .chunk_s = { 3600, 900, 300, 60 },
                  .n_chunk = 4 };
        if (parse(argc, argv, &o) < 0) {
                fprintf(stderr,
                        "bench-store: bad arguments (chunk 1..%d s, log a divisor of 3600 s, jitter 0..499 ms, others "
                        "> 0); see --help\n",
                        CHUNK_MAX_POINTS);
                return 2;
        }
        char dir[] = "/tmp/bench-store.XXXXXX", path[PATH_MAX];
        if (!o.keep && !mkdtemp(dir)) {
                perror("bench-store: mkdtemp");
                return 1;
        }
        snprintf(path, sizeof(path), "%s/tsdb.sqlite", o.keep ? o.keep : dir);
        printf("bench-store: %u series x %u h at 1 s (%.2f M samples per store), %s\n", o.series, o.hours,
               (double) o.series * o.hours * 3600 / 1e6, path);
        /* The monitor's way first, then sealing every period without a log. */
        Mode modes[1 + ELEMENTSOF(o.chunk_s)] = { { o.log_s, true } };
        for (unsigned i = 0; i < o.n_chunk; i++)
                modes[1 + i] = (Mode) { o.chunk_s[i], false };
        int r = 0;
        for (unsigned i = 0; i < 1 + o.n_chunk && r == 0; i++)
                for (unsigned pass = 0; pass < (o.jitter_ms ? 2u : 1u) && r == 0; pass++) {
                        unsigned jitter = pass ? o.jitter_ms : 0;
                        Built b;
                        struct tsdb *t;
                        r = build(path, &o, modes[i], jitter, &b, &t);
                        if (r < 0)
                                break;
                        print_built(&o, modes[i], jitter, &b);
                        if (i == 1 && pass == 0)
                                print_kinds(&b);
                        tsdb_close(t);
                        free(b.ids);
                        remove_store(path);
                }
        /* The query runs on the monitor's way, jittered: what a daemon's file holds. */
        struct tsdb *t;
        Built b;
        if (r == 0 && (r = build(path, &o, modes[0], o.jitter_ms, &b, &t)) == 0) {
                r = time_queries(t, &o, b.ids);
                tsdb_close(t);
                free(b.ids);
        }
        if (!o.keep) {
                remove_store(path);
                rmdir(dir);
        }
        return r < 0 ? 1 : 0;
}
