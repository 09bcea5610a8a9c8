/* SPDX-License-Identifier: MIT */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"

int conn_fd_reserve(Worker *w, curl_socket_t fd) {
        size_t i = (size_t) fd;
        if (i < w->n_fd_state)
                return 0;
        size_t n = MAX(i + 1, MAX(w->n_fd_state * 2, (size_t) 64));
        uint8_t *t = realloc(w->fd_state, n);
        if (!t)
                return -ENOMEM;
        w->fd_state = t;
        unsigned *s = realloc(w->fd_slot, n * sizeof(unsigned));
        if (!s)
                return -ENOMEM;         /* fd_state grew alone: n_fd_state still bounds both */
        w->fd_slot = s;
        memset(t + w->n_fd_state, 0, n - w->n_fd_state);
        w->n_fd_state = n;
        return 0;
}

int conn_epoll_set(Worker *w, curl_socket_t fd, int op, unsigned bits) {
        struct epoll_event ev = {
                .events = (bits & FD_IN ? EPOLLIN : 0) | (bits & FD_OUT ? EPOLLOUT : 0),
                .data.fd = fd,
        };
        int r = epoll_ctl(w->epfd, op, fd, &ev);
        /* The table and the kernel disagree when a socket was closed behind our back (which takes it
         * out of epoll) and its number was reused: do the other operation. */
        if (r < 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
                r = epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
        else if (r < 0 && op == EPOLL_CTL_MOD && errno == ENOENT)
                r = epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
        else if (r < 0 && op == EPOLL_CTL_DEL && (errno == ENOENT || errno == EBADF))
                r = 0;
        return r < 0 ? -errno : 0;
}

int conn_want(Worker *w, curl_socket_t fd, unsigned bits) {
        uint8_t *st = &w->fd_state[fd];
        int r = 0;
        if (!(*st & FD_REGISTERED))
                r = conn_epoll_set(w, fd, EPOLL_CTL_ADD, bits);
        else if ((*st & (FD_IN | FD_OUT)) != bits)
                r = conn_epoll_set(w, fd, EPOLL_CTL_MOD, bits);
        if (r >= 0)
                *st = (uint8_t) ((*st & ~(FD_IN | FD_OUT)) | FD_REGISTERED | bits);
        return r;
}

/* libcurl's socket callback, for the sockets of connections being made. A socket it lets go of when
 * its connect-only transfer is done stays registered (parked) for the slot to take over. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp) {
        Worker *w = userp;
        if (fd < 0)
                return 0;
        if (conn_fd_reserve(w, fd) < 0) {
                w->cb_error = -ENOMEM;
                return -1;
        }
        uint8_t *st = &w->fd_state[fd];
        if (*st & FD_EXCHANGE)
                return 0;               /* the slot's now */
        int r = 0;
        if (what == CURL_POLL_REMOVE) {
                if ((*st & FD_REGISTERED) && !(*st & FD_OURS))
                        r = conn_epoll_set(w, fd, EPOLL_CTL_DEL, 0);
                *st = (uint8_t) (*st & FD_OURS ? *st & ~FD_WANTED : 0);
        } else {
                r = conn_want(w, fd, (unsigned) what & (FD_IN | FD_OUT));
                *st |= FD_WANTED;
        }
        if (r < 0) {
                w->cb_error = r;
                return -1;
        }
        return 0;
}

static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a) {
        Worker *w = clientp;
        int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
        if (fd < 0)
                return CURL_SOCKET_BAD;
        if (conn_fd_reserve(w, fd) < 0)
                goto fail;
        if (w->n_fresh == w->fresh_cap) {
                size_t cap = MAX(w->fresh_cap * 2, (size_t) 16);
                int *f = realloc(w->fresh, cap * sizeof(int));
                if (!f)
                        goto fail;
                w->fresh = f;
                w->fresh_cap = cap;
        }
        /* A new file: whatever had this number left epoll when it closed. */
        w->fd_state[fd] = FD_OURS | FD_FRESH;
        w->fresh[w->n_fresh++] = fd;
        return fd;
fail:
        close(fd);
        return CURL_SOCKET_BAD;
}

static int close_socket(void *clientp, curl_socket_t fd) {
        Worker *w = clientp;
        if ((size_t) fd < w->n_fd_state)
                w->fd_state[fd] = 0;
        return close(fd);
}

/* libcurl's timer callback: when it next wants CURL_SOCKET_TIMEOUT (0: at once, -1: never). */
static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
        Worker *w = userp;
        w->timer_ns = timeout_ms < 0 ? UINT64_MAX
                      : timeout_ms == 0 ? 0 : loadgen_now_ns() + (uint64_t) timeout_ms * 1000000;
        return 0;
}

