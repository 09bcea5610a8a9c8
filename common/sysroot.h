/* SPDX-License-Identifier: MIT */
/* Every /proc, /sys and /etc access goes through a Sysroot, so the same code runs against the real
 * root or a fixture tree. Paths are relative to the root ("proc/stat"); a leading '/' is ignored.
 * Lookups resolve inside the root (openat2 RESOLVE_IN_ROOT where the kernel has it), so an absolute
 * symlink in a fixture tree stays in the tree and ".." cannot climb out of it. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Sysroot Sysroot;

/* path NULL or "" means "/". */
int sysroot_open(const char *path, Sysroot **ret);
Sysroot *sysroot_free(Sysroot *root);
const char *sysroot_path(const Sysroot *root);
bool sysroot_is_host(const Sysroot *root);

/* open(2) of a relative path inside the root; returns an fd or a negative errno. */
int sysroot_openat(const Sysroot *root, const char *rel, int flags, int mode);
int sysroot_opendir(const Sysroot *root, const char *rel, DIR **ret);
bool sysroot_exists(const Sysroot *root, const char *rel);
/* readlink(2) inside the root; returns a malloc'ed NUL-terminated string. */
int sysroot_readlink(const Sysroot *root, const char *rel, char **ret);

/* Whole file, NUL-terminated; *ret_len excludes the NUL. Capped at 16 MiB (-EFBIG beyond); anything but
 * a regular file (a FIFO, a socket, a device) is refused with -EBADFD, without blocking. */
int sysroot_read_file(const Sysroot *root, const char *rel, char **ret, size_t *ret_len);
/* First line without the trailing newline. */
int sysroot_read_line(const Sysroot *root, const char *rel, char **ret);
/* A file holding one unsigned decimal number (white space around it allowed). */
int sysroot_read_u64(const Sysroot *root, const char *rel, uint64_t *ret);

/* A file kept open across samples and re-read with pread(2) at offset 0: about half the cost of
 * open/read/close per sample for procfs and sysfs files. */
typedef struct KeptFile {
        int fd;
        char *buf;
        size_t cap;
} KeptFile;

#define KEPT_FILE_INIT ((KeptFile) { .fd = -1 })

int kept_file_open(KeptFile *f, const Sysroot *root, const char *rel);
/* Reads the whole file again; *ret points into f's buffer (NUL-terminated) until the next read. */
int kept_file_read(KeptFile *f, const char **ret, size_t *ret_len);
/* The first max bytes at most, cut back to the end of the last whole line; *ret_whole is false when
 * the file may go on past them. A seq_file of records (/proc/vmstat) formats only the records asked
 * for: kernel time saved when the lines wanted come first. */
int kept_file_read_head(KeptFile *f, size_t max, const char **ret, size_t *ret_len, bool *ret_whole);
void kept_file_close(KeptFile *f);
static inline bool kept_file_is_open(const KeptFile *f) {
        return f->fd >= 0;
}
