/* SPDX-License-Identifier: MIT */
/* What skytune recommend reads from a live host beyond the profile: the names of the running
 * processes and the TCP sockets (listening ports, connections on 80/443), all through the Sysroot. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "proc-net-tcp.h"
#include "procfs.h"
#include "recommend.h"

#define MAX_COMMS 512

static bool have_comm(const HostExtras *x, const char *comm) {
        for (size_t i = 0; i < x->n_comms; i++)
                if (strcmp(x->comms[i], comm) == 0)
                        return true;
        return false;
}

static int read_comms(const Sysroot *root, HostExtras *x) {
        _cleanup_(proc_iter_close) ProcIter it = PROC_ITER_INIT;
        if (proc_iter_open(&it, root) < 0)
                return 0;
        x->comms = calloc(MAX_COMMS, sizeof(char *));
        if (!x->comms)
                return -ENOMEM;
        for (int pid; x->n_comms < MAX_COMMS && proc_iter_next(&it, &pid) > 0;) {
                char *comm = NULL;
                if (proc_read_line(root, pid, "comm", &comm) < 0 || !*comm || have_comm(x, comm))
                        free(comm);     /* a process that exited since, or a name seen before */
                else
                        x->comms[x->n_comms++] = comm;
        }
        return 0;
}

static void add_listen(HostExtras *x, unsigned port) {
        for (size_t i = 0; i < x->n_listen; i++)
                if (x->listen[i] == port)
                        return;
        if (x->n_listen < RECOMMEND_MAX_PORTS)
                x->listen[x->n_listen++] = port;
}

static int add_socket(const TcpSocketLine *s, void *userdata) {
        HostExtras *x = userdata;
        if (s->state == TCP_STATE_LISTEN && s->local_port > 0)
                add_listen(x, s->local_port);
        else if (s->state == TCP_STATE_ESTABLISHED && (s->local_port == 80 || s->local_port == 443))
                x->web_estab++;
        return 0;
}

int host_extras_read(const Sysroot *root, HostExtras *ret) {
        HostExtras x = { .present = true };
        int r = read_comms(root, &x);
        static const char *const tables[] = { "proc/net/tcp", "proc/net/tcp6" };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(tables); i++) {
                _cleanup_close_ int fd = sysroot_openat(root, tables[i], O_RDONLY | O_CLOEXEC, 0);
                char buf[16384];
                TcpStreamStats st;
                if (fd >= 0)    /* what cannot be read is left empty */
                        (void) proc_net_tcp_stream(fd, buf, sizeof(buf), PROC_NET_TCP_MAX_LINES, add_socket, &x, &st);
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
