/* SPDX-License-Identifier: MIT */
/* Whether a request comes from a page of another site (http-server.c refuses it, 403): a browser
 * sends a cross-site GET (an <img>, a fetch in no-cors mode) and shows the page nothing of the
 * answer, but the daemon's loop pays for it, and a page could repeat a costly query for ever. */
#pragma once

#include <stdbool.h>

/* host, origin and fetch_site are the request's Host, Origin and Sec-Fetch-Site (NULL: absent).
 * Cross-site: Sec-Fetch-Site other than "same-origin" or "none" (typed in the address bar), or an
 * Origin other than http:// or https:// and the Host. Scripts send neither header and pass. */
bool http_cross_site(const char *host, const char *origin, const char *fetch_site);
