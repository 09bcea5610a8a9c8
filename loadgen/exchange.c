/* SPDX-License-Identifier: MIT */
#include "exchange.h"

#include "conn.h"
#include "macro.h"

static LoadgenError classify(CURLcode code) {
        switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return LOADGEN_ERR_CONNECT;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
                return LOADGEN_ERR_TLS;
        case CURLE_OPERATION_TIMEDOUT:
                return LOADGEN_ERR_TIMEOUT;
        case CURLE_SEND_ERROR:
                return LOADGEN_ERR_SEND;
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return LOADGEN_ERR_READ;
        default:
                return LOADGEN_ERR_OTHER;
        }
}

/* The share of the slot's request table entry (per_request). */
static void finish_entry(Worker *w, const Slot *slot, uint64_t now, int status, LoadgenError err) {
        LoadgenEntryResults *e = &w->cur->entries[slot->req - w->table->e];
        e->done++;
        e->status[status > 0 && status < 600 ? status : 0]++;
        if (err != _LOADGEN_ERR_MAX) {
                e->errors[err]++;
                return;
        }
        if (status >= 200 && status < 400)
                e->ok++;
        histogram_record(e->latency, (now - slot->intended_ns) / 1000);
        histogram_record(e->service, (now - slot->sent_ns) / 1000);
}

/* Closed model with think time: the user pauses before its next request (exchange_thaw() ends it). */
static void think(Worker *w, Slot *slot, uint64_t now) {
        slot->thinking = true;
        w->nthinking++;
        slot->cool_until_ns = now + w->run->think_ns;
        w->next_thaw_ns = MIN(w->next_thaw_ns, slot->cool_until_ns);
}

/* The request in flight on the slot ended: counted, recorded, and the slot is free again. status 0:
 * no (complete) response; err: its class when the request failed, _LOADGEN_ERR_MAX when it did not. */
static void finish(Worker *w, Slot *slot, uint64_t now, int status, LoadgenError err) {
        LoadgenCounters *c = &w->cur->c;
        c->done++;
        c->status[status > 0 && status < 600 ? status : 0]++;
        if (err != _LOADGEN_ERR_MAX)
                c->errors[err]++;
        else if (status >= 200 && status < 400)
                c->ok++;
        /* Times describe responses (as wrk's do): a refused connection or a reset is fast, and would
         * make a broken server look quick. Failures show in the error counts and success_rate. */
        if (err == _LOADGEN_ERR_MAX) {
                worker_record(w, LOADGEN_H_LATENCY, (now - slot->intended_ns) / 1000);
                worker_record(w, LOADGEN_H_SERVICE, (now - slot->sent_ns) / 1000);
                worker_record(w, LOADGEN_H_TOTAL, (now - slot->sent_ns) / 1000);
                if (slot->first_byte_ns)
                        worker_record(w, LOADGEN_H_TTFB, (slot->first_byte_ns - slot->sent_ns) / 1000);
        }
        if (w->cur->entries)
                finish_entry(w, slot, now, status, err);
        slot->busy = false;
        w->nbusy--;
        if (slot->cool_until_ns > now) {
                /* It failed to connect: it waits before trying again (exchange_thaw()). */
                w->next_thaw_ns = MIN(w->next_thaw_ns, slot->cool_until_ns);
                return;
        }
        if (w->run->think_ns) {
                think(w, slot, now);
                return;
        }
        slot->cool_until_ns = 0;
        w->free_stack[w->nfree++] = slot->index;
}

void exchange_thaw(Worker *w, uint64_t now) {
        if (now < w->next_thaw_ns)
                return;
        w->next_thaw_ns = UINT64_MAX;
        for (unsigned i = 0; i < w->nslots; i++) {
                Slot *slot = &w->slots[i];
                if (slot->busy || slot->cool_until_ns == 0)
                        continue;
                if (slot->cool_until_ns <= now) {
                        slot->cool_until_ns = 0;
                        if (slot->thinking) {
                                slot->thinking = false;
                                w->nthinking--;
                        }
                        w->free_stack[w->nfree++] = slot->index;
                } else
                        w->next_thaw_ns = MIN(w->next_thaw_ns, slot->cool_until_ns);
        }
}

/* The request failed on its connection, which is closed. A request that went out on a kept
 * connection and saw no byte of an answer is sent once more on a fresh one: the server may have
 * closed the connection as the request was on its way. */
