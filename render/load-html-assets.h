/* SPDX-License-Identifier: MIT */
/* The HTML report's inline style and script (internal to render/). */
#pragma once

extern const char load_html_style[];
extern const char load_html_script[];
/* The base64 SHA-256 of text, as a CSP 'sha256-...' source wants it; malloc'd, NULL on failure. */
char *load_html_hash(const char *text);
