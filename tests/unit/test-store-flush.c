/* SPDX-License-Identifier: MIT */
/* store/chunk-codec's flush blobs (the log's rows): several series round trip, one series is read
 * alone with the others skipped, and damaged framing (every truncation, trailing bytes, an id that
 * does not increase, lengths beyond the blob) is refused with -EBADMSG; bad parts are refused at
 * encoding. */
#include <stdlib.h>
#include <string.h>

#include "chunk-codec.h"
#include "macro.h"
#include "support.h"

#define PARTS 5
#define N 10

struct seen {
        int64_t series[PARTS + 1];
        struct store_point p[PARTS + 1][N];
        size_t n[PARTS + 1], parts;
};

static int collect(int64_t series, const struct store_point *p, size_t n, void *userdata) {
        struct seen *s = userdata;
        if (s->parts > PARTS || n > N)
                return -E2BIG;
        s->series[s->parts] = series;
        memcpy(s->p[s->parts], p, n * sizeof(*p));
        s->n[s->parts++] = n;
        return 0;
}

static void make(struct store_point p[PARTS][N], struct flush_part *parts) {
        const int64_t ids[PARTS] = { 1, 2, 7, 300, INT64_C(1) << 40 };
        for (int s = 0; s < PARTS; s++) {
                for (int i = 0; i < N; i++)
                        p[s][i] = (struct store_point){ INT64_C(1700000000000) + 1000 * i + (s * i) % 3,
                                                        s == 4 ? INT64_MIN + i : (int64_t) (s * 1000 - i * 77) };
                parts[s] = (struct flush_part){ ids[s], p[s], (size_t) (s == 2 ? 1 : N) };
        }
}

/* The five parts, encoded. */
static uint8_t *make_blob(struct store_point p[PARTS][N], struct flush_part *parts, size_t *ret_len) {
        uint8_t *blob;
        make(p, parts);
        assert_int_equal(flush_encode(parts, PARTS, &blob, ret_len), 0);
        return blob;
}

static void test_round_trip_and_one_series(void **state) {
        struct store_point p[PARTS][N];
        struct flush_part parts[PARTS];
        size_t len;
        uint8_t *blob = make_blob(p, parts, &len);
        struct seen all = { 0 };
        assert_int_equal(flush_decode(blob, len, 0, collect, &all), 0);
        assert_int_equal(all.parts, PARTS);
        for (int s = 0; s < PARTS; s++) {
                assert_int_equal(all.series[s], parts[s].series);
                assert_int_equal(all.n[s], parts[s].n);
                assert_memory_equal(all.p[s], parts[s].p, parts[s].n * sizeof(struct store_point));
        }
        struct seen one = { 0 }, none = { 0 };
        assert_int_equal(flush_decode(blob, len, 300, collect, &one), 0);
        assert_int_equal(one.parts, 1);
        assert_int_equal(one.series[0], 300);
        assert_memory_equal(one.p[0], p[3], N * sizeof(struct store_point));
        assert_int_equal(flush_decode(blob, len, 3, collect, &none), 0);
        assert_int_equal(none.parts, 0);
        free(blob);
}

