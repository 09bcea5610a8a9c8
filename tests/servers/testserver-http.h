/* SPDX-License-Identifier: MIT */
/* testserver-http: how skytune-testserver reads a request head. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct TestRequest {
        char path[1024];
        size_t content_length;
        bool close;             /* Connection: close, or HTTP/1.0 */
        bool bad;               /* not "METHOD PATH HTTP/1.x" (or a path over 1023 bytes) */
} TestRequest;

/* head: len bytes up to and with the blank line ("\r\n\r\n"). */
void testserver_parse_head(const char *head, size_t len, TestRequest *r);
