/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "macro.h"
#include "http1.h"
#include "support.h"

/* One response as the parser reported it. */
typedef struct Response {
        int status;
        bool keep_alive;
        uint64_t header_bytes, body_bytes;
        size_t end;             /* offset in the stream just after the response */
} Response;

#define MAX_RESPONSES 4

/* What parsing a whole stream gave: its responses, then the error (of http1_parse or of
 * http1_parse_eof at the end of the stream), or 0. */
typedef struct Outcome {
        Response r[MAX_RESPONSES];
        size_t n;
        int error;
} Outcome;

/* Parses s[0..len) as a stream of responses, followed by the server closing the connection: fed as
 * s[0..split) then pieces of step bytes (SIZE_MAX: all the rest at once). */
static Outcome parse_stream(const char *s, size_t len, bool head, size_t split, size_t step) {
        Outcome o = {};
        Http1Parser p;
        http1_parser_init(&p, head);
        size_t pos = 0;
        while (pos < len || pos == 0) {
                size_t piece = pos < split ? split - pos : MIN(step, len - pos);
                size_t off = 0;
                for (;;) {
                        bool done = true;
                        ssize_t r = http1_parse(&p, s + pos + off, piece - off, &done);
                        if (r < 0) {
                                o.error = (int) r;
                                return o;
                        }
                        assert_true((size_t) r <= piece - off);
                        off += (size_t) r;
                        if (!done) {
                                assert_int_equal(off, piece);   /* all consumed when not done */
                                break;
                        }
                        assert_true(o.n < MAX_RESPONSES);
                        o.r[o.n++] = (Response) { p.status, p.keep_alive, p.header_bytes, p.body_bytes, pos + off };
                        assert_true(p.total_bytes >= p.header_bytes + p.body_bytes);
                        http1_parser_init(&p, head);
                        if (off == piece)
                                break;
                }
                pos += piece;
                if (len == 0)
                        break;
        }
        int r = http1_parse_eof(&p);
        if (r < 0)
                o.error = r;
        else if (r == 1) {
                assert_true(p.started);
                assert_true(o.n < MAX_RESPONSES);
                o.r[o.n++] = (Response) { p.status, p.keep_alive, p.header_bytes, p.body_bytes, len };
        } else
                assert_false(p.started);
        return o;
}

static void assert_outcome_equal(const Outcome *a, const Outcome *b) {
        assert_int_equal(a->error, b->error);
        assert_int_equal(a->n, b->n);
        for (size_t i = 0; i < a->n; i++) {
                assert_int_equal(a->r[i].status, b->r[i].status);
                assert_int_equal(a->r[i].keep_alive, b->r[i].keep_alive);
                assert_int_equal(a->r[i].header_bytes, b->r[i].header_bytes);
                assert_int_equal(a->r[i].body_bytes, b->r[i].body_bytes);
                assert_int_equal(a->r[i].end, b->r[i].end);
        }
}

/* The same outcome fed in one piece, in two pieces split at every byte, and one byte at a time. */
static void check_all_splits(const char *s, size_t len, bool head, const Outcome *want) {
        Outcome got = parse_stream(s, len, head, 0, SIZE_MAX);
        assert_outcome_equal(&got, want);
        for (size_t k = 0; k <= len; k++) {
                got = parse_stream(s, len, head, k, SIZE_MAX);
                assert_outcome_equal(&got, want);
        }
        got = parse_stream(s, len, head, 0, 1);
        assert_outcome_equal(&got, want);
}

/* Cut short at every byte: the responses that ended before the cut are as in the full stream, and the
 * server closing gives 0 (between responses), 1 (in a close-delimited body) or -EBADMSG. */
