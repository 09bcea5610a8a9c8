/* SPDX-License-Identifier: MIT */
#include "http1.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"

enum {
        ST_STATUS,              /* lines: the status line */
        ST_HEADER,              /* lines: header fields up to the empty line */
        ST_CHUNK_SIZE,          /* lines: chunk-size [ chunk-ext ] */
        ST_TRAILER,             /* lines: trailer fields up to the empty line */
        ST_BODY_LENGTH,         /* remaining bytes of a Content-Length body */
        ST_BODY_CLOSE,          /* everything until the server closes */
        ST_CHUNK_DATA,          /* remaining bytes of a chunk */
        ST_CHUNK_CR,            /* the CRLF (or LF) after chunk data */
        ST_CHUNK_LF,
        ST_DONE,
};

enum {
        FIELD_NONE,
        FIELD_OTHER,
        FIELD_CONTENT_LENGTH,
        FIELD_TRANSFER_ENCODING,
        FIELD_CONNECTION,
};

static inline bool is_ows(char c) {
        return c == ' ' || c == '\t';
}

static inline bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static void response_reset(Http1Parser *p) {
        p->minor = 0;
        p->last_field = FIELD_NONE;
        p->have_length = p->have_te = p->chunked = p->conn_close = p->conn_keep_alive = false;
        p->content_length = 0;
        p->status = 0;
}

void http1_parser_init(Http1Parser *p, bool head) {
        /* Field by field: the line buffer need not be cleared. */
        response_reset(p);
        p->state = ST_STATUS;
        p->head = head;
        p->remaining = 0;
        p->line_len = p->line_total = 0;
        p->keep_alive = false;
        p->started = false;
        p->header_bytes = p->body_bytes = p->total_bytes = 0;
}

/* The next element of a comma-separated list in [*pos, end), without the white space around it
 * (possibly empty). False when the list is exhausted. */
static bool list_next(const char **pos, const char *end, const char **ret, size_t *ret_len) {
        const char *s = *pos;
        if (!s)
                return false;
        const char *comma = memchr(s, ',', (size_t) (end - s));
        const char *e = comma ?: end;
        *pos = comma ? comma + 1 : NULL;
        while (s < e && is_ows(*s))
                s++;
        while (e > s && is_ows(e[-1]))
                e--;
        *ret = s;
        *ret_len = (size_t) (e - s);
        return true;
}

static bool token_is(const char *s, size_t n, const char *lower) {
        size_t k = strlen(lower);
        return n == k && strncasecmp(s, lower, k) == 0;
}

static int parse_content_length(Http1Parser *p, const char *v, const char *end) {
        const char *el;
        size_t n;
        /* "5", or the same value repeated in a list ("5, 5") or in several fields. */
        for (const char *pos = v; list_next(&pos, end, &el, &n);) {
                if (n == 0)
                        return -EBADMSG;
                uint64_t x = 0;
                for (size_t i = 0; i < n; i++) {
                        if (!is_digit(el[i]))
                                return -EBADMSG;
                        unsigned d = (unsigned) (el[i] - '0');
                        if (x > (UINT64_MAX - d) / 10)
                                return -EBADMSG;
                        x = x * 10 + d;
                }
                if (p->have_length && p->content_length != x)
                        return -EBADMSG;
                p->have_length = true;
                p->content_length = x;
        }
        return 0;
}

static int parse_transfer_encoding(Http1Parser *p, const char *v, const char *end) {
        const char *el;
        size_t n;
        bool any = false;
        /* Only the final coding matters: chunked, or a body that runs until the server closes. */
        for (const char *pos = v; list_next(&pos, end, &el, &n);) {
                size_t t = 0;
                while (t < n && el[t] != ';' && !is_ows(el[t]))
                        t++;
                if (n == 0)
                        continue;
                if (t == 0)
                        return -EBADMSG;
                any = true;
                p->chunked = token_is(el, t, "chunked");
        }
        if (!any)
                return -EBADMSG;
        p->have_te = true;
        return 0;
}

static void parse_connection(Http1Parser *p, const char *v, const char *end) {
        const char *el;
        size_t n;
        for (const char *pos = v; list_next(&pos, end, &el, &n);) {
                if (token_is(el, n, "close"))
                        p->conn_close = true;
                else if (token_is(el, n, "keep-alive"))
                        p->conn_keep_alive = true;
        }
}

static int parse_status_line(Http1Parser *p, const char *l, size_t n) {
        /* HTTP/1.x SSS[ reason] */
        if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || !is_digit(l[7]) || l[8] != ' ' ||
            l[9] < '1' || l[9] > '9' || !is_digit(l[10]) || !is_digit(l[11]) || (n > 12 && is_digit(l[12])))
                return -EBADMSG;
        p->minor = (uint8_t) (l[7] - '0');
        p->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
        if (p->status == 101)   /* protocol switches are not for this client */
                return -EBADMSG;
        return 0;
}

