/* SPDX-License-Identifier: MIT */
/* Names from the host (process comm, device, interface and unit names, strings read from files)
 * are bytes that any local user may choose, not text. Before they reach a JSON document or a
 * terminal, every byte that is not part of printable UTF-8 becomes "\xNN": JSON encoding never
 * fails on them, and no control character or escape sequence reaches a terminal. Printable text
 * passes unchanged, so escaping twice changes nothing. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* True when s is printable UTF-8 (no C0/C1 control character, no DEL, no malformed sequence). */
bool text_is_printable(const char *s);
/* Escaped copy (malloc'ed); NULL only when out of memory. */
char *text_escape(const char *s);
/* Escaped into buf, always NUL-terminated, cut at a character boundary when buf is too small.
 * Returns buf. */
char *text_escape_buf(char *buf, size_t size, const char *s);
/* json_string() of the escaped text: NULL only when out of memory (s NULL gives JSON null). */
json_t *json_text(const char *s);
/* Escapes, in place, every string and object key of doc that is not printable: a document read
 * from a file or another process can then be shown on a terminal as it is. Returns 0 or -ENOMEM. */
int json_escape_tree(json_t *doc);