static void check_truncations(const char *s, size_t len, bool head, const Outcome *full, bool close_delimited) {
        for (size_t k = 0; k < len; k++) {
                Outcome want = { .n = 0 };
                size_t start = 0;
                while (want.n < full->n && full->r[want.n].end <= k && !(close_delimited && want.n == full->n - 1)) {
                        want.r[want.n] = full->r[want.n];
                        start = full->r[want.n].end;
                        want.n++;
                }
                if (k > start) {
                        const Response *last = &full->r[want.n];
                        if (close_delimited && want.n == full->n - 1 && k >= start + last->header_bytes) {
                                want.r[want.n] = *last;
                                want.r[want.n].body_bytes = k - start - last->header_bytes;
                                want.r[want.n].end = k;
                                want.n++;
                        } else
                                want.error = -EBADMSG;
                }
                Outcome got = parse_stream(s, k, head, 0, SIZE_MAX);
                assert_outcome_equal(&got, &want);
                got = parse_stream(s, k, head, k / 2, SIZE_MAX);
                assert_outcome_equal(&got, &want);
        }
}

#define STATUS_CL "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: t\r\n\r\n"
#define CHUNKED_BODY "5;foo=bar\r\nhello\r\n1A ; name=\"q\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n"
#define CHUNKED_TRAILER "X-Trailer: yes\r\nX-More: 1\r\n\r\n"
#define CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"
#define EARLY_HINTS "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\nContent-Length: 7\r\n\r\n"
#define OK_2 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
#define NO_CONTENT "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
#define NOT_MODIFIED "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n"
#define HEAD_OK "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
#define EMPTY_OK "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
#define V10 "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n"
#define V10_KA "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3\r\n\r\n"
#define V10_TE "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
#define CLOSE "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\n"
#define CONN_LIST "HTTP/1.1 200 OK\r\nconnection: Keep-Alive, Upgrade\r\nCONTENT-LENGTH: 3\r\n\r\n"
#define CONN_LIST_CLOSE "HTTP/1.1 200 OK\r\nConnection: foo ,CLOSE\r\nContent-Length: 3\r\n\r\n"
#define CLOSE_DELIMITED "HTTP/1.1 200 OK\r\nServer: t\r\n\r\n"
#define TE_GZIP "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
#define TE_AND_CL "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
#define LF_ONLY "HTTP/1.1 200 OK\nContent-Length: 3\n\n"
#define LF_CHUNKED "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
#define REPEATED_CL "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length:3\r\n\r\n"
#define OWS_CL "HTTP/1.1 200 OK\r\nContent-Length: \t 3 \t\r\n\r\n"
#define NO_REASON "HTTP/1.1 404\r\nContent-Length: 1\r\n\r\n"
#define EMPTY_REASON "HTTP/1.1 500 \r\nContent-Length: 1\r\n\r\n"
#define FOLDED "HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 1\r\n\r\n"

typedef struct Case {
        const char *name;
        const char *input;
        bool head;
        bool close_delimited;   /* the last response ends when the server closes */
        Response r[MAX_RESPONSES];
        size_t n;
} Case;

#define S(x) STRLEN(x)

