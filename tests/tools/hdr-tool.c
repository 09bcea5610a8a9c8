/* SPDX-License-Identifier: MIT */
/* The C side of tests/integration/test-hdr-java.sh:
 *   hdr-tool write LOG   writes an interval log (3 intervals, tags step1 and total) with skytune's
 *                        codec and prints each interval's figures
 *   hdr-tool read LOG    decodes every interval of a log (HdrHistogram's Java writer's) and prints them
 * One line per interval: TAG START COUNT P50 P90 P99 P99.9 MAX, values as HdrHistogram reports them
 * (the highest value of their bucket), so both sides print the same text for the same histograms. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdr-codec.h"

#define START_EPOCH 1764709200.0

static void print(const char *tag, double start, const Histogram *h) {
        printf("%s %.0f %" PRIu64, tag ? tag : "-", start, histogram_count(h));
        const double ps[] = { 50, 90, 99, 99.9, 100 };
        for (size_t i = 0; i < 5; i++)
                printf(" %" PRIu64, histogram_highest_equivalent(h, histogram_percentile(h, ps[i])));
        putchar('\n');
}

static int write_log(const char *path) {
        FILE *f = fopen(path, "we");
        if (!f || hdrlog_begin(f, START_EPOCH) < 0)
                return 1;
        uint64_t x = 12345;
        for (int i = 0; i < 3; i++)
                for (int t = 0; t < 2; t++) {
                        Histogram *h;
                        if (histogram_new(UINT64_C(3600000000), 3, &h) < 0)
                                return 1;
                        int n = 1003 + 131 * i + 53 * t;
                        for (int k = 0; k < n; k++) {
                                x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
                                histogram_record(h, 1 + (x >> 33) % (t ? 5000000 : 200000));
                        }
                        const char *tag = t ? "total" : "step1";
                        if (hdrlog_interval(f, i, 1, h, tag) < 0)
                                return 1;
                        print(tag, i, h);
                        histogram_free(h);
                }
        return fclose(f) == 0 ? 0 : 1;
}

static int read_log(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return 1;
        char *line = NULL;
        size_t cap = 0;
        int rc = 0;
        double start_time = 0;
        for (ssize_t n; (n = getline(&line, &cap, f)) > 0;) {
                line[strcspn(line, "\r\n")] = 0;
                if (strncmp(line, "#[StartTime: ", 13) == 0)
                        start_time = strtod(line + 13, NULL);
                if (line[0] == '#' || line[0] == '"' || !line[0])
                        continue;
                char *p = line, *tag = NULL;
                if (strncmp(p, "Tag=", 4) == 0) {
                        tag = p + 4;
                        p = strchr(p, ',');
                        if (!p)
                                return 1;
                        *p++ = 0;
                }
                /* Absolute times (HistogramLogWriter without a base time) shown from the start, as
                 * HistogramLogReader decides: a time within a year of the start is absolute. */
                double start = strtod(p, NULL);
                if (start > start_time - 365 * 86400.0)
                        start -= start_time;
                for (int k = 0; k < 3 && p; k++)
                        if ((p = strchr(p, ',')))
                                p++;
                Histogram *h;
                if (!p || hdr_decode(p, &h) < 0) {
                        fprintf(stderr, "hdr-tool: cannot decode: %s\n", line);
                        rc = 1;
                        continue;
                }
                print(tag, start, h);
                histogram_free(h);
        }
        free(line);
        fclose(f);
        return rc;
}

int main(int argc, char **argv) {
        if (argc != 3)
                return 2;
        return strcmp(argv[1], "write") == 0 ? write_log(argv[2]) : read_log(argv[2]);
}