static int parse_field_line(Http1Parser *p, const char *l, size_t n, bool long_line) {
        if (is_ows(l[0])) {
                /* obs-fold: continues the previous field, which must not be one we interpret. */
                if (p->last_field > FIELD_OTHER)
                        return -EBADMSG;
                return 0;
        }
        const char *colon = memchr(l, ':', n);
        if (!colon) {
                if (long_line)          /* a name longer than a line: none of ours */
                        return (p->last_field = FIELD_OTHER), 0;
                return -EBADMSG;
        }
        size_t k = (size_t) (colon - l);
        /* No white space before the colon ("Content-Length : 5" is not to be guessed at); the names
         * we interpret are compared whole, the others need no closer look. */
        if (k == 0 || is_ows(l[k - 1]))
                return -EBADMSG;

        uint8_t field = FIELD_OTHER;
        if (k == STRLEN("content-length") && strncasecmp(l, "content-length", k) == 0)
                field = FIELD_CONTENT_LENGTH;
        else if (k == STRLEN("transfer-encoding") && strncasecmp(l, "transfer-encoding", k) == 0)
                field = FIELD_TRANSFER_ENCODING;
        else if (k == STRLEN("connection") && strncasecmp(l, "connection", k) == 0)
                field = FIELD_CONNECTION;
        p->last_field = field;
        if (field == FIELD_OTHER)
                return 0;
        if (long_line)
                return -EBADMSG;

        const char *v = colon + 1, *end = l + n;
        switch (field) {
        case FIELD_CONTENT_LENGTH:
                return parse_content_length(p, v, end);
        case FIELD_TRANSFER_ENCODING:
                return parse_transfer_encoding(p, v, end);
        default:
                parse_connection(p, v, end);
                return 0;
        }
}

/* The empty line after the header fields: pick how the body is delimited. */
static void headers_end(Http1Parser *p) {
        if (p->status < 200) {
                /* Interim: the final response follows. */
                response_reset(p);
                p->state = ST_STATUS;
                return;
        }
        bool ka = p->minor >= 1 ? !p->conn_close : p->conn_keep_alive && !p->conn_close;
        /* Transfer-Encoding with Content-Length (smuggling?) or in an HTTP/1.0 message: faulty
         * framing, the connection is closed after this response. */
        if (p->have_te && (p->have_length || p->minor == 0))
                ka = false;
        p->keep_alive = ka;

        if (p->head || p->status == 204 || p->status == 304)
                p->state = ST_DONE;
        else if (p->have_te)
                p->state = p->chunked ? ST_CHUNK_SIZE : ST_BODY_CLOSE;
        else if (p->have_length) {
                p->remaining = p->content_length;
                p->state = p->remaining > 0 ? ST_BODY_LENGTH : ST_DONE;
        } else
                p->state = ST_BODY_CLOSE;
        if (p->state == ST_BODY_CLOSE)
                p->keep_alive = false;
}

static inline int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c |= 0x20;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static int parse_chunk_size(Http1Parser *p, const char *l, size_t n, bool long_line) {
        uint64_t x = 0;
        size_t i = 0;
        for (int d; i < n && (d = hex_value(l[i])) >= 0; i++) {
                if (x >> 60)
                        return -EBADMSG;
                x = x << 4 | (uint64_t) d;
        }
        if (i == 0 || (long_line && i == n))
                return -EBADMSG;
        while (i < n && is_ows(l[i]))
                i++;
        if (i < n && l[i] != ';')
                return -EBADMSG;
        if (x == 0)
                p->state = ST_TRAILER;
        else {
                p->remaining = x;
                p->state = ST_CHUNK_DATA;
        }
        return 0;
}

/* One complete line (without its LF) in a line state. long_line: only the first HTTP1_LINE_MAX bytes
 * are given. */
static int parse_line(Http1Parser *p, const char *l, size_t n, bool long_line) {
        switch (p->state) {
        case ST_STATUS:
                if (parse_status_line(p, l, n) < 0)
                        return -EBADMSG;
                p->state = ST_HEADER;
                return 0;
        case ST_HEADER:
                if (n == 0) {
                        headers_end(p);
                        return 0;
                }
                return parse_field_line(p, l, n, long_line);
        case ST_CHUNK_SIZE:
                return parse_chunk_size(p, l, n, long_line);
        default:        /* ST_TRAILER: fields are skipped */
                if (n == 0)
                        p->state = ST_DONE;
                return 0;
        }
}

static void line_append(Http1Parser *p, const char *s, size_t n) {
        size_t k = MIN(n, sizeof(p->line) - p->line_len);
        memcpy(p->line + p->line_len, s, k);
        p->line_len += k;
        p->line_total += n;
}

