/* SPDX-License-Identifier: MIT */
/* One try of a notification (notify-send.h): the transport of the notifier's kind. */
#include <errno.h>
#include <stdlib.h>

#include "macro.h"
#include "notify-send-internal.h"

struct NotifySender {
        sd_event *event;
        NotifyHttp *http;
        NotifyExec *exec;
};

int notify_sender_new(sd_event *event, NotifySender **ret) {
        NotifySender *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(event);
        *ret = s;
        return 0;
}

NotifySender *notify_sender_free(NotifySender *s) {
        if (!s)
                return NULL;
        notify_http_free(s->http);
        notify_exec_free(s->exec);
        sd_event_unref(s->event);
        free(s);
        return NULL;
}

int notify_send(NotifySender *s, const NotifierConf *c, char *body, notify_done_fn done, void *userdata, Error *e) {
        int r = 0;
        switch (notify_kinds[c->kind].transport) {
        case NOTIFY_HTTP:
        case NOTIFY_SMTP:
                if (!s->http)
                        r = notify_http_new(s->event, &s->http, e);
                if (r == 0)
                        return notify_http_send(s->http, c, body, done, userdata, e);
                break;
        case NOTIFY_EXEC:
                if (!s->exec)
                        r = notify_exec_new(s->event, &s->exec, e);
                if (r == 0)
                        return notify_exec_send(s->exec, c, body, done, userdata, e);
                break;
        }
        free(body);
        return r < 0 ? r : -EINVAL;
}