static const Case cases[] = {
        { "content-length", STATUS_CL "hello", false, false,
          { { 200, true, S(STATUS_CL), 5, S(STATUS_CL) + 5 } }, 1 },
        { "chunked", CHUNKED_HEAD CHUNKED_BODY CHUNKED_TRAILER, false, false,
          { { 200, true, S(CHUNKED_HEAD) + S(CHUNKED_TRAILER), 31, S(CHUNKED_HEAD CHUNKED_BODY CHUNKED_TRAILER) } }, 1 },
        { "chunked-no-trailer", CHUNKED_HEAD "3\r\nabc\r\n0\r\n\r\n", false, false,
          { { 200, true, S(CHUNKED_HEAD) + 2, 3, S(CHUNKED_HEAD "3\r\nabc\r\n0\r\n\r\n") } }, 1 },
        { "continue", CONTINUE OK_2 "ok", false, false,
          { { 200, true, S(CONTINUE OK_2), 2, S(CONTINUE OK_2 "ok") } }, 1 },
        { "two-interim", CONTINUE EARLY_HINTS OK_2 "ok", false, false,
          { { 200, true, S(CONTINUE EARLY_HINTS OK_2), 2, S(CONTINUE EARLY_HINTS OK_2 "ok") } }, 1 },
        { "204-with-length", NO_CONTENT EMPTY_OK, false, false,
          { { 204, true, S(NO_CONTENT), 0, S(NO_CONTENT) },
            { 200, true, S(EMPTY_OK), 0, S(NO_CONTENT EMPTY_OK) } }, 2 },
        { "304-with-length", NOT_MODIFIED, false, false,
          { { 304, true, S(NOT_MODIFIED), 0, S(NOT_MODIFIED) } }, 1 },
        { "head", HEAD_OK HEAD_OK, true, false,
          { { 200, true, S(HEAD_OK), 0, S(HEAD_OK) }, { 200, true, S(HEAD_OK), 0, S(HEAD_OK HEAD_OK) } }, 2 },
        { "head-chunked", CHUNKED_HEAD, true, false, { { 200, true, S(CHUNKED_HEAD), 0, S(CHUNKED_HEAD) } }, 1 },
        { "http10", V10 "abc", false, false, { { 200, false, S(V10), 3, S(V10 "abc") } }, 1 },
        { "http10-keep-alive", V10_KA "abc", false, false, { { 200, true, S(V10_KA), 3, S(V10_KA "abc") } }, 1 },
        { "http10-chunked", V10_TE "1\r\nx\r\n0\r\n\r\n", false, false,
          { { 200, false, S(V10_TE) + 2, 1, S(V10_TE "1\r\nx\r\n0\r\n\r\n") } }, 1 },
        { "connection-close", CLOSE "abc", false, false, { { 200, false, S(CLOSE), 3, S(CLOSE "abc") } }, 1 },
        { "connection-list", CONN_LIST "abc", false, false, { { 200, true, S(CONN_LIST), 3, S(CONN_LIST "abc") } }, 1 },
        { "connection-list-close", CONN_LIST_CLOSE "abc", false, false,
          { { 200, false, S(CONN_LIST_CLOSE), 3, S(CONN_LIST_CLOSE "abc") } }, 1 },
        { "close-delimited", CLOSE_DELIMITED "body until close", false, true,
          { { 200, false, S(CLOSE_DELIMITED), 16, S(CLOSE_DELIMITED "body until close") } }, 1 },
        { "close-delimited-empty", CLOSE_DELIMITED, false, true,
          { { 200, false, S(CLOSE_DELIMITED), 0, S(CLOSE_DELIMITED) } }, 1 },
        { "te-not-chunked", TE_GZIP "1\r\nx\r\n", false, true,
          { { 200, false, S(TE_GZIP), 6, S(TE_GZIP "1\r\nx\r\n") } }, 1 },
        { "te-and-length", TE_AND_CL "2\r\nab\r\n0\r\n\r\n", false, false,
          { { 200, false, S(TE_AND_CL) + 2, 2, S(TE_AND_CL "2\r\nab\r\n0\r\n\r\n") } }, 1 },
        { "lf-only", LF_ONLY "abc", false, false, { { 200, true, S(LF_ONLY), 3, S(LF_ONLY "abc") } }, 1 },
        { "lf-only-chunked", LF_CHUNKED "3;x\nabc\n0\nT: 1\n\n", false, false,
          { { 200, true, S(LF_CHUNKED "T: 1\n\n"), 3, S(LF_CHUNKED "3;x\nabc\n0\nT: 1\n\n") } }, 1 },
        { "repeated-length", REPEATED_CL "abc", false, false,
          { { 200, true, S(REPEATED_CL), 3, S(REPEATED_CL "abc") } }, 1 },
        { "length-ows", OWS_CL "abc", false, false, { { 200, true, S(OWS_CL), 3, S(OWS_CL "abc") } }, 1 },
        { "no-reason", NO_REASON "x", false, false, { { 404, true, S(NO_REASON), 1, S(NO_REASON "x") } }, 1 },
        { "empty-reason", EMPTY_REASON "x", false, false,
          { { 500, true, S(EMPTY_REASON), 1, S(EMPTY_REASON "x") } }, 1 },
        { "obs-fold-other", FOLDED "x", false, false, { { 200, true, S(FOLDED), 1, S(FOLDED "x") } }, 1 },
        { "back-to-back", STATUS_CL "hello" CHUNKED_HEAD CHUNKED_BODY CHUNKED_TRAILER NO_CONTENT CLOSE "abc", false, false,
          { { 200, true, S(STATUS_CL), 5, S(STATUS_CL "hello") },
            { 200, true, S(CHUNKED_HEAD CHUNKED_TRAILER), 31, S(STATUS_CL "hello" CHUNKED_HEAD CHUNKED_BODY CHUNKED_TRAILER) },
            { 204, true, S(NO_CONTENT), 0, S(STATUS_CL "hello" CHUNKED_HEAD CHUNKED_BODY CHUNKED_TRAILER NO_CONTENT) },
            { 200, false, S(CLOSE), 3, S(STATUS_CL "hello" CHUNKED_HEAD CHUNKED_BODY CHUNKED_TRAILER NO_CONTENT CLOSE "abc") } },
          4 },
};

