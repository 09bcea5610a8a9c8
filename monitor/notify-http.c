/* SPDX-License-Identifier: MIT */
/* HTTP posts and emails through libcurl's multi interface, driven by sd-event (notify-send-internal.h):
 * curl tells which sockets to watch and when to wake it, the loop tells curl what happened. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl-api.h"
#include "macro.h"
#include "notify-send-internal.h"
#include "time-util.h"

struct NotifyHttp {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;
        struct Post *posts; /* in flight */
};

typedef struct Post {
        struct Post *next;
        NotifyHttp *h;
        CURL *easy;
        NotifyTransport transport;
        struct curl_slist *headers, *rcpt;
        char *url, *body;
        size_t sent; /* of body, for an email's upload */
        notify_done_fn done;
        void *userdata;
        char retry_after[64];
        char answer[160]; /* the start of the receiver's answer, for the log */
        size_t answer_n;
        char error[CURL_ERROR_SIZE];
} Post;

static void post_free(Post *p) {
        if (!p)
                return;
        if (p->easy) {
                curl_multi_remove_handle(p->h->multi, p->easy);
                curl_easy_cleanup(p->easy);
        }
        curl_slist_free_all(p->headers);
        curl_slist_free_all(p->rcpt);
        free(p->url);
        free(p->body);
        free(p);
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata) {
        Post *p = userdata;
        size_t len = size * n;
        static const char name[] = "retry-after:";
        if (len > strlen(name) && strncasecmp(data, name, strlen(name)) == 0) {
                size_t v = MIN(len - strlen(name), sizeof(p->retry_after) - 1);
                memcpy(p->retry_after, data + strlen(name), v);
                p->retry_after[v] = '\0';
        }
        return len;
}

static size_t on_answer(char *data, size_t size, size_t n, void *userdata) {
        Post *p = userdata;
        size_t len = size * n, room = sizeof(p->answer) - 1 - p->answer_n, take = MIN(len, room);
        for (size_t i = 0; i < take; i++) /* one line of printable text for the log */
                p->answer[p->answer_n++] = data[i] >= 0x20 && data[i] < 0x7f ? data[i] : ' ';
        p->answer[p->answer_n] = '\0';
        return len;
}

static size_t on_upload(char *buf, size_t size, size_t n, void *userdata) {
        Post *p = userdata;
        size_t left = strlen(p->body) - p->sent, take = MIN(left, size * n);
        memcpy(buf, p->body + p->sent, take);
        p->sent += take;
        return take;
}

static void finished(NotifyHttp *h, CURL *easy, CURLcode code) {
        Post *p = NULL, **pp = &h->posts;
        for (; *pp; pp = &(*pp)->next)
                if ((*pp)->easy == easy) {
                        p = *pp;
                        *pp = p->next;
                        break;
                }
        if (!p)
                return;
        NotifyResult res = { .retry_after_ms = -1 };
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        res.status = status;
        /* An SMTP status is the last reply, which may be a 250 before the failure (STARTTLS refused, a
         * timeout after RCPT): a failed transfer is never sent, and refused only on a 5xx. */
        if (p->transport == NOTIFY_SMTP)
                res.outcome = code == CURLE_OK ? NOTIFY_SENT
                        : status >= 500        ? notify_smtp_outcome(status)
                                               : NOTIFY_RETRY;
        else
                res.outcome = code == CURLE_OK ? notify_http_outcome(status) : NOTIFY_RETRY;
        while (p->answer_n > 0 && p->answer[p->answer_n - 1] == ' ')
                p->answer[--p->answer_n] = '\0';
        if (code != CURLE_OK)
                snprintf(res.detail, sizeof(res.detail), "%s", p->error[0] ? p->error : curl_easy_strerror(code));
        else if (res.outcome != NOTIFY_SENT)
                snprintf(res.detail, sizeof(res.detail), "%s %ld%s%s", p->transport == NOTIFY_SMTP ? "reply" : "HTTP",
                         status, p->answer_n ? ": " : "", p->answer);
        int64_t wait;
        if (p->retry_after[0] &&
            notify_retry_after(p->retry_after, (int64_t) (time_now_realtime_usec() / 1000u), &wait) == 0)
                res.retry_after_ms = wait;
        notify_done_fn done = p->done;
        void *userdata = p->userdata;
        post_free(p);
        done(userdata, &res);
}

