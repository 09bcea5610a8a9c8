/* SPDX-License-Identifier: MIT */
/* Owned files: the persistent forms of changes, written whole and atomically through the sysroot.
 * Which files and their format are common/owned-file.h's (the dry run renders them the same way).
 * The journal keeps each file's previous content (or its absence), so that a rollback restores it
 * byte for byte or removes it, and the directories an apply had to create. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "helper-core.h"
#include "log.h"
#include "owned-file.h"

#define OWNED_FILE_MAX (256 * 1024)

bool persist_path_is_systemd(const char *path) {
        return strncmp(path, "etc/systemd/", STRLEN("etc/systemd/")) == 0;
}

/* The owned files' format is common/owned-file.c's, shared with the dry run; here their paths lose
 * the leading '/' (journal paths are relative to the sysroot). */
int persist_file_for(TunableKind kind, const char *key, char **ret_path) {
        _cleanup_free_ char *path = NULL;
        int r = owned_file_for(kind, key, &path);
        if (r < 0)
                return r;
        if (!path)
                return -EOPNOTSUPP;        /* running processes only */
        *ret_path = strdup(path + 1);
        return *ret_path ? 0 : -ENOMEM;
}

/* -ELOOP when the owned file, or a directory on its path below etc/, is a symbolic link: writing
 * through it would change the link's target, and the atomic rename would replace the link itself. */
static int check_no_links(Helper *h, const char *path) {
        if (!startswith(path, "etc/"))
                return -EINVAL;
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p + STRLEN("etc/"), '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = '\0';
                struct stat st;
                _cleanup_close_ int fd = sysroot_openat(h->root, p, O_PATH | O_NOFOLLOW, 0);
                if (fd == -ENOENT)
                        return 0;        /* nothing below it exists either */
                if (fd < 0)
                        return fd;
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                if (S_ISLNK(st.st_mode))
                        return -ELOOP;
                if (!s)
                        return 0;
                *s = '/';
        }
}

int persist_read_file(Helper *h, const char *path, char **ret_content, bool *ret_exists) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = check_no_links(h, path);
        if (r < 0)
                return r;
        r = sysroot_read_file(h->root, path, &text, &len);
        if (r == -ENOENT) {
                *ret_content = NULL;
                *ret_exists = false;
                return 0;
        }
        if (r < 0)
                return r;
        if (len > OWNED_FILE_MAX || strlen(text) != len)
                return -EBADMSG;        /* not a file skytune wrote: refuse to take it over */
        *ret_content = TAKE_PTR(text);
        *ret_exists = true;
        return 0;
}

int persist_read_value(Helper *h, TunableKind kind, const char *key, char **ret) {
        _cleanup_free_ char *path = NULL, *content = NULL;
        bool exists;
        int r = persist_file_for(kind, key, &path);
        if (r < 0)
                return r;
        r = persist_read_file(h, path, &content, &exists);
        if (r < 0)
                return r;
        return exists ? owned_file_parse_value(content, kind, key, ret) : -ENOENT;
}


static int split_dir(const char *path, char **ret_dir, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        *ret_dir = strndup(path, (size_t) (slash - path));
        *ret_base = slash + 1;
        return *ret_dir ? 0 : -ENOMEM;
}

/* Create (or, with !create, only list) the missing directories of dir (relative, below etc/),
 * appending each to created_dirs. */
static int make_dirs(Helper *h, const char *dir, json_t *created_dirs, bool create) {
        _cleanup_free_ char *p = strdup(dir);
        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = '\0';
                _cleanup_close_ int fd = sysroot_openat(h->root, p, O_PATH | O_DIRECTORY, 0);
                if (fd == -ENOENT) {
                        _cleanup_free_ char *parent = NULL;
                        const char *base;
                        if (split_dir(p, &parent, &base) < 0)
                                return -EINVAL;
                        _cleanup_close_ int pfd = create ? sysroot_openat(h->root, parent, O_PATH | O_DIRECTORY, 0) : -EBADF;
                        if (create && pfd < 0)
                                return pfd;
                        int r = create ? fileio_mkdirat(pfd, base, 0755) : 0;
                        if (r < 0 && r != -EEXIST)
                                return r;
                        if (created_dirs)
                                json_array_append_new(created_dirs, json_string(p));
                } else if (fd < 0)
                        return fd;
                if (!s)
                        return 0;
                *s = '/';
        }
}

int persist_missing_dirs(Helper *h, const char *path, json_t *ret_dirs) {
        _cleanup_free_ char *dir = NULL;
        const char *base;
        int r = split_dir(path, &dir, &base);
        return r < 0 ? r : make_dirs(h, dir, ret_dirs, false);
}

