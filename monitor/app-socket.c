/* SPDX-License-Identifier: MIT */
/* The application socket (app-socket.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "app-socket.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"

/* Datagrams read at one wake-up: the loop comes back at once for the rest (level-triggered), and
 * the tick and signals are not kept waiting behind a flood. */
#define BATCH        256
#define BATCH_BYTES  (1u << 20)
#define DATAGRAM_MAX 65536
#define DROP_LOG_MS  60000

struct AppSocket {
        char *path;
        int fd;
        ino_t ino; /* the socket file's, to remove only our own at the end */
        sd_event_source *io;
        AppMetrics *metrics;
        uint64_t unlogged; /* drops since the last line about them */
        int64_t logged_ms; /* when that line was written; -1: never */
        AppDropNote last;
        char buf[DATAGRAM_MAX];
};

static void drops_log(AppSocket *s, int64_t now_ms) {
        if (s->unlogged == 0 || (s->logged_ms >= 0 && now_ms - s->logged_ms < DROP_LOG_MS))
                return;
        const AppDropNote *n = &s->last;
        const char *what = "";
        switch (n->reason) {
        case APP_DROP_BAD_JSON: what = "a line is not a JSON object (or is over 4096 bytes)"; break;
        case APP_DROP_OVER_CAP: what = "a new endpoint/method or metric past app_max_series (raise it)"; break;
        case APP_DROP_TRUNCATED: what = "a datagram over 64 KiB (send fewer records in one)"; break;
        default: break;
        }
        if (n->reason == APP_DROP_BAD_FIELD)
                log_warning("%s: dropped %" PRIu64 " application records%s; the last: bad_field '%s' must be %s "
                            "(docs/monitor.md, Application metrics)",
                            s->path, s->unlogged, s->logged_ms >= 0 ? " since the last report" : "", n->field, n->why);
        else
                log_warning("%s: dropped %" PRIu64 " application records%s; the last: %s: %s "
                            "(docs/monitor.md, Application metrics)",
                            s->path, s->unlogged, s->logged_ms >= 0 ? " since the last report" : "",
                            app_drop_name(n->reason), what);
        s->unlogged = 0;
        s->logged_ms = now_ms;
}

static int64_t now_ms(void) {
        return (int64_t) (time_now_monotonic_usec() / 1000u);
}

/* Reads what is queued, bounded in datagrams and bytes so that a flood of large datagrams cannot
 * hold the tick. */
static void read_batch(AppSocket *s, int fd) {
        size_t bytes = 0;
        for (int i = 0; i < BATCH && bytes < BATCH_BYTES; i++) {
                ssize_t n = recv(fd, s->buf, sizeof(s->buf), MSG_DONTWAIT | MSG_TRUNC);
                if (n < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                log_warning_errno(-errno, "%s: cannot read: %m", s->path);
                        break;
                }
                bytes += (size_t) MIN((size_t) n, sizeof(s->buf));
                if ((size_t) n > sizeof(s->buf)) {
                        app_metrics_drop(s->metrics, APP_DROP_TRUNCATED, 1);
                        s->last = (AppDropNote) { APP_DROP_TRUNCATED, NULL, NULL };
                        s->unlogged++;
                        continue;
                }
                int k = app_metrics_feed(s->metrics, s->buf, (size_t) n, &s->last);
                if (k == -ENOMEM) { /* a negative return would turn the source off for good */
                        log_error_errno(k, "%s: out of memory: a datagram of application records is lost", s->path);
                        break;
                }
                s->unlogged += (uint64_t) MAX(k, 0);
        }
        drops_log(s, now_ms());
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        read_batch(userdata, fd);
        return 0;
}

void app_socket_drain(AppSocket *s) {
        if (s)
                read_batch(s, s->fd);
}

void app_socket_tick(AppSocket *s) {
        if (s)
                drops_log(s, now_ms());
}

/* A socket file already at the path: replaced when nobody reads it (a daemon that died). */
static int stale_remove(const char *path, const struct sockaddr_un *sa) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(st.st_mode))
                return -EEXIST;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        int r = connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) < 0 ? -errno : 0;
        close(fd);
        /* Only "nobody listens" is stale; EACCES, EAGAIN (a full queue) and the rest may be a live one. */
        if (r != -ECONNREFUSED)
                return r == 0 ? -EADDRINUSE : r;
        return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

static int bind_path(AppSocket *s) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(s->path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, s->path);
        int r = stale_remove(s->path, &sa);
        if (r < 0)
                return r;
        if ((s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
                return -errno;
        /* Any local process may report: the file is made 0666 by bind() itself (the umask for its
         * length: the daemon has one thread), never chmod()ed by path afterwards. */
        mode_t old = umask(0111);
        r = bind(s->fd, (const struct sockaddr *) &sa, sizeof(sa)) < 0 ? -errno : 0;
        umask(old);
        struct stat st;
        if (r == 0 && lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode))
                s->ino = st.st_ino;
        return r;
}

int app_socket_open(sd_event *e, const char *path, AppMetrics *m, AppSocket **ret) {
        AppSocket *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (AppSocket) { .fd = -1, .metrics = m, .logged_ms = -1 };
        int r = (s->path = strdup(path)) ? bind_path(s) : -ENOMEM;
        if (r >= 0)
                r = sd_event_add_io(e, &s->io, s->fd, EPOLLIN, on_readable, s);
        if (r < 0) {
                app_socket_close(s);
                return r;
        }
        *ret = s;
        return 0;
}

AppSocket *app_socket_close(AppSocket *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->io);
        struct stat st;
        if (s->ino != 0 && lstat(s->path, &st) == 0 && st.st_ino == s->ino)
                (void) unlink(s->path);
        if (s->fd >= 0)
                close(s->fd);
        free(s->path);
        free(s);
        return NULL;
}
