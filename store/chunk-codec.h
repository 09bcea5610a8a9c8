/* SPDX-License-Identifier: MIT */
/* The store's chunk codec: one series' points (timestamp in ms, value as a scaled integer) as a
 * compact blob. Timestamps are coded as delta-of-delta, values as delta, each zig-zagged into an
 * LEB128 varint, and the varint stream is deflated with zlib. docs/store.md gives the byte layout.
 * Differences are taken modulo 2^64 (unsigned), so every int64 input round-trips, INT64_MIN and
 * INT64_MAX included, without signed overflow. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The codec byte of a blob (chunk.codec in the store); a new layout gets a new number. */
#define CHUNK_CODEC_DELTA_ZLIB 1
/* Caps the decoder enforces before allocating: points per chunk, varint bytes per point. */
#define CHUNK_MAX_POINTS 65536
#define CHUNK_MAX_POINT_BYTES 20

struct store_point {
        int64_t t_ms; /* strictly increasing within a chunk */
        int64_t v;    /* the value times 10^scale of its series */
};

/* Encodes n points (n may be 0; timestamps strictly increasing, n <= CHUNK_MAX_POINTS) into a
 * malloc'd blob. -EINVAL on unordered timestamps or too many points, -ENOMEM. */
int chunk_encode(const struct store_point *p, size_t n, uint8_t **ret_blob, size_t *ret_len);

/* Decodes a blob into a malloc'd array (NULL when n is 0). Any malformed, truncated, oversized or
 * trailing-garbage input, or timestamps that do not strictly increase: -EBADMSG; -ENOMEM. */
int chunk_decode(const uint8_t *blob, size_t len, struct store_point **ret_points, size_t *ret_n);

/* The header of a blob alone (codec byte and point count), without inflating: -EBADMSG. */
int chunk_peek(const uint8_t *blob, size_t len, size_t *ret_n);

/* The codec byte of a flush blob (a row of the store's log): the points of several series in one
 * blob, each series' readable without decoding the others'. No zlib: a flush is a few points a
 * series, and a query of one series skips the others by their length. docs/store.md gives the
 * layout. */
#define CHUNK_CODEC_FLUSH 2
#define FLUSH_MAX_PARTS 65536

struct flush_part {
        int64_t series; /* > 0, strictly increasing within a flush */
        const struct store_point *p;
        size_t n; /* 1..CHUNK_MAX_POINTS, timestamps >= 0 and strictly increasing */
};

/* Encodes 1..FLUSH_MAX_PARTS parts into a malloc'd blob: -EINVAL on ids not increasing, empty or
 * unordered parts; -ENOMEM. */
int flush_encode(const struct flush_part *parts, size_t n, uint8_t **ret_blob, size_t *ret_len);

/* One part of a flush blob with its points decoded (valid during the call only). */
typedef int (*flush_part_fn)(int64_t series, const struct store_point *p, size_t n, void *userdata);

/* Calls fn for each part of the blob, or, with series > 0, for that series' part alone (when there),
 * the others skipped undecoded; a negative return of fn stops and is returned. The framing of every
 * part is checked either way, the points of those decoded: malformed, truncated or trailing input is
 * -EBADMSG. */
int flush_decode(const uint8_t *blob, size_t len, int64_t series, flush_part_fn fn, void *userdata);

/* A flush blob read part by part, in id order (a seal, series after series, reads each row once). */
struct flush_reader {
        const uint8_t *blob;
        size_t len, pos;
        uint64_t left; /* parts not yet read */
        int64_t id;    /* the last part's read */
};
/* The codec byte and the part count: -EBADMSG. */
int flush_reader_init(struct flush_reader *rd, const uint8_t *blob, size_t len);
/* Decodes the next part and calls fn with it when its id is series (any with series <= 0): 1 when
 * it did, 0 when the next part is another series' or none is left (the blob then read to its
 * end); malformed framing or points, or bytes after the last part: -EBADMSG; fn's negative return. */
int flush_next(struct flush_reader *rd, int64_t series, flush_part_fn fn, void *userdata);
