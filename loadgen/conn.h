/* SPDX-License-Identifier: MIT */
/* conn: a worker's sockets. libcurl makes each connection as a CURLOPT_CONNECT_ONLY transfer on the
 * worker's multi handle, which the worker's own epoll set drives (curl_multi_socket_action); once made,
 * the socket is the slot's (FD_EXCHANGE) and its events go to the exchange, not to libcurl. A table by
 * fd keeps what the worker knows of each socket, so that a socket number reused after a close is not
 * mistaken for the old one. Internal to loadgen/. */
#pragma once

#include <sys/epoll.h>

#include "worker.h"

/* What the worker knows of a socket (Worker.fd_state, by fd). */
enum {
        FD_IN = CURL_POLL_IN,           /* the events registered with epfd */
        FD_OUT = CURL_POLL_OUT,
        FD_REGISTERED = 1 << 2,         /* in epfd */
        FD_WANTED = 1 << 3,             /* libcurl waits on it; a registered socket without this is parked */
        FD_OURS = 1 << 4,               /* opened by open_socket(), to be closed by close_socket() */
        FD_FRESH = 1 << 5,              /* opened after the epoll_wait whose events are being handled: an
                                         * event of that batch with its number was for the closed socket */
        FD_EXCHANGE = 1 << 6,           /* connected: its events are the slot's (fd_slot), not libcurl's */
};

/* The multi handle and epoll set of w, with nslots connections at most. */
int conn_setup_multi(Worker *w, unsigned nslots);
/* The slot's connect-only transfer. */
int conn_setup_easy(Worker *w, Slot *slot, const LoadgenConfig *cfg, Error *e);
int conn_fd_reserve(Worker *w, curl_socket_t fd);
int conn_epoll_set(Worker *w, curl_socket_t fd, int op, unsigned bits);
/* Registers fd for exactly `bits` (FD_IN, FD_OUT), with as few system calls as the table allows. */
int conn_want(Worker *w, curl_socket_t fd, unsigned bits);
/* Ends the slot's connection (or the connecting of one): libcurl closes the socket, which takes it
 * out of epoll. */
void conn_close(Worker *w, Slot *slot);
/* Starts connecting; the exchange sends the request when the connection is made. */
int conn_open(Worker *w, Slot *slot);
/* epoll_wait for at most timeout_ns; clears FD_FRESH of the sockets opened before. */
int conn_wait(Worker *w, struct epoll_event *events, int max, uint64_t timeout_ns);
/* Lets libcurl act on one socket's events (or on its timer: CURL_SOCKET_TIMEOUT). */
int conn_drive(Worker *w, curl_socket_t fd, int bits);
