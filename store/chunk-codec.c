/* SPDX-License-Identifier: MIT */
/* Blob layout: codec byte, varint n, varint raw length, then the zlib stream of the raw varints
 * (per point: zig-zag of the timestamp's delta-of-delta, zig-zag of the value's delta; the first
 * point's are taken from 0). All arithmetic on uint64_t: it wraps instead of overflowing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "chunk-codec.h"

#define VARINT_MAX 10

static uint64_t zigzag(uint64_t u) {
        return (u << 1) ^ (0 - (u >> 63));
}

static uint64_t unzigzag(uint64_t z) {
        return (z >> 1) ^ (0 - (z & 1));
}

static size_t put_varint(uint8_t *out, uint64_t x) {
        size_t i = 0;
        while (x >= 0x80) {
                out[i++] = (uint8_t) (x | 0x80);
                x >>= 7;
        }
        out[i++] = (uint8_t) x;
        return i;
}

/* Reads one canonical varint from [*pos, len): no more than 10 bytes, no bits beyond 64, no
 * redundant trailing zero byte. */
static int get_varint(const uint8_t *in, size_t len, size_t *pos, uint64_t *ret) {
        uint64_t x = 0;
        for (size_t i = 0; i < VARINT_MAX; i++) {
                if (*pos >= len)
                        return -EBADMSG;
                uint8_t b = in[(*pos)++];
                if (i == VARINT_MAX - 1 && b > 1)
                        return -EBADMSG;
                x |= (uint64_t) (b & 0x7f) << (7 * i);
                if (!(b & 0x80)) {
                        if (b == 0 && i > 0)
                                return -EBADMSG;
                        *ret = x;
                        return 0;
                }
        }
        return -EBADMSG;
}

static size_t encode_raw(const struct store_point *p, size_t n, uint8_t *raw) {
        uint64_t prev_t = 0, prev_delta = 0, prev_v = 0;
        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t t = (uint64_t) p[i].t_ms, v = (uint64_t) p[i].v;
                uint64_t delta = t - prev_t;
                len += put_varint(raw + len, zigzag(delta - prev_delta));
                len += put_varint(raw + len, zigzag(v - prev_v));
                prev_t = t;
                prev_delta = delta;
                prev_v = v;
        }
        return len;
}

int chunk_encode(const struct store_point *p, size_t n, uint8_t **ret_blob, size_t *ret_len) {
        if (n > CHUNK_MAX_POINTS || (n > 0 && !p))
                return -EINVAL;
        for (size_t i = 1; i < n; i++)
                if (p[i].t_ms <= p[i - 1].t_ms)
                        return -EINVAL;
        uint8_t *raw = malloc(n * CHUNK_MAX_POINT_BYTES + 1);
        if (!raw)
                return -ENOMEM;
        size_t raw_len = encode_raw(p, n, raw);
        uLongf zlen = compressBound(raw_len);
        uint8_t *blob = malloc(1 + 2 * VARINT_MAX + zlen);
        if (!blob) {
                free(raw);
                return -ENOMEM;
        }
        size_t head = 0;
        blob[head++] = CHUNK_CODEC_DELTA_ZLIB;
        head += put_varint(blob + head, n);
        head += put_varint(blob + head, raw_len);
        int z = compress2(blob + head, &zlen, raw, raw_len, Z_BEST_COMPRESSION);
        free(raw);
        if (z != Z_OK) {
                free(blob);
                return z == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
        }
        *ret_blob = blob;
        *ret_len = head + zlen;
        return 0;
}

static int read_header(const uint8_t *blob, size_t len, size_t *pos, uint64_t *n, uint64_t *raw_len) {
        if (!blob || len < 1 || blob[0] != CHUNK_CODEC_DELTA_ZLIB)
                return -EBADMSG;
        *pos = 1;
        if (get_varint(blob, len, pos, n) < 0 || get_varint(blob, len, pos, raw_len) < 0)
                return -EBADMSG;
        /* Each point takes 2 to 20 raw bytes. */
        if (*n > CHUNK_MAX_POINTS || *raw_len < 2 * *n || *raw_len > CHUNK_MAX_POINT_BYTES * *n)
                return -EBADMSG;
        return 0;
}