static int fail(Worker *w, Slot *slot, uint64_t now, LoadgenError err) {
        bool retry = slot->busy && slot->reused && !slot->retried && !slot->parser.started &&
                     (err == LOADGEN_ERR_SEND || err == LOADGEN_ERR_READ);
        conn_close(w, slot);
        if (!slot->busy)
                return 0;
        if (retry) {
                slot->retried = true;
                w->cur->c.retried++;
                return conn_open(w, slot);
        }
        finish(w, slot, now, 0, err);
        return 0;
}

/* Sends what is left of the request; waits for writability when the socket is full. */
static int send_more(Worker *w, Slot *slot, uint64_t now) {
        const RequestEntry *q = slot->req;
        while (slot->req_sent < q->len) {
                size_t n = 0;
                CURLcode c = curl_easy_send(slot->easy, q->bytes + slot->req_sent, q->len - slot->req_sent, &n);
                if (c == CURLE_AGAIN)
                        break;
                if (c != CURLE_OK)
                        return fail(w, slot, now, LOADGEN_ERR_SEND);
                slot->req_sent += n;
        }
        return conn_want(w, slot->fd, FD_IN | (slot->req_sent < q->len ? FD_OUT : 0));
}

static int send_request(Worker *w, Slot *slot, uint64_t now) {
        http1_parser_init(&slot->parser, slot->req->head);
        slot->req_sent = 0;
        slot->first_byte_ns = 0;
        return send_more(w, slot, now);
}

/* Feeds what arrived to the slot's parser; a response that ends frees the slot. */
static int received(Worker *w, Slot *slot, const char *buf, size_t n, uint64_t now) {
        if (!slot->busy)
                return fail(w, slot, now, LOADGEN_ERR_READ);    /* bytes nobody asked for: the connection is unusable */
        if (!slot->first_byte_ns)
                slot->first_byte_ns = now;
        bool done = false;
        ssize_t k = http1_parse(&slot->parser, buf, n, &done);
        if (k < 0)
                return fail(w, slot, now, LOADGEN_ERR_READ);
        if (!done)
                return 0;
        finish(w, slot, now, slot->parser.status, _LOADGEN_ERR_MAX);
        /* Bytes past the response (nothing was pipelined), an unsent rest of the request, or the
         * server's word: the connection cannot carry the next request. */
        if ((size_t) k < n || slot->req_sent < slot->req->len || !slot->parser.keep_alive)
                conn_close(w, slot);
        else
                slot->reused = true;
        return 0;
}

/* The server closed the connection (or it broke: error true). */
static int ended(Worker *w, Slot *slot, bool error, uint64_t now) {
        if (!slot->busy) {
                conn_close(w, slot);    /* an idle connection the server let go */
                return 0;
        }
        if (!error && http1_parse_eof(&slot->parser) == 1) {
                finish(w, slot, now, slot->parser.status, _LOADGEN_ERR_MAX);  /* a body that ran until the close */
                conn_close(w, slot);
                return 0;
        }
        return fail(w, slot, now, LOADGEN_ERR_READ);
}

/* A read that fills the buffer may leave more behind; on plain TCP a shorter one means the socket is
 * drained (epoll says when more comes), but TLS can hold decrypted bytes that epoll does not see, so
 * there the loop reads until libcurl says CURLE_AGAIN. */
int exchange_event(Worker *w, Slot *slot, uint32_t events) {
        uint64_t now = loadgen_now_ns();
        if ((events & EPOLLOUT) && slot->busy && slot->req_sent < slot->req->len) {
                int r = send_more(w, slot, now);
                if (r < 0 || slot->fd < 0)
                        return r;
        }
        if (!(events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)))
                return 0;
        for (;;) {
                size_t n = 0;
                CURLcode c = curl_easy_recv(slot->easy, w->rbuf, RBUF_SIZE, &n);
                if (c == CURLE_AGAIN)
                        return 0;
                if (c != CURLE_OK || n == 0)
                        return ended(w, slot, c != CURLE_OK, now);
                int r = received(w, slot, w->rbuf, n, now);
                if (r < 0 || slot->fd < 0 || !slot->busy || (!w->tls && n < RBUF_SIZE))
                        return r;
        }
}

