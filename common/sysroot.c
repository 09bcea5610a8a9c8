/* SPDX-License-Identifier: MIT */
#include "sysroot.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"

#define SYSROOT_READ_MAX (16u * 1024 * 1024)

struct Sysroot {
        int fd;
        bool host;
        bool no_openat2;
        char *path;
};

int sysroot_open(const char *path, Sysroot **ret) {
        if (isempty(path))
                path = "/";

        _cleanup_free_ Sysroot *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->fd < 0)
                return negative_errno();
        r->path = realpath(path, NULL);
        if (!r->path) {
                int e = negative_errno();
                close(r->fd);
                return e;
        }
        r->host = strcmp(r->path, "/") == 0;
        *ret = TAKE_PTR(r);
        return 0;
}

Sysroot *sysroot_free(Sysroot *root) {
        if (!root)
                return NULL;
        if (root->fd >= 0)
                close(root->fd);
        free(root->path);
        free(root);
        return NULL;
}

const char *sysroot_path(const Sysroot *root) {
        return root->path;
}

bool sysroot_is_host(const Sysroot *root) {
        return root->host;
}

static bool has_dotdot(const char *rel) {
        for (const char *p = rel; (p = strstr(p, "..")); p += 2)
                if ((p == rel || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
                        return true;
        return false;
}

int sysroot_openat(const Sysroot *root, const char *rel, int flags, int mode) {
        while (*rel == '/')
                rel++;
        if (*rel == '\0')
                rel = ".";

        if (root->host) {
                int fd = openat(root->fd, rel, flags | O_CLOEXEC, mode);
                return fd < 0 ? negative_errno() : fd;
        }

        /* Fixture trees: resolve symlinks and ".." as if the tree were "/". */
        if (!root->no_openat2) {
                struct open_how how = {
                        .flags = (uint64_t) (flags | O_CLOEXEC),
                        .mode = (flags & (O_CREAT | O_TMPFILE)) ? (uint64_t) mode : 0,
                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
                };
                long fd = syscall(SYS_openat2, root->fd, rel, &how, sizeof(how));
                if (fd >= 0)
                        return (int) fd;
                if (errno != ENOSYS)
                        return negative_errno();
                ((Sysroot *) root)->no_openat2 = true;
        }
        if (has_dotdot(rel))
                return -EXDEV;
        int fd = openat(root->fd, rel, flags | O_CLOEXEC, mode);
        return fd < 0 ? negative_errno() : fd;
}

int sysroot_opendir(const Sysroot *root, const char *rel, DIR **ret) {
        int fd = sysroot_openat(root, rel, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0)
                return fd;
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = negative_errno();
                close(fd);
                return e;
        }
        *ret = d;
        return 0;
}

bool sysroot_exists(const Sysroot *root, const char *rel) {
        int fd = sysroot_openat(root, rel, O_PATH, 0);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

int sysroot_readlink(const Sysroot *root, const char *rel, char **ret) {
        _cleanup_free_ char *dir = strdup(rel);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        const char *base = rel;
        if (slash) {
                *slash = '\0';
                base = rel + (slash - dir) + 1;
        } else
                dir[0] = '\0';
        if (*base == '\0')
                return -EINVAL;

        _cleanup_close_ int dfd = sysroot_openat(root, dir, O_PATH | O_DIRECTORY, 0);
        if (dfd < 0)
                return dfd;
        char buf[4096];
        ssize_t n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        char *s = strdup(buf);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* A procfs seq_file gives at most its buffer's page of records a read: a short read of a file that
 * iterates (vmstat, net/tcp, diskstats) is not its end. One shorter than this is, unless its next
 * record were longer than the rest of the page; no /proc or /sys record a collector reads is. */
#define SHORT_READ_EOF_MAX 2048

/* Read fd from offset 0 to EOF into *buf (grown as needed, NUL-terminated). With short_is_eof a
 * short read of less than SHORT_READ_EOF_MAX in all ends the loop: a small file (a sysfs
 * attribute, loadavg, meminfo) then costs one read(2), not a second that would only return 0. */
static int read_all_at0(int fd, char **buf, size_t *cap, size_t *ret_len, bool short_is_eof) {
        size_t len = 0;
        for (;;) {
                if (*cap - len < 2) {
                        size_t ncap = *cap ? *cap * 2 : 4096;
                        if (ncap > SYSROOT_READ_MAX + 1)
                                return -EFBIG;
                        char *nb = realloc(*buf, ncap);
                        if (!nb)
                                return -ENOMEM;
                        *buf = nb;
                        *cap = ncap;
                }
                ssize_t n = pread(fd, *buf + len, *cap - len - 1, (off_t) len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                size_t asked = *cap - len - 1;
                len += (size_t) n;
                if (short_is_eof && (size_t) n < asked && len < SHORT_READ_EOF_MAX)
                        break;
        }
        (*buf)[len] = '\0';
        *ret_len = len;
        return 0;
}

/* A file to read: opened without blocking (a FIFO in a fixture tree would wait for a writer forever)
 * and refused unless it is a regular file (procfs and sysfs attributes are) of at most the cap. */
static int open_regular(const Sysroot *root, const char *rel) {
        int fd = sysroot_openat(root, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
        if (fd < 0)
                return fd;
        struct stat st;
        int r = fstat(fd, &st) < 0              ? negative_errno()
                : !S_ISREG(st.st_mode)          ? -EBADFD
                : st.st_size > SYSROOT_READ_MAX ? -EFBIG
                                                : 0;
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

int sysroot_read_file(const Sysroot *root, const char *rel, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open_regular(root, rel);
        if (fd < 0)
                return fd;
        _cleanup_free_ char *buf = NULL;
        size_t cap = 0, len;
        int r = read_all_at0(fd, &buf, &cap, &len, false);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int sysroot_read_line(const Sysroot *root, const char *rel, char **ret) {
        char *s;
        int r = sysroot_read_file(root, rel, &s, NULL);
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = '\0';
        *ret = s;
        return 0;
}

int sysroot_read_u64(const Sysroot *root, const char *rel, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = sysroot_read_line(root, rel, &s);
        if (r < 0)
                return r;
        const char *p = s;
        while (*p == ' ' || *p == '\t')
                p++;
        if (*p < '0' || *p > '9')
                return -EBADMSG;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        while (*end == ' ' || *end == '\t')
                end++;
        if (*end != '\0')
                return -EBADMSG;
        *ret = v;
        return 0;
}

int kept_file_open(KeptFile *f, const Sysroot *root, const char *rel) {
        kept_file_close(f);
        int fd = open_regular(root, rel);
        if (fd < 0)
                return fd;
        f->fd = fd;
        return 0;
}

int kept_file_read(KeptFile *f, const char **ret, size_t *ret_len) {
        if (f->fd < 0)
                return -EBADF;
        size_t len;
        int r = read_all_at0(f->fd, &f->buf, &f->cap, &len, true);
        if (r < 0)
                return r;
        *ret = f->buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int kept_file_read_head(KeptFile *f, size_t max, const char **ret, size_t *ret_len, bool *ret_whole) {
        if (f->fd < 0)
                return -EBADF;
        if (max == 0 || max > SYSROOT_READ_MAX)
                return -EINVAL;
        if (f->cap < max + 1) {
                char *nb = realloc(f->buf, max + 1);
                if (!nb)
                        return -ENOMEM;
                f->buf = nb;
                f->cap = max + 1;
        }
        /* Up to max bytes or the end: a read gives at most a page of a seq_file (see above). */
        size_t len = 0;
        bool whole = false;
        while (len < max) {
                ssize_t n = pread(f->fd, f->buf + len, max - len, (off_t) len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0) {
                        whole = true;
                        break;
                }
                len += (size_t) n;
        }
        if (!whole) {
                const char *nl = memrchr(f->buf, '\n', len);
                len = nl ? (size_t) (nl - f->buf) + 1 : 0;
        }
        f->buf[len] = '\0';
        *ret = f->buf;
        *ret_len = len;
        *ret_whole = whole;
        return 0;
}

void kept_file_close(KeptFile *f) {
        if (f->fd >= 0)
                close(f->fd);
        free(f->buf);
        *f = KEPT_FILE_INIT;
}
