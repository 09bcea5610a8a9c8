/* SPDX-License-Identifier: MIT */
/* common/hdr-codec: the HdrHistogram V2 compressed encoding, byte for byte against the format, round
 * trips, damaged input, and the interval log's lines. (tests/integration/test-hdr-java.sh proves it
 * with HdrHistogram's own Java library.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base64.h"
#include "hdr-codec.h"
#include "macro.h"
#include "stats.h"
#include "support.h"

static uint32_t be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* The plain encoding inside text (outer header checked). */
static uint8_t *inner(const char *text, size_t *ret_len) {
        uint8_t *raw;
        size_t n;
        assert_int_equal(base64_decode(text, &raw, &n), 0);
        assert_true(n > 8);
        assert_int_equal(be32(raw), 0x1c849314);
        assert_int_equal(be32(raw + 4), n - 8);
        uLongf len = 1 << 20;
        uint8_t *out = malloc(len);
        assert_int_equal(uncompress(out, &len, raw + 8, n - 8), Z_OK);
        free(raw);
        *ret_len = len;
        return out;
}

static void test_bytes_as_the_format_says(void **state) {
        Histogram *h;
        assert_int_equal(histogram_new(UINT64_C(3600000000), 3, &h), 0);
        histogram_record(h, 1);
        histogram_record_n(h, 5000, 2);
        char *text;
        assert_int_equal(hdr_encode(h, &text), 0);
        assert_true(strncmp(text, "HISTFAAA", 8) == 0);
        size_t n;
        uint8_t *p = inner(text, &n);
        /* Header: cookie, payload length, offset 0, 3 digits, lowest 1, highest, 1.0. */
        static const uint8_t header[40] = {
                0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 3,
                0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xd6, 0x93, 0xa4, 0x00,
                0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
        };
        assert_int_equal(n, 45);
        assert_memory_equal(p, header, 40);
        /* Index 0 empty (a lone zero is 0), index 1 once (zig-zag 2), 3296 empty buckets up to 5000's
         * index 3298 (zig-zag of -3296 = 6591 = 0x3f | 0x33 << 7), then 2 (zig-zag 4). */
        static const uint8_t payload[] = { 0x00, 0x02, 0xbf, 0x33, 0x04 };
        assert_memory_equal(p + 40, payload, sizeof(payload));
        assert_int_equal(histogram_bucket_index(h, 5000), 3298);
        free(p);
        free(text);
        histogram_free(h);
}

static void test_round_trip(void **state) {
        const unsigned digits[] = { 1, 2, 3, 5 };
        for (size_t d = 0; d < sizeof(digits) / sizeof(digits[0]); d++) {
                Histogram *h, *back;
                assert_int_equal(histogram_new(UINT64_C(3600000000), digits[d], &h), 0);
                StatsRng r;
                stats_rng_seed(&r, 7 + d);
                for (int i = 0; i < 20000; i++)
                        histogram_record(h, (uint64_t) exp(stats_rng_uniform(&r) * log(5e9)));
                histogram_record_n(h, 0, 3);
                char *text;
                assert_int_equal(hdr_encode(h, &text), 0);
                assert_int_equal(hdr_decode(text, &back), 0);
                assert_int_equal(histogram_buckets(back), histogram_buckets(h));
                assert_int_equal(histogram_count(back), histogram_count(h));
                for (size_t i = 0; i < histogram_buckets(h); i++)
                        assert_int_equal(histogram_bucket(back, i, NULL, NULL), histogram_bucket(h, i, NULL, NULL));
                /* Percentiles land in the same bucket; max is the top of the max's bucket, capped. */
                const double ps[] = { 50, 90, 99, 99.9 };
                for (size_t i = 0; i < 4; i++)
                        assert_int_equal(histogram_highest_equivalent(back, histogram_percentile(back, ps[i])),
                                         histogram_highest_equivalent(h, histogram_percentile(h, ps[i])));
                assert_int_equal(histogram_max(back), MIN(histogram_highest_equivalent(h, histogram_max(h)), histogram_highest(h)));
                assert_int_equal(histogram_min(back), 0);
                free(text);
                histogram_free(h);
                histogram_free(back);
        }
}

static void test_empty(void **state) {
        Histogram *h, *back;
        assert_int_equal(histogram_new(1000, 2, &h), 0);
        char *text;
        assert_int_equal(hdr_encode(h, &text), 0);
        assert_int_equal(hdr_decode(text, &back), 0);
        assert_int_equal(histogram_count(back), 0);
        assert_int_equal(histogram_highest(back), 1000);
        free(text);
        histogram_free(h);
        histogram_free(back);
}

static char *reencode(const uint8_t *plain, size_t n) {
        uLongf zlen = compressBound(n);
        uint8_t *out = malloc(8 + zlen);
        assert_int_equal(compress(out + 8, &zlen, plain, n), Z_OK);
        memcpy(out, "\x1c\x84\x93\x14", 4);
        out[4] = (uint8_t) (zlen >> 24), out[5] = (uint8_t) (zlen >> 16), out[6] = (uint8_t) (zlen >> 8), out[7] = (uint8_t) zlen;
        char *t = base64_encode(out, 8 + zlen);
        free(out);
        return t;
}

