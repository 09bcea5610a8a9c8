/* SPDX-License-Identifier: MIT */
/* The monitor's loopback HTTP server (docs/monitor.md, The HTTP API): libmicrohttpd in its
 * external-event mode with epoll, driven by the daemon's sd-event loop (no thread of its own): its
 * epoll descriptor is an io source that runs MHD when readable, and a timer source wakes it at the
 * time MHD_get_timeout() asks for. GET and HEAD of a route's path answer with the route's body (a
 * route given the request, http-request.h, may refuse its arguments: 400); any other path is 404,
 * any other method 405 with Allow, all with a JSON error body. The socket is bound here, so that a
 * busy port is -EADDRINUSE for the caller to explain; libmicrohttpd itself is loaded and started at
 * the first connection (http-mhd.h), which waits in the backlog meanwhile. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "http-request.h"
#include "listen-addr.h"

typedef struct HttpRoute {
        const char *path;         /* "/metrics" */
        const char *content_type; /* "text/plain; version=0.0.4; charset=utf-8" */
        /* The body, malloc'ed, *ret_len bytes: 0; -EINVAL after http_request_refuse() (then 400);
         * another negative errno (then 500). For a HEAD (http_request_head()) the route may leave
         * *ret_body NULL and give the length alone: the server sends the headers with it. */
        int (*get)(void *userdata, HttpRequest *req, char **ret_body, size_t *ret_len);
} HttpRoute;

typedef struct HttpServer HttpServer;

/* Listens on a (not off) and serves routes (n of them, kept, not copied) on e: -errno of
 * socket(), bind() or listen() (-EADDRINUSE: the port is taken), -ENOMEM, -EIO when libmicrohttpd
 * refuses to start. token (copied; NULL: none): every request must send it (401 otherwise). On a
 * loopback address a Host that is not a loopback name is 421 (DNS rebinding); on another address
 * any Host passes, the token guards it. A request with a body is 413 at its head; a request head not whole 5 s
 * after its connection opened (or its last request ended) closes the connection, and at the
 * connection limit so does the one waiting longest (over 1 s) for its head. */
int http_server_start(sd_event *e, const ListenAddr *a, const char *token, const HttpRoute *routes, size_t n,
                      void *userdata, HttpServer **ret);
/* Another token (a reload): 0 or -ENOMEM (the old one kept). */
int http_server_set_token(HttpServer *s, const char *token);
/* Closes the socket and every connection; NULL. */
HttpServer *http_server_stop(HttpServer *s);
/* True when s gave up at its first connection (libmicrohttpd missing or refusing): it serves
 * nothing until it is started again (a reload does). */
bool http_server_gave_up(const HttpServer *s);
