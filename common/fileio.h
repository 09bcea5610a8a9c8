/* SPDX-License-Identifier: MIT */
/* Crash-safe file replacement: write a temporary file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A reader sees the old or the new content, never a torn file. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* dir_fd may be AT_FDCWD; path is relative to it. */
int write_file_atomic_at(int dir_fd, const char *path, const void *data, size_t len, mode_t mode);
static inline int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode) {
        return write_file_atomic_at(-100 /* AT_FDCWD */, path, data, len, mode);
}
/* write(2) the whole buffer, retrying on EINTR and short writes. */
int write_all(int fd, const void *data, size_t len);
