/* SPDX-License-Identifier: MIT */
#include "hdr-codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "base64.h"
#include "macro.h"

#define COOKIE_V2 0x1c849313u           /* 0x1c849303 | 0x10: V2, LEB128 counts */
#define COOKIE_V2_COMPRESSED 0x1c849314u
#define COOKIE_BASE(c) ((c) & ~0xf0u)
#define HEADER 40                       /* the plain encoding's header */
#define DECODE_LIMIT (32u << 20)        /* bytes a decoded histogram (or inflated payload) may take */

static void put32(uint8_t *p, uint32_t v) {
        for (int i = 3; i >= 0; i--, v >>= 8)
                p[i] = (uint8_t) v;
}

static void put64(uint8_t *p, uint64_t v) {
        for (int i = 7; i >= 0; i--, v >>= 8)
                p[i] = (uint8_t) v;
}

static uint32_t get32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p) {
        return (uint64_t) get32(p) << 32 | get32(p + 4);
}

/* Zig-zag LEB128 as HdrHistogram writes it: 7 bits a byte, low first, the 9th byte all 8 bits. */
static size_t put_leb(uint8_t *p, int64_t v) {
        uint64_t z = (uint64_t) v << 1 ^ (uint64_t) (v >> 63);
        size_t n = 0;
        while (n < 8 && z >= 0x80) {
                p[n++] = (uint8_t) (z | 0x80);
                z >>= 7;
        }
        p[n++] = (uint8_t) z;
        return n;
}

static int get_leb(const uint8_t *p, size_t len, size_t *pos, int64_t *ret) {
        uint64_t z = 0;
        for (unsigned i = 0; i < 9; i++) {
                if (*pos >= len)
                        return -EBADMSG;
                uint8_t b = p[(*pos)++];
                if (i == 8) {
                        z |= (uint64_t) b << 56;
                        break;
                }
                z |= (uint64_t) (b & 0x7f) << (7 * i);
                if (!(b & 0x80))
                        break;
        }
        *ret = (int64_t) (z >> 1) ^ -(int64_t) (z & 1);
        return 0;
}

/* The plain encoding: header and counts up to the last non-empty bucket. */
static int encode_plain(const Histogram *h, uint8_t **ret, size_t *ret_len) {
        size_t n = histogram_buckets(h), last = 0;
        for (size_t i = 0; i < n; i++)
                if (histogram_bucket(h, i, NULL, NULL))
                        last = i + 1;
        uint8_t *buf = malloc(HEADER + 9 * last + 9), *p = buf + HEADER;
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; i < last;) {
                uint64_t c = histogram_bucket(h, i++, NULL, NULL);
                if (c > INT64_MAX) {
                        free(buf);
                        return -EOVERFLOW;
                }
                int64_t zeros = 0;
                while (c == 0 && i + (size_t) zeros < last && !histogram_bucket(h, i + (size_t) zeros, NULL, NULL))
                        zeros++;
                i += (size_t) zeros;
                p += put_leb(p, zeros > 0 ? -(zeros + 1) : (int64_t) c);
        }
        size_t payload = (size_t) (p - buf - HEADER);
        double ratio = 1.0;
        uint64_t ratio_bits;
        memcpy(&ratio_bits, &ratio, sizeof(ratio_bits));
        put32(buf, COOKIE_V2);
        put32(buf + 4, (uint32_t) payload);
        put32(buf + 8, 0);
        put32(buf + 12, histogram_digits(h));
        put64(buf + 16, 1);
        put64(buf + 24, histogram_highest(h));
        put64(buf + 32, ratio_bits);
        *ret = buf;
        *ret_len = HEADER + payload;
        return 0;
}

int hdr_encode(const Histogram *h, char **ret_base64) {
        uint8_t *plain = NULL;
        size_t plain_len;
        int r = encode_plain(h, &plain, &plain_len);
        if (r < 0)
                return r;
        uLongf zlen = compressBound(plain_len);
        uint8_t *out = malloc(8 + zlen);
        if (!out || compress2(out + 8, &zlen, plain, plain_len, Z_DEFAULT_COMPRESSION) != Z_OK) {
                free(plain);
                free(out);
                return -ENOMEM;
        }
        free(plain);
        put32(out, COOKIE_V2_COMPRESSED);
        put32(out + 4, (uint32_t) zlen);
        *ret_base64 = base64_encode(out, 8 + zlen);
        free(out);
        return *ret_base64 ? 0 : -ENOMEM;
}

static int inflate_all(const uint8_t *in, size_t len, uint8_t **ret, size_t *ret_len) {
        z_stream z = { .next_in = (Bytef *) in, .avail_in = (uInt) len };
        if (inflateInit(&z) != Z_OK)
                return -ENOMEM;
        size_t cap = 4096, n = 0;
        uint8_t *out = NULL;
        int zr = Z_OK, r = 0;
        while (zr != Z_STREAM_END) {
                uint8_t *grown = cap <= DECODE_LIMIT ? realloc(out, cap) : NULL;
                if (!grown) {
                        r = cap > DECODE_LIMIT ? -E2BIG : -ENOMEM;
                        break;
                }
                out = grown;
                z.next_out = out + n;
                z.avail_out = (uInt) (cap - n);
                zr = inflate(&z, Z_NO_FLUSH);
                n = cap - z.avail_out;
                if (zr != Z_OK && zr != Z_STREAM_END) {
                        r = -EBADMSG;
                        break;
                }
                if (z.avail_out == 0)
                        cap *= 2;
                else if (zr != Z_STREAM_END) {
                        r = -EBADMSG;   /* the input ended inside the stream */
                        break;
                }
        }
        inflateEnd(&z);
        if (r < 0) {
                free(out);
                return r;
        }
        *ret = out;
        *ret_len = n;
        return 0;
}

