/* SPDX-License-Identifier: MIT */
/* libmicrohttpd, loaded when the HTTP API takes its first connection (http-mhd.c): linked, it and
 * the TLS stack Debian's build brings (GnuTLS, p11-kit, nettle, gmp, libtasn1, libidn2,
 * libunistring) cost the daemon 2.5 MB of RSS, 0.3 MB of it private, from its start, scraped or not
 * (docs/monitor.md, Figures). */
#pragma once

/* Loads it (once): NULL once it is, else why not (a sentence). */
const char *http_mhd_missing(void);
/* After a failed load, the next http_mhd_missing() tries again (a reload: the package may have
 * been installed meanwhile); once loaded, it stays. */
void http_mhd_try_again(void);