static void test_damaged_input(void **state) {
        Histogram *h = NULL;
        const char *bad[] = { "", "HIST", "HISTFAAA", "not base64!", "AAAAAAAAAAAA", "HISTFAAAAEV42pNpmSz" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_true(hdr_decode(bad[i], &h) < 0);
        /* A good encoding with its header changed: wrong inner cookie, too many digits, a payload
         * length past the end, highest below twice the lowest, a count run past any index. */
        Histogram *src;
        assert_int_equal(histogram_new(100000, 3, &src), 0);
        histogram_record(src, 42);
        char *text;
        assert_int_equal(hdr_encode(src, &text), 0);
        size_t n;
        uint8_t *p = inner(text, &n);
        const struct { size_t at; uint8_t v; } edits[] = { { 3, 0x55 }, { 15, 9 }, { 7, 200 }, { 31, 1 }, { 27, 0 } };
        for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
                uint8_t *copy = malloc(n);
                memcpy(copy, p, n);
                copy[edits[i].at] = edits[i].v;
                if (edits[i].at == 31)
                        memset(copy + 24, 0, 7);        /* highest 1 */
                if (edits[i].at == 27)
                        memset(copy + 24, 0, 8);        /* highest 0 */
                char *t = reencode(copy, n);
                assert_true(hdr_decode(t, &h) < 0);
                free(t);
                free(copy);
        }
        /* A run of -2^62 empty buckets, then a count. */
        uint8_t runaway[40 + 10];
        memcpy(runaway, p, 40);
        runaway[7] = 10;
        memcpy(runaway + 40, "\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x02", 10);
        char *t = reencode(runaway, sizeof(runaway));
        assert_true(hdr_decode(t, &h) < 0);
        free(t);
        /* Two counts of 2^62: a total HdrHistogram cannot hold (found by fuzz-hdr). */
        uint8_t big[40 + 18];
        memcpy(big, p, 40);
        big[7] = 18;
        memset(big + 40, 0x80, 18);
        t = reencode(big, sizeof(big));
        assert_true(hdr_decode(t, &h) < 0);
        free(t);
        big[7] = 9;
        t = reencode(big, 40 + 9);      /* one of them decodes */
        assert_int_equal(hdr_decode(t, &h), 0);
        assert_int_equal(histogram_count(h), UINT64_C(1) << 62);
        histogram_free(h);
        free(t);
        /* A truncated zlib stream. */
        text[strlen(text) - 8] = 0;
        assert_true(hdr_decode(text, &h) < 0);
        free(text);
        free(p);
        histogram_free(src);
}

static void test_interval_log(void **state) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        Histogram *h;
        assert_int_equal(histogram_new(UINT64_C(3600000000), 3, &h), 0);
        histogram_record(h, 1500);
        assert_int_equal(hdrlog_begin(f, 1764709200.25), 0);
        assert_int_equal(hdrlog_interval(f, 1, 1, h, "get home,x"), 0);
        assert_int_equal(hdrlog_interval(f, 2, 1, h, NULL), 0);
        fclose(f);
        char *text;
        assert_int_equal(hdr_encode(h, &text), 0);
        char *want;
        assert_true(asprintf(&want,
                             "#[Histogram log format version 1.3]\n"
                             "#[StartTime: 1764709200.250 (seconds since epoch), Tue Dec 02 21:00:00 UTC 2025]\n"
                             "#[BaseTime: 1764709200.250 (seconds since epoch)]\n"
                             "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
                             "Tag=get_home_x,1.000,1.000,1.500,%s\n"
                             "2.000,1.000,1.500,%s\n", text, text) > 0);
        assert_string_equal(buf, want);
        free(want);
        free(text);
        free(buf);
        histogram_free(h);
}

/* The fixtures' "hdr" fields come from an encoder of their own (tests/fixtures/load/gen-load-doc.py):
 * each decodes to the count and, bucket for bucket, the percentiles its summary states. */
static void test_fixture_documents(void **state) {
        const char *names[] = { "pass", "fail", "spike" };
        for (size_t k = 0; k < 3; k++) {
                char path[512];
                snprintf(path, sizeof(path), "%s/load/%s.json", SKYTUNE_FIXTURES, names[k]);
                json_t *doc = json_load_file(path, 0, NULL);
                assert_non_null(doc);
                json_t *sums[] = { json_object_get(doc, "total"),
                                   json_object_get(json_array_get(json_object_get(doc, "steps"), 0), "summary") };
                for (size_t i = 0; i < 2; i++) {
                        Histogram *h;
                        assert_int_equal(hdr_decode(json_string_value(json_object_get(sums[i], "hdr")), &h), 0);
                        json_t *lat = json_object_get(sums[i], "latency_us");
                        assert_int_equal(histogram_count(h), json_integer_value(json_object_get(lat, "count")));
                        const char *ps[] = { "p50", "p90", "p99", "p99.9" };
                        for (size_t j = 0; j < 4; j++) {
                                uint64_t want = (uint64_t) json_integer_value(json_object_get(lat, ps[j]));
                                assert_int_equal(histogram_highest_equivalent(h, histogram_percentile(h, atof(ps[j] + 1))),
                                                 histogram_highest_equivalent(h, want));
                        }
                        histogram_free(h);
                }
                json_decref(doc);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bytes_as_the_format_says), cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_empty),                    cmocka_unit_test(test_damaged_input),
                cmocka_unit_test(test_interval_log),             cmocka_unit_test(test_fixture_documents),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