/* Both times count from the transfer's start: the handshake is the difference. */
static void record_connect(Worker *w, Slot *slot) {
        curl_off_t tcp_us = 0, tls_us = 0;
        if (curl_easy_getinfo(slot->easy, CURLINFO_CONNECT_TIME_T, &tcp_us) == CURLE_OK && tcp_us > 0)
                worker_record(w, LOADGEN_H_CONNECT, (uint64_t) tcp_us);
        if (w->tls && curl_easy_getinfo(slot->easy, CURLINFO_APPCONNECT_TIME_T, &tls_us) == CURLE_OK && tls_us > tcp_us)
                worker_record(w, LOADGEN_H_TLS, (uint64_t) (tls_us - tcp_us));
}

/* A connect-only transfer ended: the slot's connection is made (and its request goes out), or the
 * request failed to connect. */
static int connected(Worker *w, Slot *slot, CURLcode code) {
        uint64_t now = loadgen_now_ns();
        if (code != CURLE_OK) {
                conn_close(w, slot);
                /* A refused connect on loopback fails at once: without a pause the slot would try
                 * again and again as fast as the CPU allows, taking it from a server that restarts. */
                slot->backoff_ns = MIN(MAX(slot->backoff_ns * 2, (uint64_t) 1000000), (uint64_t) 100000000);
                slot->cool_until_ns = now + slot->backoff_ns;
                if (slot->busy)
                        finish(w, slot, now, 0, classify(code));
                return 0;
        }
        slot->backoff_ns = 0;
        curl_socket_t fd = CURL_SOCKET_BAD;
        if (curl_easy_getinfo(slot->easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd < 0 ||
            conn_fd_reserve(w, fd) < 0) {
                conn_close(w, slot);
                if (slot->busy)
                        finish(w, slot, now, 0, LOADGEN_ERR_OTHER);
                return 0;
        }
        w->cur->c.new_connections++;
        record_connect(w, slot);
        slot->fd = fd;
        w->fd_state[fd] |= FD_EXCHANGE;
        w->fd_slot[fd] = slot->index;
        if (!slot->busy)
                return conn_want(w, fd, FD_IN);
        return send_request(w, slot, now);
}

int exchange_drive(Worker *w, curl_socket_t fd, int bits) {
        int r = conn_drive(w, fd, bits);
        CURLMsg *msg;
        int left;
        while (r >= 0 && (msg = curl_multi_info_read(w->multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                Slot *slot = NULL;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &slot);
                r = connected(w, slot, msg->data.result);
        }
        return r;
}

int exchange_start(Worker *w, const RequestEntry *req, uint64_t intended, uint64_t now) {
        Slot *slot = &w->slots[w->free_stack[--w->nfree]];
        slot->req = req;
        slot->intended_ns = intended;
        slot->sent_ns = now;
        slot->deadline_ns = now + w->timeout_ns;
        w->next_deadline_ns = MIN(w->next_deadline_ns, slot->deadline_ns);
        slot->busy = true;
        w->nbusy++;
        slot->retried = false;
        LoadgenCounters *c = &w->cur->c;
        c->sent++;
        c->by_request[req - w->table->e]++;
        if (now - intended > 1000000)
                c->late++;              /* sent more than 1 ms after its intended time */
        worker_record(w, LOADGEN_H_LATENESS, (now - intended) / 1000);
        if (w->cur->entries) {
                LoadgenEntryResults *e = &w->cur->entries[req - w->table->e];
                e->sent++;
                histogram_record(e->lateness, (now - intended) / 1000);
        }
        if (slot->fd >= 0)
                return send_request(w, slot, now);
        return conn_open(w, slot);
}

/* Requests past their deadline fail as timeouts, and their connections close (an answer could still
 * come), also while connecting: a request retried on a fresh connection keeps its first deadline. */
void exchange_expire(Worker *w, uint64_t now) {
        if (now < w->next_deadline_ns)
                return;
        w->next_deadline_ns = UINT64_MAX;
        for (unsigned i = 0; i < w->nslots; i++) {
                Slot *slot = &w->slots[i];
                if (!slot->busy)
                        continue;
                if (slot->deadline_ns <= now) {
                        conn_close(w, slot);
                        finish(w, slot, now, 0, LOADGEN_ERR_TIMEOUT);
                } else
                        w->next_deadline_ns = MIN(w->next_deadline_ns, slot->deadline_ns);
        }
}
