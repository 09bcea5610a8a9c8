/* SPDX-License-Identifier: MIT */
/* store/chunk-codec: round trips (regular grid, jitter, extremes, empty), the size a regular grid
 * takes, and damaged blobs (truncated, every single bit flipped, trailing bytes, oversized
 * headers) refused with -EBADMSG. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "chunk-codec.h"
#include "macro.h"
#include "support.h"

static void round_trip(const struct store_point *p, size_t n) {
        uint8_t *blob;
        size_t len, m;
        struct store_point *q;
        assert_int_equal(chunk_encode(p, n, &blob, &len), 0);
        assert_int_equal(chunk_decode(blob, len, &q, &m), 0);
        assert_int_equal(m, n);
        assert_int_equal(chunk_peek(blob, len, &m), 0);
        assert_int_equal(m, n);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(q[i].t_ms, p[i].t_ms);
                assert_int_equal(q[i].v, p[i].v);
        }
        free(q);
        free(blob);
}

static size_t encoded_len(const struct store_point *p, size_t n) {
        uint8_t *blob;
        size_t len;
        assert_int_equal(chunk_encode(p, n, &blob, &len), 0);
        free(blob);
        return len;
}

static void test_regular_grid(void **state) {
        struct store_point p[600];
        for (size_t i = 0; i < 600; i++)
                p[i] = (struct store_point){ 1700000000000 + 1000 * (int64_t) i, 4200 };
        round_trip(p, 600);
        /* A constant on an exact grid: zeros, deflated to a few dozen bytes. */
        assert_true(encoded_len(p, 600) < 40);
}

static void test_jitter_and_noise(void **state) {
        struct store_point p[600];
        srand(7);
        for (size_t i = 0; i < 600; i++)
                p[i] = (struct store_point){ 1700000000000 + 1000 * (int64_t) i + rand() % 7 - 3, rand() % 2000 - 1000 };
        round_trip(p, 600);
        assert_true(encoded_len(p, 600) < 600 * 4);
}

static void test_extremes(void **state) {
        const struct store_point p[] = {
                { INT64_MIN, INT64_MAX }, { INT64_MIN + 1, INT64_MIN }, { 0, INT64_MAX },
                { 1, 0 },                { INT64_MAX - 1, INT64_MIN }, { INT64_MAX, -1 },
        };
        round_trip(p, ELEMENTSOF(p));
        round_trip(p + 5, 1);
}

static void test_empty(void **state) {
        round_trip(NULL, 0);
}

static void test_encode_refuses(void **state) {
        const struct store_point same[] = { { 5, 1 }, { 5, 2 } }, back[] = { { 5, 1 }, { 4, 2 } };
        uint8_t *blob;
        size_t len;
        assert_int_equal(chunk_encode(same, 2, &blob, &len), -EINVAL);
        assert_int_equal(chunk_encode(back, 2, &blob, &len), -EINVAL);
        assert_int_equal(chunk_encode(same, CHUNK_MAX_POINTS + 1, &blob, &len), -EINVAL);
}

static void assert_refused(const uint8_t *blob, size_t len) {
        struct store_point *q = (struct store_point *) 1;
        size_t m = 12345;
        assert_int_equal(chunk_decode(blob, len, &q, &m), -EBADMSG);
        assert_ptr_equal(q, (struct store_point *) 1);
        assert_int_equal(m, 12345);
}

static void test_damaged(void **state) {
        struct store_point p[50];
        for (size_t i = 0; i < 50; i++)
                p[i] = (struct store_point){ 1000 * (int64_t) i + (int64_t) (i % 3), (int64_t) (i * i) };
        uint8_t *blob;
        size_t len;
        assert_int_equal(chunk_encode(p, 50, &blob, &len), 0);
        for (size_t cut = 0; cut < len; cut++)
                assert_refused(blob, cut);
        for (size_t bit = 0; bit < len * 8; bit++) {
                blob[bit / 8] ^= (uint8_t) (1u << (bit % 8));
                assert_refused(blob, len);
                blob[bit / 8] ^= (uint8_t) (1u << (bit % 8));
        }
        uint8_t *longer = malloc(len + 1);
        memcpy(longer, blob, len);
        longer[len] = 0;
        assert_refused(longer, len + 1);
        free(longer);
        free(blob);
}

/* Headers that promise more than the caps, or a stream that inflates past its stated length. */
static void test_oversized(void **state) {
        const uint8_t too_many[] = { CHUNK_CODEC_DELTA_ZLIB, 0x81, 0x80, 0x04, 0x02 }; /* n = 65537 */
        assert_refused(too_many, sizeof(too_many));
        const uint8_t overlong[] = { CHUNK_CODEC_DELTA_ZLIB, 0x81, 0x00, 0x02 }; /* n = 1 in two bytes */
        assert_refused(overlong, sizeof(overlong));
        uint8_t raw[100] = { 0 }, blob[200] = { CHUNK_CODEC_DELTA_ZLIB, 1, 2 };
        uLongf zlen = sizeof(blob) - 3;
        assert_int_equal(compress(blob + 3, &zlen, raw, sizeof(raw)), Z_OK);
        assert_refused(blob, 3 + zlen);
        /* Timestamps that go back (a delta of -1 after the first point) are refused as well. */
        const uint8_t back_raw[] = { 0x04, 0x00, 0x03, 0x00 };
        zlen = sizeof(blob) - 3;
        blob[1] = 2;
        blob[2] = 4;
        assert_int_equal(compress(blob + 3, &zlen, back_raw, sizeof(back_raw)), Z_OK);
        assert_refused(blob, 3 + zlen);
        assert_refused(NULL, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_regular_grid), cmocka_unit_test(test_jitter_and_noise),
                cmocka_unit_test(test_extremes),     cmocka_unit_test(test_empty),
                cmocka_unit_test(test_encode_refuses), cmocka_unit_test(test_damaged),
                cmocka_unit_test(test_oversized),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
