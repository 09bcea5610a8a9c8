/* SPDX-License-Identifier: MIT */
/* exchange: one request on a slot, from its send to its end (answered, failed, timed out), with the
 * counting and timing of it. A slot keeps its connection between requests and opens a new one when
 * the server closed it (or said Connection: close). A request that finds its kept connection closed
 * by the server before any byte of the answer came back is sent again once on a fresh connection, as
 * libcurl does. Internal to loadgen/. */
#pragma once

#include "worker.h"

/* Sends entry `req` on a free slot; intended: when it was due. */
int exchange_start(Worker *w, const RequestEntry *req, uint64_t intended, uint64_t now);
/* Events on a connected slot's socket. */
int exchange_event(Worker *w, Slot *slot, uint32_t events);
/* conn_drive, then the connections libcurl finished making (their requests go out). */
int exchange_drive(Worker *w, curl_socket_t fd, int bits);
/* Requests past their deadline fail as timeouts. */
void exchange_expire(Worker *w, uint64_t now);
/* Slots whose pause after a failed connect is over are free again. */
void exchange_thaw(Worker *w, uint64_t now);
