/* SPDX-License-Identifier: MIT */
/* Times `bench export` and `bench import` on a history of 1000 runs x 10 metrics x 30 samples (one
 * benchmark of 10 metrics, 30 repetitions each, 3 % of the samples null): export to skytune NDJSON,
 * import into a fresh file (one transaction), import again (everything skipped), and the three
 * lossy formats. Usage: bench-export [RUNS [FILE]] (default 1000; FILE: the skytune export is
 * written there too, to time `skytune bench import FILE` as a process). Figures in docs/bench.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-export.h"

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static json_t *run_doc(int i, unsigned *seed) {
        json_t *reps = json_array(), *metrics = json_array();
        for (int k = 0; k < 30; k++)
                json_array_append_new(reps, json_integer((json_int_t) i * 1000000 + k));
        for (int m = 0; m < 10; m++) {
                json_t *samples = json_array();
                for (int k = 0; k < 30; k++)
                        json_array_append_new(
                                samples, rand_r(seed) % 100 < 3 ? json_null() : json_real(1.0 + rand_r(seed) / 1e9));
                char name[16];
                snprintf(name, sizeof(name), "m%d", m);
                json_array_append_new(metrics,
                                      json_pack("{s:s, s:s, s:b, s:o}", "name", name, "unit", "s", "higher_is_better",
                                                0, "samples", samples));
        }
        return json_pack("{s:s, s:s, s:I, s:I, s:s, s:{s:{s:s}, s:{s:s}}, s:[{s:s, s:s, s:s, s:o, s:o}]}", "suite",
                         "bench", "suite_digest", "0011223344556677", "started_us", (json_int_t) i * 1000000,
                         "finished_us", (json_int_t) i * 1000000 + 999, "skytune_version", "0.1.0", "fingerprint",
                         "hard", "cpu_model", "X", "soft", "hostname", "h", "benchmarks", "name", "b", "kind",
                         "command", "config_digest", "feedfeedfeedfeed", "repetition_started_us", reps, "metrics",
                         metrics);
}

static char *export_to(BenchHistory *h, const char *format, size_t *len, double *secs) {
        char *text = NULL;
        size_t runs;
        FILE *out = open_memstream(&text, len);
        Error e = ERROR_NULL;
        BenchExportOptions o = { .suite = "bench" };
        double t = now_s();
        if (bench_history_export(h, bench_export_format(format), &o, out, &runs, &e) < 0) {
                fprintf(stderr, "export %s: %s\n", format, error_message(&e));
                exit(1);
        }
        fclose(out);
        *secs = now_s() - t;
        return text;
}

static double import_from(BenchHistory *h, const char *text, size_t len, BenchImportCounts *n) {
        FILE *in = fmemopen((void *) text, len, "r");
        Error e = ERROR_NULL;
        double t = now_s();
        if (bench_history_import(h, in, "export", n, &e) < 0) {
                fprintf(stderr, "import: %s\n", error_message(&e));
                exit(1);
        }
        fclose(in);
        return now_s() - t;
}

int main(int argc, char **argv) {
        int runs = argc > 1 ? atoi(argv[1]) : 1000;
        char dir[] = "/tmp/bench-export-XXXXXX", a[64], b[64];
        if (!mkdtemp(dir))
                return 1;
        snprintf(a, sizeof(a), "%s/a.db", dir);
        snprintf(b, sizeof(b), "%s/b.db", dir);
        BenchHistory *ha, *hb;
        if (bench_history_open(a, &ha, NULL) < 0 || bench_history_open(b, &hb, NULL) < 0)
                return 1;
        unsigned seed = 1;
        for (int i = 1; i <= runs; i++) {
                json_t *d = run_doc(i, &seed);
                if (bench_history_add(ha, d, NULL, NULL) < 0)
                        return 1;
                json_decref(d);
        }
        size_t len, len2;
        double t_export, t_export2, t;
        char *text = export_to(ha, "skytune", &len, &t_export);
        BenchImportCounts n;
        double t_import = import_from(hb, text, len, &n), t_again = import_from(hb, text, len, &n);
        char *again = export_to(hb, "skytune", &len2, &t_export2);
        printf("%d runs x 10 metrics x 30 samples: export skytune %.0f ms (%.1f MiB), import %.0f ms, import again"
               " (all skipped: %u) %.0f ms, re-export %s\n",
               runs, t_export * 1e3, (double) len / (1 << 20), t_import * 1e3, n.runs_skipped, t_again * 1e3,
               len == len2 && memcmp(text, again, len) == 0 ? "identical" : "DIFFERS");
        FILE *keep = argc > 2 ? fopen(argv[2], "we") : NULL;
        if (argc > 2 && (!keep || fwrite(text, 1, len, keep) != len || fclose(keep) != 0))
                return 1;
        const char *formats[] = { "asv", "otava", "bencher" };
        for (int f = 0; f < 3; f++) {
                free(export_to(ha, formats[f], &len, &t));
                printf("export %s %.0f ms (%.1f MiB)\n", formats[f], t * 1e3, (double) len / (1 << 20));
        }
        free(text);
        free(again);
        bench_history_close(ha);
        bench_history_close(hb);
        unlink(a);
        unlink(b);
        return rmdir(dir) == 0 ? 0 : 1; /* the -wal and -shm went with the close */
}