/* Consumes bytes of a line state from s (n > 0): up to and including the line's LF, parsing the
 * line, or all of them when the LF is not there yet. */
static ssize_t consume_line(Http1Parser *p, const char *s, size_t n) {
        const char *lf = memchr(s, '\n', n);
        size_t take = lf ? (size_t) (lf - s) + 1 : n;

        if (p->state == ST_CHUNK_SIZE) {
                if (p->line_total + take > HTTP1_HEADER_MAX)
                        return -EBADMSG;
        } else {
                if (p->header_bytes + take > HTTP1_HEADER_MAX)
                        return -E2BIG;
                p->header_bytes += take;
        }
        if (!lf) {
                line_append(p, s, take);
                return (ssize_t) take;
        }

        const char *l;
        size_t len;
        bool cut = false;
        if (p->line_total == 0) {
                /* The whole line is in the buffer: parse it in place. */
                l = s;
                len = take - 1;
        } else {
                line_append(p, s, take - 1);
                l = p->line;
                len = p->line_len;
                cut = p->line_total > p->line_len;
        }
        if (len > 0 && l[len - 1] == '\r')
                len--;
        bool long_line = cut || len > HTTP1_LINE_MAX;
        if (long_line)
                len = HTTP1_LINE_MAX;
        p->line_len = p->line_total = 0;

        int r = parse_line(p, l, len, long_line);
        if (r < 0)
                return r;
        return (ssize_t) take;
}

ssize_t http1_parse(Http1Parser *p, const char *buf, size_t n, bool *done) {
        size_t i = 0;

        *done = false;
        if (p->state == ST_DONE) {
                *done = true;
                return 0;
        }
        if (n > 0)
                p->started = true;

        while (i < n && p->state != ST_DONE) {
                switch (p->state) {
                case ST_BODY_LENGTH:
                case ST_CHUNK_DATA: {
                        /* Skipped, not read: O(1) whatever the size. */
                        uint64_t k = MIN((uint64_t) (n - i), p->remaining);
                        i += (size_t) k;
                        p->remaining -= k;
                        p->body_bytes += k;
                        if (p->remaining == 0)
                                p->state = p->state == ST_BODY_LENGTH ? ST_DONE : ST_CHUNK_CR;
                        break;
                }
                case ST_BODY_CLOSE:
                        p->body_bytes += n - i;
                        i = n;
                        break;
                case ST_CHUNK_CR:
                        if (buf[i] == '\r')
                                p->state = ST_CHUNK_LF;
                        else if (buf[i] == '\n')
                                p->state = ST_CHUNK_SIZE;
                        else
                                return -EBADMSG;
                        i++;
                        break;
                case ST_CHUNK_LF:
                        if (buf[i] != '\n')
                                return -EBADMSG;
                        p->state = ST_CHUNK_SIZE;
                        i++;
                        break;
                default: {
                        ssize_t r = consume_line(p, buf + i, n - i);
                        if (r < 0)
                                return r;
                        i += (size_t) r;
                        break;
                }
                }
        }

        p->total_bytes += i;
        *done = p->state == ST_DONE;
        return (ssize_t) i;
}

int http1_parse_eof(Http1Parser *p) {
        if (p->state == ST_DONE)
                return 1;
        if (!p->started)
                return 0;
        if (p->state == ST_BODY_CLOSE) {
                p->state = ST_DONE;
                p->keep_alive = false;
                return 1;
        }
        return -EBADMSG;
}

/* Request building. */

static bool valid_request_token(const char *s) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if ((unsigned char) *s <= ' ' || *s == 0x7f)
                        return false;
        return true;
}

typedef struct HeaderSpec {
        const char *name;
        size_t name_len;
        const char *value;      /* NULL: dropped */
        size_t value_len;
} HeaderSpec;

/* Splits "Name: value" / "Name:" / "Name;" as libcurl reads them. */
static int header_split(const char *h, HeaderSpec *ret) {
        size_t k = strcspn(h, ":;");
        if (k == 0 || !h[k])
                return -EINVAL;
        for (size_t i = 0; i < k; i++)
                if ((unsigned char) h[i] <= ' ' || h[i] == 0x7f)
                        return -EINVAL;
        if (strpbrk(h + k, "\r\n"))
                return -EINVAL;

        *ret = (HeaderSpec) { .name = h, .name_len = k };
        if (h[k] == ';') {
                /* "Name;": sent with an empty value; anything after the ';' is not a header. */
                if (h[k + 1])
                        return -EINVAL;
                ret->value = "";
                return 0;
        }
        const char *v = h + k + 1, *e = v + strlen(v);
        while (is_ows(*v))
                v++;
        while (e > v && is_ows(e[-1]))
                e--;
        if (v < e) {
                ret->value = v;
                ret->value_len = (size_t) (e - v);
        }
        return 0;
}