static Outcome case_outcome(const Case *c) {
        Outcome o = { .n = c->n };
        memcpy(o.r, c->r, sizeof(o.r));
        return o;
}

static void test_response_cases(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Case *c = &cases[i];
                Outcome want = case_outcome(c);
                print_message("case %s\n", c->name);
                assert_int_equal(c->r[c->n - 1].end, strlen(c->input));
                check_all_splits(c->input, strlen(c->input), c->head, &want);
        }
}

static void test_truncated(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Case *c = &cases[i];
                Outcome want = case_outcome(c);
                print_message("case %s\n", c->name);
                check_truncations(c->input, strlen(c->input), c->head, &want, c->close_delimited);
        }
}

typedef struct Bad {
        const char *input;
        int error;
} Bad;

static const Bad bad[] = {
        { "HTTP/1.1 20 OK\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 2000 OK\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 099 OK\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 abc OK\r\n\r\n", -EBADMSG },
        { "HTTP/1.1  200 OK\r\n\r\n", -EBADMSG },
        { "HTTP/2 200 OK\r\n\r\n", -EBADMSG },
        { "HTTP/2.0 200 OK\r\n\r\n", -EBADMSG },
        { "http/1.1 200 OK\r\n\r\n", -EBADMSG },
        { "HTTP/1.1\r\n\r\n", -EBADMSG },
        { "\r\nHTTP/1.1 200 OK\r\n\r\n", -EBADMSG },
        { "garbage\n", -EBADMSG },
        { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" EMPTY_OK, -EBADMSG },
        { CONTINUE "HTTP/1.1 101 Switching Protocols\r\n\r\n" EMPTY_OK, -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 304 Not Modified\r\nContent-Length: 5, 6\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n 6\r\n\r\nhello", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n", -EBADMSG },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n", -EBADMSG },
};

static void test_malformed(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                Outcome want = { .error = bad[i].error };
                print_message("bad case %zu\n", i);
                check_all_splits(bad[i].input, strlen(bad[i].input), false, &want);
        }
        /* A chunk size that fits is accepted (the data is then cut short). */
        const char *big = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n";
        Outcome want = { .error = -EBADMSG };
        Outcome got = parse_stream(big, strlen(big), false, 0, SIZE_MAX);
        assert_outcome_equal(&got, &want);
        Http1Parser p;
        bool done;
        http1_parser_init(&p, false);
        assert_int_equal(http1_parse(&p, big, strlen(big), &done), strlen(big));
        assert_false(done);
        assert_int_equal(http1_parse_eof(&p), -EBADMSG);
}

/* A response whose header section is size bytes: filler fields of up to field bytes each. */
static char *make_big_header(size_t size, size_t field, const char *last_field, size_t *ret_len) {
        const char *head = "HTTP/1.1 200 OK\r\n";
        char *s = malloc(size + 1);
        assert_non_null(s);
        size_t n = strlen(head), tail = strlen(last_field) + 2;
        memcpy(s, head, n);
        assert_true(size >= n + tail + 8);
        while (n < size - tail) {
                /* "X:aaa...\r\n", the last one taking the rest (at least 4 bytes each). */
                size_t rest = size - tail - n, k = rest < field + 4 ? rest : field;
                memcpy(s + n, "X:", 2);
                memset(s + n + 2, 'a', k - 4);
                memcpy(s + n + k - 2, "\r\n", 2);
                n += k;
        }
        memcpy(s + n, last_field, tail - 2);
        memcpy(s + n + tail - 2, "\r\n", 2);
        n += tail;
        assert_int_equal(n, size);
        s[n] = '\0';
        *ret_len = n;
        return s;
}