static void test_damaged(void **state) {
        struct store_point p[PARTS][N];
        struct flush_part parts[PARTS];
        size_t len;
        uint8_t *blob = make_blob(p, parts, &len);
        struct seen s;
        for (size_t cut = 0; cut < len; cut++) {
                memset(&s, 0, sizeof(s));
                assert_int_equal(flush_decode(blob, cut, 0, collect, &s), -EBADMSG);
                memset(&s, 0, sizeof(s));
                assert_int_equal(flush_decode(blob, cut, 300, collect, &s), -EBADMSG);
        }
        uint8_t *more = malloc(len + 1);
        memcpy(more, blob, len);
        more[len] = 0;
        memset(&s, 0, sizeof(s));
        assert_int_equal(flush_decode(more, len + 1, 0, collect, &s), -EBADMSG);
        /* The second part's id delta (after codec, count, id 1, n, len, its stream) made 0. */
        memcpy(more, blob, len);
        size_t second = 1 + 1 + 1 + 1 + 1 + more[4];
        assert_int_equal(more[second], 1);
        more[second] = 0;
        memset(&s, 0, sizeof(s));
        assert_int_equal(flush_decode(more, len, 0, collect, &s), -EBADMSG);
        /* A stream length beyond the blob. */
        memcpy(more, blob, len);
        more[4] = 0x7f;
        memset(&s, 0, sizeof(s));
        assert_int_equal(flush_decode(more, len, 0, collect, &s), -EBADMSG);
        more[0] = CHUNK_CODEC_DELTA_ZLIB;
        assert_int_equal(flush_decode(more, len, 0, collect, &s), -EBADMSG);
        free(more);
        free(blob);
}

static void test_encode_refuses(void **state) {
        struct store_point p[PARTS][N];
        struct flush_part parts[PARTS];
        make(p, parts);
        uint8_t *blob;
        size_t len;
        struct flush_part swapped[2] = { parts[1], parts[0] }, zero[1] = { parts[0] }, empty[1] = { parts[0] };
        assert_int_equal(flush_encode(swapped, 2, &blob, &len), -EINVAL);
        zero[0].series = 0;
        assert_int_equal(flush_encode(zero, 1, &blob, &len), -EINVAL);
        empty[0].n = 0;
        assert_int_equal(flush_encode(empty, 1, &blob, &len), -EINVAL);
        assert_int_equal(flush_encode(parts, 0, &blob, &len), -EINVAL);
        struct store_point back[2] = { { 5, 1 }, { 5, 2 } }, neg[1] = { { -1, 1 } };
        assert_int_equal(flush_encode(&(struct flush_part){ 1, back, 2 }, 1, &blob, &len), -EINVAL);
        assert_int_equal(flush_encode(&(struct flush_part){ 1, neg, 1 }, 1, &blob, &len), -EINVAL);
}

/* The reader a seal keeps a row: parts come in id order, one not asked for stays for its own series,
 * and a truncated or overlong blob is refused by the time its last part is read. */
static void test_reader(void **state) {
        struct store_point p[PARTS][N];
        struct flush_part parts[PARTS];
        size_t len;
        uint8_t *blob = make_blob(p, parts, &len);
        struct flush_reader rd;
        struct seen s = { 0 };
        assert_int_equal(flush_reader_init(&rd, blob, len), 0);
        assert_int_equal(flush_next(&rd, 2, collect, &s), 0); /* the next is 1's */
        assert_int_equal(s.parts, 0);
        for (int i = 0; i < PARTS; i++) {
                assert_int_equal(flush_next(&rd, parts[i].series + 1, collect, &s), 0);
                assert_int_equal(flush_next(&rd, parts[i].series, collect, &s), 1);
                assert_int_equal(s.series[i], parts[i].series);
                assert_memory_equal(s.p[i], parts[i].p, parts[i].n * sizeof(struct store_point));
        }
        assert_int_equal(flush_next(&rd, 0, collect, &s), 0);
        assert_int_equal(s.parts, PARTS);
        uint8_t *more = malloc(len + 1);
        memcpy(more, blob, len);
        more[len] = 0;
        for (size_t cut = 1; cut <= len + 1; cut++) {
                if (cut == len)
                        continue;
                int r = flush_reader_init(&rd, more, cut);
                memset(&s, 0, sizeof(s));
                while (r == 0 && (r = flush_next(&rd, 0, collect, &s)) == 1)
                        r = 0;
                assert_int_equal(r, -EBADMSG);
        }
        free(more);
        free(blob);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip_and_one_series),
                cmocka_unit_test(test_damaged),
                cmocka_unit_test(test_encode_refuses),
                cmocka_unit_test(test_reader),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