static char *append(char *d, const char *s, size_t n) {
        memcpy(d, s, n);
        return d + n;
}

#define APPEND_LITERAL(d, s) append(d, s, STRLEN(s))

static char *append_header(char *d, const HeaderSpec *h) {
        d = append(d, h->name, h->name_len);
        d = APPEND_LITERAL(d, ":");
        if (h->value_len > 0) {
                d = APPEND_LITERAL(d, " ");
                d = append(d, h->value, h->value_len);
        }
        return APPEND_LITERAL(d, "\r\n");
}

static size_t header_size(const HeaderSpec *h) {
        return h->name_len + STRLEN(":") + (h->value_len > 0 ? 1 + h->value_len : 0) + STRLEN("\r\n");
}

#define FORM_CONTENT_TYPE "Content-Type: application/x-www-form-urlencoded\r\n"

/* The header lines of a request as the caller gave them, with the Host line chosen. */
typedef struct RequestHeaders {
        HeaderSpec *specs;      /* value NULL: not sent (a Host header given without a value, or moved) */
        size_t n;
        HeaderSpec host_spec;
        const HeaderSpec *host_line;
        bool have_content_type;
        size_t size;            /* bytes of the lines that are sent */
} RequestHeaders;

/* Split and check headers into rh; a caller's Host replaces host. */
static int request_headers(char *const *headers, const char *host, RequestHeaders *rh) {
        rh->host_spec = (HeaderSpec) { "Host", STRLEN("Host"), host, host ? strlen(host) : 0 };
        rh->host_line = host ? &rh->host_spec : NULL;
        bool have_host = false;
        for (size_t i = 0; i < rh->n; i++) {
                HeaderSpec *s = &rh->specs[i];
                int r = header_split(headers[i], s);
                if (r < 0)
                        return r;
                if (token_is(s->name, s->name_len, "content-length") ||
                    token_is(s->name, s->name_len, "transfer-encoding"))
                        return -EINVAL;
                if (token_is(s->name, s->name_len, "host")) {
                        if (have_host)
                                return -EINVAL;
                        have_host = true;
                        rh->host_spec = *s;
                        rh->host_line = s->value ? &rh->host_spec : NULL;
                        s->value = NULL;        /* sent in place of the default line */
                        continue;
                }
                if (token_is(s->name, s->name_len, "content-type"))
                        rh->have_content_type = true;
                if (s->value)
                        rh->size += header_size(s);
        }
        if (!host && !have_host)
                return -EINVAL;
        if (rh->host_line)
                rh->size += header_size(rh->host_line);
        return 0;
}

int http1_request_build(const char *method, const char *target, const char *host,
                        char *const *headers, const char *body, size_t body_len, char **ret, size_t *ret_len) {
        if (!valid_request_token(method) || !valid_request_token(target) || (!body && body_len > 0) || !ret ||
            !ret_len)
                return -EINVAL;
        if (host && strpbrk(host, "\r\n"))
                return -EINVAL;

        RequestHeaders rh = {};
        for (char *const *h = headers; h && *h; h++)
                rh.n++;
        _cleanup_free_ HeaderSpec *specs = rh.specs = calloc(rh.n + 1, sizeof(HeaderSpec));
        if (!specs)
                return -ENOMEM;
        int r = request_headers(headers, host, &rh);
        if (r < 0)
                return r;
        size_t size = strlen(method) + 1 + strlen(target) + STRLEN(" HTTP/1.1\r\n") + rh.size;

        char length[STRLEN("Content-Length: \r\n") + 21] = "";
        size_t length_len = 0;
        if (body) {
                if (!rh.have_content_type)
                        size += STRLEN(FORM_CONTENT_TYPE);
                length_len = (size_t) snprintf(length, sizeof(length), "Content-Length: %zu\r\n", body_len);
                size += length_len;
        }
        size += STRLEN("\r\n");
        if (body_len > SIZE_MAX - 1 - size)
                return -ENOMEM;
        size += body_len;

        char *b = malloc(size + 1);
        if (!b)
                return -ENOMEM;
        char *d = append(b, method, strlen(method));
        d = APPEND_LITERAL(d, " ");
        d = append(d, target, strlen(target));
        d = APPEND_LITERAL(d, " HTTP/1.1\r\n");
        if (rh.host_line)
                d = append_header(d, rh.host_line);
        for (size_t i = 0; i < rh.n; i++)
                if (specs[i].value)
                        d = append_header(d, &specs[i]);
        if (body) {
                if (!rh.have_content_type)
                        d = APPEND_LITERAL(d, FORM_CONTENT_TYPE);
                d = append(d, length, length_len);
        }
        d = APPEND_LITERAL(d, "\r\n");
        if (body_len > 0)
                d = append(d, body, body_len);
        *d = '\0';

        *ret = b;
        *ret_len = (size_t) (d - b);
        return 0;
}
