/* SPDX-License-Identifier: MIT */
/* The collectors of the ring's series and their newest samples (collector-up.h). */
#include <string.h>

#include "collector-up.h"
#include "macro.h"

typedef struct Walk {
        CollectorNewest *c;
        size_t n;
} Walk;

static int see(void *userdata, const char *name, const char *unit, int64_t t_ms, double v) {
        Walk *w = userdata;
        size_t len = strcspn(name, ".");
        if (len >= sizeof(w->c[0].name) || strncmp(name, "monitor.", 8) == 0)
                return 0;
        for (size_t i = 0; i < w->n; i++)
                if (strlen(w->c[i].name) == len && strncmp(w->c[i].name, name, len) == 0) {
                        w->c[i].newest_ms = MAX(w->c[i].newest_ms, t_ms);
                        return 0;
                }
        if (w->n == COLLECTORS_MAX)
                return 0;
        CollectorNewest *c = &w->c[w->n++];
        memcpy(c->name, name, len);
        c->name[len] = '\0';
        c->newest_ms = t_ms;
        return 0;
}

size_t collectors_newest(const MonitorRing *r, CollectorNewest ret[static COLLECTORS_MAX]) {
        Walk w = { ret, 0 };
        (void) ring_each_last(r, see, &w);
        return w.n;
}
