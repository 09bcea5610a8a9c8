/* SPDX-License-Identifier: MIT */
/* One request as the HTTP API's routes see it (http-server.h): its method and its query arguments
 * (a key may repeat: series=a&series=b), and the route's way to refuse an argument with a 400 whose
 * JSON body names the argument and what it accepts. In the library, not the server, so that tests,
 * the bench and the fuzz target build requests from a query string without libmicrohttpd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Bounds of one request's query: more arguments, or a longer key or value, is refused (400). */
#define HTTP_REQUEST_ARGS_MAX 64
#define HTTP_REQUEST_ARG_MAX  1024

typedef struct HttpRequest HttpRequest;

/* A request of method "GET" or "HEAD" with no arguments yet: -ENOMEM. */
int http_request_new(bool head, HttpRequest **ret);
HttpRequest *http_request_free(HttpRequest *r);

/* One argument, copied (value NULL: a key without '=', taken as ""). -E2BIG past the bounds above
 * (the request then answers 400 saying so), -ENOMEM. */
int http_request_add_arg(HttpRequest *r, const char *key, const char *value);
/* The arguments of a query string ("a=1&b=%20x", no '?'), percent- and '+'-decoded: the errors of
 * http_request_add_arg, -EINVAL for a bad escape (the request answers 400). */
int http_request_parse_query(HttpRequest *r, const char *query);

/* HEAD: the route may leave the body out and give its length only (HttpRoute). */
bool http_request_head(const HttpRequest *r);
/* How many times key was given, and its i-th value (NULL when fewer). */
size_t http_request_count(const HttpRequest *r, const char *key);
const char *http_request_arg(const HttpRequest *r, const char *key, size_t i);
/* The first argument whose key is not one of keys (NULL-terminated): a route refuses unknown
 * arguments so that a typo is not silently ignored. NULL: none. */
const char *http_request_unknown(const HttpRequest *r, const char *const *keys);

/* Refuses the request: it answers 400 with {"error": why, "argument": key, "accepted": accepted}
 * (key NULL: no argument named). Returns -EINVAL, for the route to return. The first refusal wins. */
int http_request_refuse(HttpRequest *r, const char *key, const char *why, const char *accepted);
/* The refusal, if any: why (NULL: none), key and accepted (may be NULL). */
const char *http_request_refusal(const HttpRequest *r, const char **ret_key, const char **ret_accepted);
