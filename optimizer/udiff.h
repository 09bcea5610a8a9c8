/* SPDX-License-Identifier: MIT */
/* Unified diff of two texts, line by line, with three lines of context (as diff -u). */
#pragma once

/* old NULL: the file does not exist (--- /dev/null); new NULL: it is removed. *ret is "" when the
 * texts are equal. */
int udiff(const char *path, const char *old, const char *new, char **ret);
