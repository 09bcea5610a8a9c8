/* SPDX-License-Identifier: MIT */
/* The HTML report's inline style and script (internal to render/). */
#pragma once

extern const char load_html_style[];
extern const char load_html_script[];
/* The base64 SHA-256 of text, as a CSP 'sha256-...' source wants it; malloc'd, NULL on failure. */
char *load_html_hash(const char *text);
/* The hashes of a page's style and script (load_html_hash), both or neither: 0 or -ENOMEM. */
int load_html_hash_pair(const char *style, const char *script, char **ret_style, char **ret_script);
