/* SPDX-License-Identifier: MIT */
/* What skytune recommend reads from a live host beyond the profile: the names of the running
 * processes and the TCP sockets (listening ports, connections on 80/443), all through the Sysroot. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirlist.h"
#include "macro.h"
#include "recommend.h"

#define MAX_COMMS 512
#define TCP_LISTEN 0x0A
#define TCP_ESTABLISHED 0x01

static bool is_pid(const char *name) {
        if (!*name)
                return false;
        for (const char *c = name; *c; c++)
                if (!isdigit((unsigned char) *c))
                        return false;
        return true;
}

static bool have_comm(const HostExtras *x, const char *comm) {
        for (size_t i = 0; i < x->n_comms; i++)
                if (strcmp(x->comms[i], comm) == 0)
                        return true;
        return false;
}

static int read_comms(const Sysroot *root, HostExtras *x) {
        NameList pids = {};
        int r = dir_list(root, "proc", is_pid, &pids);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        x->comms = calloc(MAX_COMMS, sizeof(char *));
        for (size_t i = 0; x->comms && i < pids.n && x->n_comms < MAX_COMMS; i++) {
                char path[64];
                char *comm = NULL;
                snprintf(path, sizeof(path), "proc/%s/comm", pids.v[i]);
                if (sysroot_read_line(root, path, &comm) < 0 || !*comm || have_comm(x, comm))
                        free(comm);     /* a process that exited since, or a name seen before */
                else
                        x->comms[x->n_comms++] = comm;
        }
        name_list_free(&pids);
        return x->comms ? 0 : -ENOMEM;
}

static void add_listen(HostExtras *x, unsigned port) {
        for (size_t i = 0; i < x->n_listen; i++)
                if (x->listen[i] == port)
                        return;
        if (x->n_listen < RECOMMEND_MAX_PORTS)
                x->listen[x->n_listen++] = port;
}

/* "  0: 00000000:1538 00000000:0000 0A ...": slot, local address:port (hex), remote, state (hex). */
static void parse_tcp_line(const char *line, HostExtras *x) {
        char local[64], remote[64];
        unsigned state;
        if (sscanf(line, " %*[0-9]: %63s %63s %x", local, remote, &state) != 3)
                return;
        const char *colon = strrchr(local, ':');
        char *end;
        if (!colon || !colon[1])
                return;
        unsigned long port = strtoul(colon + 1, &end, 16);
        if (*end || port == 0 || port > 65535)
                return;
        if (state == TCP_LISTEN)
                add_listen(x, (unsigned) port);
        else if (state == TCP_ESTABLISHED && (port == 80 || port == 443))
                x->web_estab++;
}

void host_extras_parse_tcp(const char *text, HostExtras *x) {
        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n');
                char buf[256];
                size_t n = nl ? (size_t) (nl - line) : strlen(line);
                if (n < sizeof(buf)) {
                        memcpy(buf, line, n);
                        buf[n] = 0;
                        parse_tcp_line(buf, x);
                }
                line = nl ? nl + 1 : NULL;
        }
}

int host_extras_read(const Sysroot *root, HostExtras *ret) {
        HostExtras x = { .present = true };
        int r = read_comms(root, &x);
        static const char *const tables[] = { "proc/net/tcp", "proc/net/tcp6" };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(tables); i++) {
                _cleanup_free_ char *text = NULL;
                int q = sysroot_read_file(root, tables[i], &text, NULL);
                if (q == -ENOMEM)
                        r = q;
                else if (q >= 0)
                        host_extras_parse_tcp(text, &x);
        }
        if (r < 0) {
                host_extras_done(&x);
                return r;
        }
        *ret = x;
        return 0;
}

void host_extras_done(HostExtras *x) {
        for (size_t i = 0; i < x->n_comms; i++)
                free(x->comms[i]);
        free(x->comms);
        *x = (HostExtras) {};
}