/* Fed in one piece, in uneven pieces, and one byte at a time (every split is too slow at 100 KiB). */
static void check_some_splits(const char *s, size_t len, const Outcome *want) {
        Outcome got = parse_stream(s, len, false, 0, SIZE_MAX);
        assert_outcome_equal(&got, want);
        got = parse_stream(s, len, false, len / 3, 4096);
        assert_outcome_equal(&got, want);
        got = parse_stream(s, len, false, 0, 1);
        assert_outcome_equal(&got, want);
}

static void test_header_limit(void **state) {
        size_t len;
        /* Exactly 100 KiB: fine, whether the lines are short or longer than the line buffer. */
        size_t fields[] = { 100, 5000, 60000 };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                char *s = make_big_header(HTTP1_HEADER_MAX, fields[i], "Content-Length: 0\r\n", &len);
                Outcome want = { .r = { { 200, true, HTTP1_HEADER_MAX, 0, len } }, .n = 1 };
                check_some_splits(s, len, &want);
                free(s);

                /* One byte more: too big, however it is fed. */
                s = make_big_header(HTTP1_HEADER_MAX + 1, fields[i], "Content-Length: 0\r\n", &len);
                want = (Outcome) { .error = -E2BIG };
                check_some_splits(s, len, &want);
                free(s);
        }

        /* A line that never ends. */
        char *s = malloc(200 * 1024);
        assert_non_null(s);
        memcpy(s, "HTTP/1.1 200 OK\r\nX: ", 20);
        memset(s + 20, 'a', 200 * 1024 - 20);
        Outcome want = { .error = -E2BIG };
        Outcome got = parse_stream(s, 200 * 1024, false, 0, 1000);
        size_t n;
        assert_outcome_equal(&got, &want);
        free(s);

        /* A chunk line (with its extensions) is bounded by the same size. */
        size_t head = S(CHUNKED_HEAD "1;");
        n = head + HTTP1_HEADER_MAX + 10;
        s = malloc(n);
        assert_non_null(s);
        memcpy(s, CHUNKED_HEAD "1;", head);
        memset(s + head, 'e', n - head);
        Http1Parser p;
        http1_parser_init(&p, false);
        ssize_t r = 0;
        size_t pos = 0;
        for (bool done = false; pos < n && r >= 0; pos += (size_t) r)
                r = http1_parse(&p, s + pos, MIN((size_t) 1000, n - pos), &done);
        assert_int_equal(r, -EBADMSG);  /* by http1_parse itself, not only at the end of the stream */
        assert_true(pos > HTTP1_HEADER_MAX - 1000 && pos <= head + HTTP1_HEADER_MAX);
        free(s);

        /* Interim responses count too: an endless stream of 100 Continue is stopped. */
        n = (HTTP1_HEADER_MAX / STRLEN(CONTINUE) + 1) * STRLEN(CONTINUE);
        s = malloc(n);
        assert_non_null(s);
        for (size_t i = 0; i < n; i += STRLEN(CONTINUE))
                memcpy(s + i, CONTINUE, STRLEN(CONTINUE));
        want = (Outcome) { .error = -E2BIG };
        got = parse_stream(s, n, false, 0, SIZE_MAX);
        assert_outcome_equal(&got, &want);
        free(s);
}