int chunk_peek(const uint8_t *blob, size_t len, size_t *ret_n) {
        size_t pos;
        uint64_t n, raw_len;
        int r = read_header(blob, len, &pos, &n, &raw_len);
        if (r < 0)
                return r;
        *ret_n = (size_t) n;
        return 0;
}

static int decode_raw(const uint8_t *raw, size_t raw_len, struct store_point *p, size_t n) {
        uint64_t prev_t = 0, prev_delta = 0, prev_v = 0;
        size_t pos = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t dod, dv;
                if (get_varint(raw, raw_len, &pos, &dod) < 0 || get_varint(raw, raw_len, &pos, &dv) < 0)
                        return -EBADMSG;
                uint64_t delta = prev_delta + unzigzag(dod);
                uint64_t t = prev_t + delta, v = prev_v + unzigzag(dv);
                p[i].t_ms = (int64_t) t;
                p[i].v = (int64_t) v;
                if (i > 0 && p[i].t_ms <= p[i - 1].t_ms)
                        return -EBADMSG;
                prev_t = t;
                prev_delta = delta;
                prev_v = v;
        }
        return pos == raw_len ? 0 : -EBADMSG;
}

/* Inflates exactly raw_len bytes from exactly the rest of the blob (no trailing bytes). */
static int inflate_exact(const uint8_t *z, size_t zlen, uint8_t *raw, size_t raw_len) {
        uLongf out_len = raw_len;
        uLong in_len = zlen;
        int r = uncompress2(raw, &out_len, z, &in_len);
        if (r == Z_MEM_ERROR)
                return -ENOMEM;
        if (r != Z_OK || out_len != raw_len || in_len != zlen)
                return -EBADMSG;
        return 0;
}

int chunk_decode(const uint8_t *blob, size_t len, struct store_point **ret_points, size_t *ret_n) {
        size_t pos;
        uint64_t n, raw_len;
        int r = read_header(blob, len, &pos, &n, &raw_len);
        if (r < 0)
                return r;
        /* One spare byte: zlib reports a stream longer than raw_len as Z_BUF_ERROR either way. */
        uint8_t *raw = malloc(raw_len + 1);
        struct store_point *p = n ? calloc(n, sizeof(*p)) : NULL;
        if (!raw || (n && !p)) {
                free(raw);
                free(p);
                return -ENOMEM;
        }
        r = inflate_exact(blob + pos, len - pos, raw, raw_len);
        if (r == 0)
                r = decode_raw(raw, raw_len, p, n);
        free(raw);
        if (r < 0) {
                free(p);
                return r;
        }
        *ret_points = p;
        *ret_n = n;
        return 0;
}

int flush_encode(const struct flush_part *parts, size_t n, uint8_t **ret_blob, size_t *ret_len) {
        if (!parts || n == 0 || n > FLUSH_MAX_PARTS)
                return -EINVAL;
        size_t cap = 1 + VARINT_MAX;
        for (size_t i = 0; i < n; i++) {
                const struct flush_part *f = &parts[i];
                if (f->series <= 0 || (i > 0 && f->series <= parts[i - 1].series) || !f->p || f->n == 0 ||
                    f->n > CHUNK_MAX_POINTS || f->p[0].t_ms < 0)
                        return -EINVAL;
                for (size_t k = 1; k < f->n; k++)
                        if (f->p[k].t_ms <= f->p[k - 1].t_ms)
                                return -EINVAL;
                cap += 3 * VARINT_MAX + f->n * CHUNK_MAX_POINT_BYTES;
        }
        uint8_t *blob = malloc(cap);
        if (!blob)
                return -ENOMEM;
        size_t len = 0;
        blob[len++] = CHUNK_CODEC_FLUSH;
        len += put_varint(blob + len, n);
        for (size_t i = 0; i < n; i++) {
                const struct flush_part *f = &parts[i];
                /* The part's stream goes first, at its place after a maximal length prefix, then moves
                 * back behind the prefix it really needs. */
                size_t head =
                        len + put_varint(blob + len, (uint64_t) f->series - (i ? (uint64_t) parts[i - 1].series : 0));
                head += put_varint(blob + head, f->n);
                size_t raw = encode_raw(f->p, f->n, blob + head + VARINT_MAX);
                size_t l = put_varint(blob + head, raw);
                memmove(blob + head + l, blob + head + VARINT_MAX, raw);
                len = head + l + raw;
        }
        *ret_blob = blob;
        *ret_len = len;
        return 0;
}

