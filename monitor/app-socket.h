/* SPDX-License-Identifier: MIT */
/* skytune-monitor's application socket (docs/monitor.md, Application metrics): a UNIX datagram
 * socket at the configured path, mode 0666 so that any local process may report, read on sd-event
 * (every queued datagram at each wake-up, in bounded batches) into the interval's application
 * metrics (app-metrics.h). Dropped records are logged at most once a minute, with their count, the
 * reason and the field. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "app-metrics.h"

typedef struct AppSocket AppSocket;

/* Binds path (a stale socket file there is replaced; a socket another process still reads, or a
 * file that is no socket, is left alone: -EADDRINUSE, -EEXIST) and reads it into m (not owned) from
 * the loop e. -ENOENT: the directory is missing. */
int app_socket_open(sd_event *e, const char *path, AppMetrics *m, AppSocket **ret);
/* Closes the socket and removes its file (when it is still this socket's). */
AppSocket *app_socket_close(AppSocket *s);
/* At each tick: the drops not yet logged, when the last such line is a minute old (on the monotonic
 * clock: a wall clock step neither floods nor silences the log). */
void app_socket_tick(AppSocket *s);
/* At stop: the records queued on the socket into the metrics (one batch, as a wake-up reads). */
void app_socket_drain(AppSocket *s);