static void test_long_lines(void **state) {
        char *s = NULL;
        Outcome want;

        /* Long fields we do not interpret, and a long reason phrase, are skipped however fed. */
        size_t reason = 3000, other = 5000;
        size_t len = 13 + reason + 2 + 3 + other + 2 + STRLEN("Content-Length: 2\r\n\r\nok");
        s = malloc(len + 1);
        assert_non_null(s);
        char *d = s;
        d = stpcpy(d, "HTTP/1.1 200 ");
        memset(d, 'r', reason);
        d = stpcpy(d + reason, "\r\nX: ");
        memset(d, 'v', other);
        d = stpcpy(d + other, "\r\nContent-Length: 2\r\n\r\nok");
        assert_int_equal((size_t) (d - s), len);
        want = (Outcome) { .r = { { 200, true, len - 2, 2, len } }, .n = 1 };
        check_all_splits(s, len, false, &want);
        free(s);

        /* The same length once more for a field we interpret: refused. */
        size_t pad = HTTP1_LINE_MAX;
        len = STRLEN("HTTP/1.1 200 OK\r\nConnection: ") + pad + STRLEN("close\r\n\r\n");
        s = malloc(len + 1);
        assert_non_null(s);
        d = stpcpy(s, "HTTP/1.1 200 OK\r\nConnection: ");
        memset(d, ' ', pad);
        stpcpy(d + pad, "close\r\n\r\n");
        want = (Outcome) { .error = -EBADMSG };
        check_all_splits(s, len, false, &want);
        free(s);

        /* Exactly HTTP1_LINE_MAX (with or without CR) is still parsed whole. */
        for (int cr = 0; cr <= 1; cr++) {
                const char *prefix = "Content-Length:";
                size_t line = HTTP1_LINE_MAX;
                len = STRLEN("HTTP/1.1 200 OK\r\n") + line + (cr ? 2 : 1) + 2 + 3;
                s = malloc(len + 1);
                assert_non_null(s);
                d = stpcpy(s, "HTTP/1.1 200 OK\r\n");
                d = stpcpy(d, prefix);
                memset(d, ' ', line - strlen(prefix) - 1);
                d += line - strlen(prefix) - 1;
                d = stpcpy(d, cr ? "3\r\n\r\nabc" : "3\n\r\nabc");
                assert_int_equal((size_t) (d - s), len);
                want = (Outcome) { .r = { { 200, true, len - 3, 3, len } }, .n = 1 };
                check_all_splits(s, len, false, &want);
                free(s);
        }

        /* A chunk extension longer than the line buffer is skipped; digits that run past it are not. */
        const char *head = CHUNKED_HEAD "3;";
        len = strlen(head) + 2000 + STRLEN("\r\nabc\r\n0\r\n\r\n");
        s = malloc(len + 1);
        assert_non_null(s);
        d = stpcpy(s, head);
        memset(d, 'e', 2000);
        stpcpy(d + 2000, "\r\nabc\r\n0\r\n\r\n");
        want = (Outcome) { .r = { { 200, true, S(CHUNKED_HEAD) + 2, 3, len } }, .n = 1 };
        check_all_splits(s, len, false, &want);
        memset(s + S(CHUNKED_HEAD), '0', HTTP1_LINE_MAX + 10);      /* 000...0eee: a long chunk size */
        want = (Outcome) { .error = -EBADMSG };
        check_all_splits(s, len, false, &want);
        free(s);
}

/* Feeds the body from memory that cannot be read: the parser must skip it without looking. */
static void test_body_skipped_unread(void **state) {
        const size_t size = (size_t) 1 << 30;
        char *none = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        assert_true(none != MAP_FAILED);
        Http1Parser p;
        bool done;

        const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 3221225472\r\n\r\n";      /* 3 GiB */
        http1_parser_init(&p, false);
        assert_int_equal(http1_parse(&p, h, strlen(h), &done), strlen(h));
        assert_false(done);
        for (int i = 0; i < 2; i++) {
                assert_int_equal(http1_parse(&p, none, size, &done), size);
                assert_false(done);
        }
        assert_int_equal(http1_parse(&p, none, size, &done), size);
        assert_true(done);
        assert_int_equal(p.body_bytes, (uint64_t) 3 << 30);
        assert_true(p.keep_alive);
        assert_int_equal(http1_parse_eof(&p), 1);

        h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40000000\r\n";
        http1_parser_init(&p, false);
        assert_int_equal(http1_parse(&p, h, strlen(h), &done), strlen(h));
        assert_int_equal(http1_parse(&p, none, size, &done), size);
        assert_false(done);
        assert_int_equal(http1_parse(&p, "\r\n0\r\n\r\nnext", 11, &done), 7);
        assert_true(done);
        assert_int_equal(p.body_bytes, size);

        h = "HTTP/1.1 200 OK\r\n\r\n";
        http1_parser_init(&p, false);
        assert_int_equal(http1_parse(&p, h, strlen(h), &done), strlen(h));
        assert_int_equal(http1_parse(&p, none, size, &done), size);
        assert_false(done);
        assert_int_equal(http1_parse_eof(&p), 1);
        assert_int_equal(p.body_bytes, size);
        assert_false(p.keep_alive);
        munmap(none, size);
}