int flush_reader_init(struct flush_reader *rd, const uint8_t *blob, size_t len) {
        *rd = (struct flush_reader) { .blob = blob, .len = len, .pos = 1 };
        if (!blob || len < 1 || blob[0] != CHUNK_CODEC_FLUSH || get_varint(blob, len, &rd->pos, &rd->left) < 0 ||
            rd->left == 0 || rd->left > FLUSH_MAX_PARTS)
                return -EBADMSG;
        return 0;
}

/* The framing of the next part, not consumed: its id, point count and stream at *at of raw bytes. */
static int next_header(const struct flush_reader *rd, int64_t *ret_id, uint64_t *ret_n, size_t *at, uint64_t *ret_raw) {
        uint64_t delta, n, raw;
        size_t pos = rd->pos;
        if (get_varint(rd->blob, rd->len, &pos, &delta) < 0 || delta == 0 ||
            delta > (uint64_t) INT64_MAX - (uint64_t) rd->id || get_varint(rd->blob, rd->len, &pos, &n) < 0 || n == 0 ||
            n > CHUNK_MAX_POINTS || get_varint(rd->blob, rd->len, &pos, &raw) < 0 || raw < 2 * n ||
            raw > CHUNK_MAX_POINT_BYTES * n || raw > rd->len - pos)
                return -EBADMSG;
        *ret_id = (int64_t) ((uint64_t) rd->id + delta);
        *ret_n = n;
        *at = pos;
        *ret_raw = raw;
        return 0;
}

int flush_next(struct flush_reader *rd, int64_t series, flush_part_fn fn, void *userdata) {
        if (rd->left == 0)
                return rd->pos == rd->len ? 0 : -EBADMSG;
        int64_t id;
        uint64_t n, raw;
        size_t at;
        int r = next_header(rd, &id, &n, &at, &raw);
        if (r < 0)
                return r;
        if (series > 0 && id != series)
                return 0;
        struct store_point *p = malloc(n * sizeof(*p));
        if (!p)
                return -ENOMEM;
        r = decode_raw(rd->blob + at, raw, p, n);
        if (r == 0 && p[0].t_ms < 0)
                r = -EBADMSG;
        if (r == 0)
                r = fn(id, p, n, userdata);
        free(p);
        if (r < 0)
                return r;
        rd->id = id;
        rd->pos = at + raw;
        rd->left--;
        return rd->left > 0 || rd->pos == rd->len ? 1 : -EBADMSG;
}

int flush_decode(const uint8_t *blob, size_t len, int64_t series, flush_part_fn fn, void *userdata) {
        if (!fn)
                return -EBADMSG;
        struct flush_reader rd;
        int r = flush_reader_init(&rd, blob, len);
        while (r == 0 && rd.left > 0) {
                int64_t id;
                uint64_t n, raw;
                size_t at;
                r = next_header(&rd, &id, &n, &at, &raw);
                if (r == 0 && (series <= 0 || id == series)) {
                        int q = flush_next(&rd, 0, fn, userdata);
                        r = q < 0 ? q : 0;
                } else if (r == 0) {
                        /* Skipped undecoded. */
                        rd.id = id;
                        rd.pos = at + raw;
                        rd.left--;
                }
        }
        return r < 0 ? r : rd.pos == rd.len ? 0 : -EBADMSG;
}