int conn_setup_multi(Worker *w, unsigned nslots) {
        w->multi = curl_multi_init();
        if (!w->multi)
                return -ENOMEM;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (w->epfd < 0)
                return -errno;
        w->timer_ns = UINT64_MAX;
        curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long) nslots);
        curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
        curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
        curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
        return 0;
}

int conn_setup_easy(Worker *w, Slot *slot, const LoadgenConfig *cfg, Error *err) {
        CURL *e = slot->easy = curl_easy_init();
        if (!e)
                return -ENOMEM;
        long timeout_ms = (long) ((cfg->timeout_s > 0 ? cfg->timeout_s : 10) * 1000);
        CURLcode c = CURLE_OK;
#define SET(opt, val) if (c == CURLE_OK) c = curl_easy_setopt(e, opt, val)
        SET(CURLOPT_CURLU, w->url);                     /* parsed once, not for every connection */
        SET(CURLOPT_CONNECT_ONLY, 1L);
        SET(CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);        /* what TLS's ALPN offers */
        SET(CURLOPT_PRIVATE, slot);
        SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
        SET(CURLOPT_OPENSOCKETDATA, w);
        SET(CURLOPT_CLOSESOCKETFUNCTION, close_socket);
        SET(CURLOPT_CLOSESOCKETDATA, w);
        SET(CURLOPT_NOSIGNAL, 1L);
        SET(CURLOPT_TIMEOUT_MS, timeout_ms);            /* of connecting, here */
        SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        SET(CURLOPT_PROXY, "");                         /* never through a proxy from the environment */
        SET(CURLOPT_NOPROXY, "*");
        SET(CURLOPT_PROTOCOLS_STR, "http,https");
        SET(CURLOPT_TCP_NODELAY, 1L);
        if (cfg->cacert)
                SET(CURLOPT_CAINFO, cfg->cacert);
#undef SET
        if (c != CURLE_OK) {
                return error_set(err, -EINVAL, "cannot configure the connection to '%s': %s", cfg->url,
                                 curl_easy_strerror(c));
        }
        slot->fd = -1;
        return 0;
}

void conn_close(Worker *w, Slot *slot) {
        if (slot->fd >= 0 && (size_t) slot->fd < w->n_fd_state)
                w->fd_state[slot->fd] &= (uint8_t) ~FD_EXCHANGE;
        slot->fd = -1;
        if (slot->in_multi)
                curl_multi_remove_handle(w->multi, slot->easy);
        slot->in_multi = false;
}

int conn_open(Worker *w, Slot *slot) {
        conn_close(w, slot);
        if (curl_multi_add_handle(w->multi, slot->easy) != CURLM_OK)
                return -ENOMEM;
        slot->in_multi = true;
        slot->reused = false;
        return 0;
}

/* epoll_pwait2 (Linux 5.11) takes the timeout in nanoseconds: with epoll_wait's whole milliseconds,
 * the open model's requests went out 0.6 ms late on average, which its latency (from the intended
 * send time) then counted as the server's. */
static int wait_events(Worker *w, struct epoll_event *events, int max, uint64_t timeout_ns) {
        if (!w->no_pwait2) {
                struct timespec ts = { .tv_sec = (time_t) (timeout_ns / 1000000000), .tv_nsec = (long) (timeout_ns % 1000000000) };
                int n = epoll_pwait2(w->epfd, events, max, &ts, NULL);
                if (n >= 0 || (errno != ENOSYS && errno != EPERM))     /* EPERM: an older seccomp filter */
                        return n;
                w->no_pwait2 = true;
        }
        return epoll_wait(w->epfd, events, max, (int) ((timeout_ns + 999999) / 1000000));
}

int conn_wait(Worker *w, struct epoll_event *events, int max, uint64_t timeout_ns) {
        int n = wait_events(w, events, max, timeout_ns);
        int saved = errno;
        for (size_t i = 0; i < w->n_fresh; i++)
                w->fd_state[w->fresh[i]] &= (uint8_t) ~FD_FRESH;
        w->n_fresh = 0;
        errno = saved;
        return n;
}

int conn_drive(Worker *w, curl_socket_t fd, int bits) {
        int running;
        if (curl_multi_socket_action(w->multi, fd, bits, &running) != CURLM_OK)
                return -EIO;
        return w->cb_error < 0 ? w->cb_error : 0;
}
