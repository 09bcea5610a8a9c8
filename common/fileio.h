/* SPDX-License-Identifier: MIT */
/* Crash-safe file replacement: write a temporary file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A reader sees the old or the new content, never a torn file. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* dir_fd may be AT_FDCWD; path is relative to it. */
int write_file_atomic_at(int dir_fd, const char *path, const void *data, size_t len, mode_t mode);
/* The same with a temporary file of a name the caller chose (a file name in path's directory), so that
 * it can record the name before and remove a leftover after a crash. */
int write_file_atomic_tmp_at(int dir_fd, const char *path, const char *tmp_name, const void *data, size_t len, mode_t mode);
static inline int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode) {
        return write_file_atomic_at(-100 /* AT_FDCWD */, path, data, len, mode);
}
/* write(2) the whole buffer, retrying on EINTR and short writes. */
int write_all(int fd, const void *data, size_t len);

/* Test hook (fault injection): when set, every write, file creation, fsync, rename, unlink and mkdir
 * made through these functions asks it first; a negative errno fails that call as the kernel would.
 * For a write, a positive return makes it a short write of half the buffer (the rest is asked for
 * again). Unset (the default) it costs one NULL check. Only skytune-helper's --test-fault sets it. */
typedef enum FileOp { FILE_OP_OPEN, FILE_OP_WRITE, FILE_OP_FSYNC, FILE_OP_RENAME, FILE_OP_UNLINK, FILE_OP_MKDIR, _FILE_OP_MAX } FileOp;
typedef int (*FileFaultHook)(FileOp op, void *userdata);
void fileio_set_fault_hook(FileFaultHook hook, void *userdata);
const char *file_op_to_string(FileOp op);
/* The calls, returning a new fd or 0, or a negative errno. */
int fileio_openat(int dir_fd, const char *path, int flags, mode_t mode);
int fileio_fsync(int fd);
int fileio_renameat(int dir_fd, const char *from, const char *to);
int fileio_unlinkat(int dir_fd, const char *path, int flags);
int fileio_mkdirat(int dir_fd, const char *path, mode_t mode);

/* mkdir -p: dir and its missing parents (mode for each made). */
int fileio_mkdir_p(const char *dir, mode_t mode);

/* A regular file of at most max bytes, NUL-terminated (*ret_len: its length). -EFBIG past max, -EISDIR
 * for anything but a regular file. */
int fileio_read_regular(const char *path, size_t max, char **ret, size_t *ret_len);