typedef struct HdrLayout {
        unsigned unit_bits, sub_bits;   /* log2(lowest), log2(sub-bucket count) */
        bool same;                      /* exactly the decoded histogram's layout */
} HdrLayout;

static unsigned bits_for(uint64_t v) {
        return 64 - (unsigned) __builtin_clzll(v | 1);
}

/* Record count at HdrHistogram index i of layout l. */
static int record_index(Histogram *h, const HdrLayout *l, uint64_t i, uint64_t count) {
        if (l->same && i < histogram_buckets(h)) {
                histogram_record_bucket(h, (size_t) i, count);
                return 0;
        }
        uint64_t s = UINT64_C(1) << l->sub_bits, half = s / 2, sub = i;
        unsigned shift = l->unit_bits;
        if (i >= s) {
                uint64_t b = (i - s) / half + 1;
                if (b > 62)
                        return -EBADMSG;
                sub = (i - s) % half + half;
                shift += (unsigned) b;
        }
        if (shift + l->sub_bits >= 63)
                return -EBADMSG;
        uint64_t lo = sub << shift, w = UINT64_C(1) << shift;
        histogram_record_n(h, lo + w / 2, count);
        return 0;
}

static int decode_counts(Histogram *h, const HdrLayout *l, const uint8_t *p, size_t len) {
        uint64_t i = 0, total = 0;
        for (size_t pos = 0; pos < len;) {
                int64_t v;
                if (get_leb(p, len, &pos, &v) < 0 || v == INT64_MIN)
                        return -EBADMSG;
                if (v < 0) {
                        if ((uint64_t) -v > (UINT64_C(1) << 62) - i)
                                return -EBADMSG;
                        i += (uint64_t) -v;
                        continue;
                }
                /* HdrHistogram's total is a signed 64-bit count: more cannot be encoded again. */
                if (v > 0 && ((uint64_t) v > (uint64_t) INT64_MAX - total || record_index(h, l, i, (uint64_t) v) < 0))
                        return -EBADMSG;
                total += (uint64_t) (v > 0 ? v : 0);
                i++;
        }
        return 0;
}

/* The plain encoding (its header checked) into a new histogram of the same layout where skytune has it. */
static int decode_plain(const uint8_t *p, size_t len, Histogram **ret) {
        if (len < HEADER || COOKIE_BASE(get32(p)) != COOKIE_BASE(COOKIE_V2))
                return -EBADMSG;
        uint32_t payload = get32(p + 4), offset = get32(p + 8), digits = get32(p + 12);
        uint64_t lowest = get64(p + 16), highest = get64(p + 24);
        if (payload > len - HEADER || offset != 0 || digits > 5 || lowest < 1 || highest < 2 * lowest ||
            highest > (UINT64_C(1) << 62))
                return -EBADMSG;
        HdrLayout l = { .unit_bits = bits_for(lowest) - 1 };
        uint64_t single = 2;
        for (unsigned k = 0; k < digits; k++)
                single *= 10;
        l.sub_bits = bits_for(single - 1);
        /* The decoded histogram's size: its bucket count at the highest value. */
        unsigned sb = bits_for((digits ? single : 20) - 1), top = bits_for(highest);
        uint64_t buckets = top <= sb ? highest + 1 : (UINT64_C(1) << sb) + (uint64_t) (top - sb + 1) * (UINT64_C(1) << (sb - 1));
        if (buckets > DECODE_LIMIT / sizeof(uint64_t))
                return -E2BIG;
        Histogram *h;
        int r = histogram_new(highest, MAX(digits, 1u), &h);
        if (r < 0)
                return r;
        l.same = lowest == 1 && l.sub_bits == histogram_sub_bits(h);
        if ((r = decode_counts(h, &l, p + HEADER, payload)) < 0) {
                histogram_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

int hdr_decode(const char *base64, Histogram **ret) {
        uint8_t *raw = NULL, *plain = NULL;
        size_t raw_len, plain_len;
        int r = base64_decode(base64, &raw, &raw_len);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        if (raw_len < 8 || COOKIE_BASE(get32(raw)) != COOKIE_BASE(COOKIE_V2_COMPRESSED) ||
            get32(raw + 4) > raw_len - 8)
                r = -EBADMSG;
        else
                r = inflate_all(raw + 8, get32(raw + 4), &plain, &plain_len);
        free(raw);
        if (r < 0)
                return r;
        r = decode_plain(plain, plain_len, ret);
        free(plain);
        return r;
}

int hdrlog_begin(FILE *f, double start_epoch_s) {
        time_t t = (time_t) start_epoch_s;
        struct tm tm;
        char when[64] = "";
        if (gmtime_r(&t, &tm))
                strftime(when, sizeof(when), "%a %b %d %H:%M:%S UTC %Y", &tm);
        fprintf(f, "#[Histogram log format version 1.3]\n");
        fprintf(f, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_epoch_s, when);
        fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", start_epoch_s);
        fputs("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n", f);
        return ferror(f) ? -EIO : 0;
}

int hdrlog_interval(FILE *f, double start_s, double length_s, const Histogram *h, const char *tag) {
        char *b64;
        int r = hdr_encode(h, &b64);
        if (r < 0)
                return r;
        if (tag) {
                fputs("Tag=", f);
                for (const char *c = tag; *c; c++)
                        fputc(*c == ',' || (unsigned char) *c <= ' ' ? '_' : *c, f);
                fputc(',', f);
        }
        uint64_t max = histogram_count(h) ? histogram_highest_equivalent(h, histogram_max(h)) : 0;
        fprintf(f, "%.3f,%.3f,%.3f,%s\n", start_s, length_s, (double) max / 1000.0, b64);
        free(b64);
        return ferror(f) ? -EIO : 0;
}
