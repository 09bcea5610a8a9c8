/* SPDX-License-Identifier: MIT */
/* Checks of the http probe's command-line arguments before any connection: what the probe cannot
 * use is a usage error with a message, not a failed run. */
#pragma once

/* The schemes the http probe speaks. */
#define HTTP_PROBE_SCHEMES "http and https"

/* url is scheme://host[:port][/path]: 0; -EINVAL when it is not a URL of that form,
 * -EPROTONOSUPPORT for another scheme (gopher://, file://). *ret_error (malloc'ed) says which and
 * what to give instead. */
int http_url_check(const char *url, char **ret_error);
/* A request header "Name: value" or "Name;" without CR, LF or NUL (a header cannot hold a line
 * break: it would end the header or smuggle another one). */
int http_header_check(const char *header, char **ret_error);
