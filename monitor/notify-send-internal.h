/* SPDX-License-Identifier: MIT */
/* The transports behind notify_send (notify-send.c): each made on its first try. */
#pragma once

#include "notify-send.h"

typedef struct NotifyHttp NotifyHttp; /* HTTP and email, through libcurl's multi interface */
int notify_http_new(sd_event *event, NotifyHttp **ret, Error *e);
NotifyHttp *notify_http_free(NotifyHttp *h);
int notify_http_send(NotifyHttp *h, const NotifierConf *c, char *body, notify_done_fn done, void *userdata, Error *e);

typedef struct NotifyExec NotifyExec; /* a command per try */
int notify_exec_new(sd_event *event, NotifyExec **ret, Error *e);
NotifyExec *notify_exec_free(NotifyExec *x);
int notify_exec_send(NotifyExec *x, const NotifierConf *c, char *body, notify_done_fn done, void *userdata, Error *e);
