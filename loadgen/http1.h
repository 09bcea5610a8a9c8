/* SPDX-License-Identifier: MIT */
/* http1: the bytes of an HTTP/1.1 request, built once, and an incremental response parser.
 *
 * The load engine (loadgen/) lets libcurl open the connection and then runs the request/response
 * exchange on the kept-alive connection itself: the request bytes are built once and written again
 * and again, and the response is parsed as it arrives, in pieces of any size. The parser stores no header (only
 * Content-Length, Transfer-Encoding and Connection are interpreted), does not allocate, and skips body
 * bytes without reading them. Library code: nothing here prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The header section of a response (status line and header fields, with those of interim 1xx
 * responses and the trailer section) may be this long; one byte more is -E2BIG. */
#define HTTP1_HEADER_MAX (100u * 1024u)
/* Lines up to this long (without their CRLF) are parsed whole; of a longer line only its first
 * HTTP1_LINE_MAX bytes are looked at, and a longer Content-Length, Transfer-Encoding or Connection
 * line is -EBADMSG. */
#define HTTP1_LINE_MAX 1024u

typedef struct Http1Parser {
        /* private */
        uint8_t state;
        uint8_t minor;                  /* HTTP/1.<minor> */
        uint8_t last_field;             /* the field an obs-fold line would continue */
        bool head;
        bool have_length, have_te, chunked, conn_close, conn_keep_alive;
        uint64_t content_length;
        uint64_t remaining;             /* of the body or of the current chunk */
        size_t line_len;                /* bytes of the current line held in line[] */
        size_t line_total;              /* bytes of the current line seen so far (up to its LF) */
        char line[HTTP1_LINE_MAX + 1];

        int status;             /* final status code of the response being parsed / just ended (100..999) */
        bool keep_alive;        /* after a response has ended: the connection may carry the next request */
        bool started;           /* at least one byte of this response has been seen */
        uint64_t header_bytes, body_bytes;  /* of the response that ended (body: payload bytes after de-chunking) */
        uint64_t total_bytes;   /* every byte of the response: interim responses, headers, framing, body, trailers */
} Http1Parser;

/* head: the request was HEAD, so the response has no body whatever its headers say. */
void http1_parser_init(Http1Parser *p, bool head);

/* Feeds n bytes of the response stream. Returns how many bytes were consumed (0..n), or -EBADMSG for a
 * malformed response (bad status line, bad or conflicting Content-Length, bad chunk size, ...) or
 * -E2BIG when the header section exceeds 100 KiB. *done is set true when the response ended at the
 * returned offset (status/keep_alive/sizes are then final, and the caller calls http1_parser_init again
 * before feeding the rest, which belongs to the next response); otherwise all n bytes were consumed.
 * Fed again after it ended (without http1_parser_init), it consumes nothing and sets *done again. */
ssize_t http1_parse(Http1Parser *p, const char *buf, size_t n, bool *done);

/* The server closed the connection. Returns 1 when that ends the response (a close-delimited body),
 * 0 when no byte of a response had been seen (p->started false: a kept-alive connection the server had
 * closed; the caller may retry the request on a fresh connection), -EBADMSG when the response was cut
 * short (in the headers, or before Content-Length or the last chunk). A response that had already
 * ended gives 1 again. */
int http1_parse_eof(Http1Parser *p);

/* Builds the request bytes once: "METHOD TARGET HTTP/1.1\r\nHost: HOST\r\n" then each of headers
 * ("Name: value"; a header named Host replaces the default Host line; a header given as "Name:" with
 * an empty value is dropped (libcurl's convention for removing a default header); "Name;" sends the
 * header with an empty value, as libcurl does), then, when body is not NULL, "Content-Type:
 * application/x-www-form-urlencoded" unless a Content-Type header was given, and "Content-Length: N"
 * (always, computed from body_len; a user-given Content-Length header is refused with -EINVAL), then
 * "\r\n" and the body. Header names and values containing CR, LF or NUL, and a method or target with
 * spaces/CR/LF/empty, are refused with -EINVAL. *ret is malloc'ed.
 *
 * Also: headers are sent as "Name: value" (white space around the value dropped) or "Name:" when
 * empty; a Host header takes the place of the default Host line (right after the request line);
 * more than one Host header, a Transfer-Encoding header (the body is always sent with a
 * Content-Length), a header without ':' (or ';' as the last character), a name that is empty or
 * holds white space or control characters, a NULL host without a Host header, and a NULL body with
 * body_len > 0 are -EINVAL. *ret is NUL-terminated after *ret_len bytes; untouched on failure. */
int http1_request_build(const char *method, const char *target, const char *host,
                        char *const *headers /* NULL-terminated, may be NULL */,
                        const char *body, size_t body_len, char **ret, size_t *ret_len);