/* The temporary file of an owned file's atomic write: one fixed name per file (one helper at a time
 * writes them), so that a rollback or recovery knows what a crash may have left. */
static int temp_name(const char *base, char **ret) {
        return asprintf(ret, ".#%s.skytune.tmp", base) < 0 ? -ENOMEM : 0;
}

int persist_remove_temp(Helper *h, const char *path) {
        _cleanup_free_ char *dir = NULL, *tmp = NULL;
        const char *base;
        int r = split_dir(path, &dir, &base);
        if (r < 0 || (r = temp_name(base, &tmp)) < 0)
                return r;
        _cleanup_close_ int dfd = sysroot_openat(h->root, dir, O_RDONLY | O_DIRECTORY, 0);
        if (dfd < 0)
                return dfd == -ENOENT ? 0 : dfd;
        r = fileio_unlinkat(dfd, tmp, 0);
        return r == -ENOENT ? 0 : r;
}

int persist_write_file(Helper *h, const char *path, const char *content, json_t *created_dirs) {
        _cleanup_free_ char *dir = NULL;
        const char *base;
        int r = split_dir(path, &dir, &base);
        if (r >= 0)
                r = check_no_links(h, path);
        if (r < 0)
                return r;
        if (content) {
                r = make_dirs(h, dir, created_dirs, true);
                if (r < 0)
                        return r;
        }
        _cleanup_close_ int dfd = sysroot_openat(h->root, dir, O_RDONLY | O_DIRECTORY, 0);
        if (dfd < 0)
                return dfd == -ENOENT && !content ? 0 : dfd;
        if (content) {
                _cleanup_free_ char *tmp = NULL;
                r = temp_name(base, &tmp);
                if (r >= 0) {
                        (void) unlinkat(dfd, tmp, 0);        /* left by a crash: ours by its name */
                        r = write_file_atomic_tmp_at(dfd, base, tmp, content, strlen(content), 0644);
                }
        } else {
                r = fileio_unlinkat(dfd, base, 0);
                if (r == -ENOENT)
                        r = 0;
                if (r >= 0)
                        r = fileio_fsync(dfd);
        }
        helper_count_write(h);
        return r;
}

int persist_remove_dirs(Helper *h, const char *path, json_t *created_dirs) {
        int ret = 0;
        for (size_t i = json_array_size(created_dirs); i > 0; i--) {
                const char *p = json_string_value(json_array_get(created_dirs, i - 1));
                _cleanup_free_ char *parent = NULL;
                const char *base;
                /* From the journal: only directories on the owned file's own path below etc/. */
                if (!p || !startswith(p, "etc/") || strstr(p, "/.") || !startswith(path, p) || path[strlen(p)] != '/' ||
                    split_dir(p, &parent, &base) < 0)
                        continue;
                _cleanup_close_ int pfd = sysroot_openat(h->root, parent, O_PATH | O_DIRECTORY, 0);
                int r = pfd < 0 ? pfd : fileio_unlinkat(pfd, base, AT_REMOVEDIR);        /* only if empty */
                /* Not empty: someone else's files are in it now, so it stays. */
                if (r < 0 && r != -ENOENT && r != -ENOTEMPTY && r != -EEXIST && ret == 0)
                        ret = log_error_errno(r, "cannot remove the directory %s that skytune created: %m", p);
        }
        return ret;
}

void persist_reload_systemd(Helper *h, json_t *tx) {
        bool any = false;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(tx, "files"), i, f) {
                const char *path = json_string_value(json_object_get(f, "path"));
                any = any || (path && persist_path_is_systemd(path));
        }
        if (!any)
                return;
        if (!sysroot_is_host(h->root)) {
                tx_note(tx, "systemd drop-ins were written below a sysroot: no daemon-reload was requested");
                return;
        }
        if (access("/run/systemd/system", F_OK) < 0 || !h->hooks.reload_systemd) {
                tx_note(tx, "systemd is not running as PID 1: no daemon-reload was requested; the drop-ins take effect when systemd next loads its configuration");
                return;
        }
        _cleanup_(error_done) Error why = ERROR_NULL;
        int r = h->hooks.reload_systemd(h->hooks.userdata, &why);
        if (r < 0) {
                tx_note(tx, "systemd daemon-reload failed: %s", why.message ?: strerror(-r));
                log_warning("systemd daemon-reload failed: %s", why.message ?: strerror(-r));
        } else
                tx_note(tx, "systemd daemon-reload requested (DefaultLimit*= in system.conf.d needs a daemon-reexec or reboot)");
}