static void test_parser_state(void **state) {
        Http1Parser p;
        bool done = true;

        /* Nothing seen: the server closed an idle kept-alive connection. */
        http1_parser_init(&p, false);
        assert_false(p.started);
        assert_int_equal(http1_parse(&p, "", 0, &done), 0);
        assert_false(done);
        assert_false(p.started);
        assert_int_equal(http1_parse_eof(&p), 0);

        assert_int_equal(http1_parse(&p, "H", 1, &done), 1);
        assert_true(p.started);
        assert_int_equal(http1_parse_eof(&p), -EBADMSG);

        /* After the end nothing more is consumed until the parser is initialized again. */
        const char *two = EMPTY_OK EMPTY_OK;
        http1_parser_init(&p, false);
        assert_int_equal(http1_parse(&p, two, strlen(two), &done), S(EMPTY_OK));
        assert_true(done);
        assert_int_equal(http1_parse(&p, two + S(EMPTY_OK), S(EMPTY_OK), &done), 0);
        assert_true(done);
        assert_int_equal(p.total_bytes, S(EMPTY_OK));
        http1_parser_init(&p, false);
        assert_false(p.started);
        assert_int_equal(p.header_bytes, 0);
        assert_int_equal(http1_parse(&p, two + S(EMPTY_OK), S(EMPTY_OK), &done), S(EMPTY_OK));
        assert_true(done);
        assert_int_equal(p.status, 200);

        /* total_bytes counts the framing as well. */
        const char *c = CHUNKED_HEAD CHUNKED_BODY CHUNKED_TRAILER;
        http1_parser_init(&p, false);
        assert_int_equal(http1_parse(&p, c, strlen(c), &done), strlen(c));
        assert_true(done);
        assert_int_equal(p.total_bytes, strlen(c));
        assert_int_equal(p.body_bytes, 31);
}

/* Request building. */

static void check_request(const char *method, const char *target, const char *host, char *const *headers,
                          const char *body, size_t body_len, const char *want, size_t want_len) {
        char *r = NULL;
        size_t n = 0;
        assert_int_equal(http1_request_build(method, target, host, headers, body, body_len, &r, &n), 0);
        assert_non_null(r);
        assert_int_equal(n, want_len);
        assert_memory_equal(r, want, want_len);
        assert_int_equal(r[n], '\0');
        free(r);
}

#define CHECK_REQUEST(method, target, host, headers, body, body_len, want) \
        check_request(method, target, host, headers, body, body_len, want, STRLEN(want))

