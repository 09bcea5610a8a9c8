/* SPDX-License-Identifier: MIT */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

static FileFaultHook fault_hook;
static void *fault_userdata;

void fileio_set_fault_hook(FileFaultHook hook, void *userdata) {
        fault_hook = hook;
        fault_userdata = userdata;
}

const char *file_op_to_string(FileOp op) {
        static const char *const names[_FILE_OP_MAX] = { "open", "write", "fsync", "rename", "unlink", "mkdir" };
        return op >= 0 && op < _FILE_OP_MAX ? names[op] : NULL;
}

static int fault(FileOp op) {
        return fault_hook ? fault_hook(op, fault_userdata) : 0;
}

int fileio_openat(int dir_fd, const char *path, int flags, mode_t mode) {
        int r = flags & O_CREAT ? fault(FILE_OP_OPEN) : 0;
        if (r < 0)
                return r;
        int fd = openat(dir_fd, path, flags, mode);
        return fd < 0 ? negative_errno() : fd;
}

int fileio_fsync(int fd) {
        int r = fault(FILE_OP_FSYNC);
        return r < 0 ? r : fsync(fd) < 0 ? negative_errno() : 0;
}

int fileio_renameat(int dir_fd, const char *from, const char *to) {
        int r = fault(FILE_OP_RENAME);
        return r < 0 ? r : renameat(dir_fd, from, dir_fd, to) < 0 ? negative_errno() : 0;
}

int fileio_unlinkat(int dir_fd, const char *path, int flags) {
        int r = fault(FILE_OP_UNLINK);
        return r < 0 ? r : unlinkat(dir_fd, path, flags) < 0 ? negative_errno() : 0;
}

int fileio_mkdirat(int dir_fd, const char *path, mode_t mode) {
        int r = fault(FILE_OP_MKDIR);
        return r < 0 ? r : mkdirat(dir_fd, path, mode) < 0 ? negative_errno() : 0;
}

int write_all(int fd, const void *data, size_t len) {
        const char *p = data;
        while (len > 0) {
                int r = fault(FILE_OP_WRITE);
                if (r < 0)
                        return r;
                ssize_t n = write(fd, p, r > 0 && len > 1 ? len / 2 : len);        /* r > 0: a short write */
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

/* tmp == NULL: ".#BASE.PID.tmp" next to path. */
static int write_atomic(int dir_fd, const char *path, const char *tmp_name, const void *data, size_t len, mode_t mode) {
        _cleanup_free_ char *dir = strdup(path), *tmp = NULL;
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        const char *base = slash ? slash + 1 : dir;
        if (slash == dir)
                dir[1] = '\0';
        else if (slash)
                *slash = '\0';
        if (*base == '\0')
                return -EISDIR;
        if (tmp_name ? asprintf(&tmp, "%s%s%s", slash ? dir : "", slash && strcmp(dir, "/") ? "/" : "", tmp_name) < 0
                     : asprintf(&tmp, "%s%s.#%s.%d.tmp", slash ? dir : "", slash && strcmp(dir, "/") ? "/" : "", base,
                                (int) getpid()) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = fileio_openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return fd;
        int r = write_all(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = negative_errno();
        if (r >= 0)
                r = fileio_fsync(fd);
        if (r >= 0)
                r = fileio_renameat(dir_fd, tmp, path);
        if (r < 0) {
                (void) fileio_unlinkat(dir_fd, tmp, 0);
                return r;
        }
        /* Make the rename itself durable; a caller that needs durability must hear when it is not (the
         * new content is in place then, but may not survive a power loss). */
        _cleanup_close_ int dfd = openat(dir_fd, slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        return fileio_fsync(dfd);
}

int write_file_atomic_at(int dir_fd, const char *path, const void *data, size_t len, mode_t mode) {
        return write_atomic(dir_fd, path, NULL, data, len, mode);
}

int write_file_atomic_tmp_at(int dir_fd, const char *path, const char *tmp_name, const void *data, size_t len, mode_t mode) {
        return write_atomic(dir_fd, path, tmp_name, data, len, mode);
}

int fileio_read_regular(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        struct stat st;
        if (fstat(fileno(f), &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EISDIR;
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        _cleanup_free_ char *buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        size_t n = fread(buf, 1, (size_t) st.st_size, f);
        if (ferror(f))
                return -EIO;
        buf[n] = '\0';
        *ret_len = n;
        *ret = TAKE_PTR(buf);
        return 0;
}

int fileio_mkdir_p(const char *dir, mode_t mode) {
        _cleanup_free_ char *p = strdup(dir);
        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = '\0';
                int r = mkdir(p, mode) < 0 && errno != EEXIST ? -errno : 0;
                if (r < 0 || !s)
                        return r;
                *s = '/';
        }
}