static void drain(NotifyHttp *h) {
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(h->multi, &left)))
                if (m->msg == CURLMSG_DONE)
                        finished(h, m->easy_handle, m->data.result);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        NotifyHttp *h = userdata;
        int flags = (revents & EPOLLIN ? CURL_CSELECT_IN : 0) | (revents & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                (revents & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        int running;
        curl_multi_socket_action(h->multi, fd, flags, &running);
        drain(h);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        NotifyHttp *h = userdata;
        int running;
        curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        drain(h);
        return 0;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userdata, void *socketp) {
        NotifyHttp *h = userdata;
        sd_event_source *s = socketp;
        if (what == CURL_POLL_REMOVE) {
                sd_event_source_disable_unref(s);
                curl_multi_assign(h->multi, fd, NULL);
                return 0;
        }
        uint32_t events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
        if (s)
                return sd_event_source_set_io_events(s, events) < 0 ? -1 : 0;
        if (sd_event_add_io(h->event, &s, fd, events, on_io, h) < 0)
                return -1;
        curl_multi_assign(h->multi, fd, s);
        return 0;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userdata) {
        NotifyHttp *h = userdata;
        if (timeout_ms < 0)
                return sd_event_source_set_enabled(h->timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        uint64_t now;
        sd_event_now(h->event, CLOCK_MONOTONIC, &now);
        /* 0 means "now": a zero-length timer, run on the next loop iteration rather than from inside curl. */
        return sd_event_source_set_time(h->timer, now + (uint64_t) timeout_ms * 1000u) < 0 ||
                        sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT) < 0
                ? -1
                : 0;
}

int notify_http_new(sd_event *event, NotifyHttp **ret, Error *e) {
        int r = curl_api_load(e);
        if (r < 0)
                return r;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return error_set(e, -ENOMEM, "cannot start libcurl");
        NotifyHttp *h = calloc(1, sizeof(*h));
        if (!h || !(h->multi = curl_multi_init())) {
                free(h);
                return error_set(e, -ENOMEM, "out of memory");
        }
        h->event = sd_event_ref(event);
        r = sd_event_add_time(event, &h->timer, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_timer, h);
        if (r >= 0)
                r = sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
        if (r < 0) {
                notify_http_free(h);
                return error_set(e, r, "cannot set up the notifications' timer");
        }
        curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
        curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
        curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
        *ret = h;
        return 0;
}

NotifyHttp *notify_http_free(NotifyHttp *h) {
        if (!h)
                return NULL;
        while (h->posts) {
                Post *p = h->posts;
                h->posts = p->next;
                notify_done_fn done = p->done;
                void *userdata = p->userdata;
                post_free(p);
                done(userdata, &(NotifyResult) { .abandoned = true, .retry_after_ms = -1 });
        }
        curl_multi_cleanup(h->multi);
        sd_event_source_disable_unref(h->timer);
        sd_event_unref(h->event);
        free(h);
        return NULL;
}

/* The kind's path after the URL, without a doubled '/'. */
static char *full_url(const NotifierConf *c) {
        const char *path = notify_kinds[c->kind].path;
        size_t n = strlen(c->url);
        char *u;
        if (!path)
                return strdup(c->url);
        while (n > 0 && c->url[n - 1] == '/')
                n--;
        return asprintf(&u, "%.*s%s", (int) n, c->url, path) < 0 ? NULL : u;
}

static int setup(Post *p, const NotifierConf *c) {
        CURL *x = p->easy;
        long timeout = (long) c->timeout_ms;
        int bad = curl_easy_setopt(x, CURLOPT_URL, p->url) | curl_easy_setopt(x, CURLOPT_PRIVATE, p) |
                curl_easy_setopt(x, CURLOPT_NOSIGNAL, 1L) | curl_easy_setopt(x, CURLOPT_TIMEOUT_MS, timeout) |
                curl_easy_setopt(x, CURLOPT_CONNECTTIMEOUT_MS, MIN(timeout, 5000L)) |
                curl_easy_setopt(x, CURLOPT_ERRORBUFFER, p->error) |
                curl_easy_setopt(x, CURLOPT_WRITEFUNCTION, on_answer) | curl_easy_setopt(x, CURLOPT_WRITEDATA, p) |
                curl_easy_setopt(x, CURLOPT_HEADERFUNCTION, on_header) | curl_easy_setopt(x, CURLOPT_HEADERDATA, p);
        if (p->transport == NOTIFY_HTTP) {
                p->headers = curl_slist_append(NULL, "Content-Type: application/json");
                bad |= (p->headers == NULL) | curl_easy_setopt(x, CURLOPT_PROTOCOLS_STR, "http,https") |
                        curl_easy_setopt(x, CURLOPT_HTTPHEADER, p->headers) |
                        curl_easy_setopt(x, CURLOPT_USERAGENT, "skytune-monitor/" SKYTUNE_VERSION) |
                        curl_easy_setopt(x, CURLOPT_POSTFIELDS, p->body) |
                        curl_easy_setopt(x, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(p->body));
                return bad ? -EINVAL : 0;
        }
        char from[320];
        snprintf(from, sizeof(from), "<%s>", c->from);
        for (size_t i = 0; i < c->n_to; i++) {
                struct curl_slist *l = curl_slist_append(p->rcpt, c->to[i]);
                if (!l)
                        return -ENOMEM;
                p->rcpt = l;
        }
        bad |= curl_easy_setopt(x, CURLOPT_PROTOCOLS_STR, "smtp,smtps") | curl_easy_setopt(x, CURLOPT_MAIL_FROM, from) |
                curl_easy_setopt(x, CURLOPT_MAIL_RCPT, p->rcpt) | curl_easy_setopt(x, CURLOPT_UPLOAD, 1L) |
                curl_easy_setopt(x, CURLOPT_READFUNCTION, on_upload) | curl_easy_setopt(x, CURLOPT_READDATA, p) |
                /* A password never travels in the clear: with one, the server must offer STARTTLS. */
                curl_easy_setopt(x, CURLOPT_USE_SSL, c->password ? (long) CURLUSESSL_ALL : (long) CURLUSESSL_TRY);
        if (c->user)
                bad |= curl_easy_setopt(x, CURLOPT_USERNAME, c->user) |
                        curl_easy_setopt(x, CURLOPT_PASSWORD, c->password);
        return bad ? -EINVAL : 0;
}

int notify_http_send(NotifyHttp *h, const NotifierConf *c, char *body, notify_done_fn done, void *userdata, Error *e) {
        Post *p = calloc(1, sizeof(*p));
        if (!p) {
                free(body);
                return error_set(e, -ENOMEM, "out of memory");
        }
        *p = (Post) {
                .h = h, .body = body, .done = done, .userdata = userdata, .transport = notify_kinds[c->kind].transport
        };
        int r = !(p->url = full_url(c)) || !(p->easy = curl_easy_init()) ? -ENOMEM : setup(p, c);
        if (r == 0 && curl_multi_add_handle(h->multi, p->easy) != CURLM_OK)
                r = -ENOMEM;
        if (r < 0) {
                if (p->easy) {
                        curl_easy_cleanup(p->easy);
                        p->easy = NULL;
                }
                post_free(p);
                return error_set(e, r, "cannot start a try: %s",
                                 r == -ENOMEM ? "out of memory" : "libcurl refused an option");
        }
        p->next = h->posts;
        h->posts = p;
        return 0;
}