static void test_request_build(void **state) {
        CHECK_REQUEST("GET", "/", "example.com", NULL, NULL, 0, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
        CHECK_REQUEST("GET", "/a?b=c", "example.com:8080", (char *[]) { NULL }, NULL, 0,
                      "GET /a?b=c HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
        CHECK_REQUEST("POST", "/submit", "h", NULL, "a=1&b=2", 7,
                      "POST /submit HTTP/1.1\r\nHost: h\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2");
        CHECK_REQUEST("POST", "/", "h", ((char *[]) { "content-type: application/json", "X-A: 1", NULL }), "{}", 2,
                      "POST / HTTP/1.1\r\nHost: h\r\ncontent-type: application/json\r\nX-A: 1\r\n"
                      "Content-Length: 2\r\n\r\n{}");
        /* Content-Type: with no value drops the default one. */
        CHECK_REQUEST("PUT", "/", "h", ((char *[]) { "Content-Type:", NULL }), "", 0,
                      "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        /* A body with a NUL byte in it. */
        CHECK_REQUEST("POST", "/", "h", NULL, "a\0b", 3,
                      "POST / HTTP/1.1\r\nHost: h\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na\0b");
        /* Host override, in the place of the default line. */
        CHECK_REQUEST("GET", "/", "example.com", ((char *[]) { "X-A: 1", "host: other:81", NULL }), NULL, 0,
                      "GET / HTTP/1.1\r\nhost: other:81\r\nX-A: 1\r\n\r\n");
        CHECK_REQUEST("GET", "/", NULL, ((char *[]) { "Host: only", NULL }), NULL, 0,
                      "GET / HTTP/1.1\r\nHost: only\r\n\r\n");
        /* "Host:" drops the Host line. */
        CHECK_REQUEST("GET", "/", "example.com", ((char *[]) { "Host:", NULL }), NULL, 0, "GET / HTTP/1.1\r\n\r\n");
        /* Dropped, empty and trimmed headers. */
        CHECK_REQUEST("GET", "/x", "h",
                      ((char *[]) { "Accept:", "X-Empty;", "User-Agent:   skytune/1 \t", "X-B:c", "Accept:  ", NULL }),
                      NULL, 0, "GET /x HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nUser-Agent: skytune/1\r\nX-B: c\r\n\r\n");
        CHECK_REQUEST("OPTIONS", "*", "h", ((char *[]) { "X-Value: a: b; c", NULL }), NULL, 0,
                      "OPTIONS * HTTP/1.1\r\nHost: h\r\nX-Value: a: b; c\r\n\r\n");
}

static void check_request_invalid(const char *method, const char *target, const char *host, char *const *headers,
                                  const char *body, size_t body_len) {
        char *r = NULL;
        size_t n = 17;
        assert_int_equal(http1_request_build(method, target, host, headers, body, body_len, &r, &n), -EINVAL);
        assert_null(r);
        assert_int_equal(n, 17);
}

static void test_request_build_invalid(void **state) {
        check_request_invalid("", "/", "h", NULL, NULL, 0);
        check_request_invalid(NULL, "/", "h", NULL, NULL, 0);
        check_request_invalid("G T", "/", "h", NULL, NULL, 0);
        check_request_invalid("GET\r\n", "/", "h", NULL, NULL, 0);
        check_request_invalid("GET", "", "h", NULL, NULL, 0);
        check_request_invalid("GET", NULL, "h", NULL, NULL, 0);
        check_request_invalid("GET", "/a b", "h", NULL, NULL, 0);
        check_request_invalid("GET", "/\n", "h", NULL, NULL, 0);
        check_request_invalid("GET", "/\r", "h", NULL, NULL, 0);
        check_request_invalid("GET", "/", "h\r\nX: 1", NULL, NULL, 0);
        check_request_invalid("GET", "/", NULL, NULL, NULL, 0);
        check_request_invalid("POST", "/", "h", NULL, NULL, 5);
        const char *bad_headers[] = {
                "X: a\r\nInjected: 1", "X: a\nb", "X: a\r", "X\r: a", "X\n: a", "Content-Length: 5",
                "content-length:", "Content-Length;", "Transfer-Encoding: chunked", "NoColon", ": value",
                "; x", "X; y", "Bad Name: v", "Bad\tName: v", "Name :v",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_headers); i++) {
                char *h[] = { "X-Ok: 1", (char *) bad_headers[i], NULL };
                check_request_invalid("GET", "/", "h", h, NULL, 0);
                check_request_invalid("POST", "/", "h", h, "x", 1);
        }
        check_request_invalid("GET", "/", "h", ((char *[]) { "Host: a", "Host: b", NULL }), NULL, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_response_cases),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_header_limit),
                cmocka_unit_test(test_long_lines),
                cmocka_unit_test(test_body_skipped_unread),
                cmocka_unit_test(test_parser_state),
                cmocka_unit_test(test_request_build),
                cmocka_unit_test(test_request_build_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
