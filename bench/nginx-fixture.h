/* SPDX-License-Identifier: MIT */
/* A local nginx for benchmarks: a generated configuration in a temporary directory, listening on
 * 127.0.0.1 at a free port, serving one static file; stopped and removed at exit. Header-only, for
 * the bench programs (each is one translation unit). */
#pragma once

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"

static char tmpdir[] = "/tmp/skytune-bench-nginx-XXXXXX";
static pid_t nginx_pid = -1;

static inline bool on_path(const char *prog) {
        _cleanup_free_ char *cmd = NULL;
        if (asprintf(&cmd, "command -v %s >/dev/null 2>&1", prog) < 0)
                return false;
        return system(cmd) == 0;
}

static inline unsigned free_port(void) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *) &a, &len) < 0)
                return 0;
        close(fd);
        return ntohs(a.sin_port);
}

static inline int write_text(const char *path, const char *text) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        if (!f || fputs(text, f) < 0)
                return -errno;
        return 0;
}

static inline void cleanup(void) {
        if (nginx_pid > 0) {
                kill(nginx_pid, SIGQUIT);
                waitpid(nginx_pid, NULL, 0);
        }
        _cleanup_free_ char *cmd = NULL;
        if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0 && system(cmd) != 0)
                fprintf(stderr, "bench-http: could not remove %s\n", tmpdir);
}

/* The server's side of a fair benchmark, stated by the bench programs: one worker (the client has
 * the other core), no access log, connections kept for a million requests (nginx closes one after
 * 1000 by default, a reconnect the client would be charged for), open files cached, and beside the
 * static file a location answering from memory (NGINX_RETURN_PATH, the same bytes; no open() per
 * request: about 2/3 of the static file's CPU per request). */
#define NGINX_FIXTURE_CONFIG "1 worker, access_log off, keepalive_requests 1000000, open_file_cache"
#define NGINX_RETURN_PATH "/return200"
#define NGINX_RETURN_MAX 4096

/* Writes conf as the fixture's nginx.conf, starts nginx on it and waits until port answers. */
static inline int nginx_launch(const char *conf, unsigned port) {
        char path[512];
        snprintf(path, sizeof(path), "%s/nginx.conf", tmpdir);
        if (write_text(path, conf) < 0)
                return -errno;
        nginx_pid = fork();
        if (nginx_pid < 0)
                return -errno;
        if (nginx_pid == 0) {
                execlp("nginx", "nginx", "-c", path, "-p", tmpdir, "-g", "daemon off;", (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 100; i++) {         /* until it answers a connect */
                int fd = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                int r = connect(fd, (struct sockaddr *) &a, sizeof(a));
                close(fd);
                if (r == 0)
                        return 0;
                usleep(50000);
        }
        return -ETIMEDOUT;
}

static inline int start_nginx(unsigned port, size_t bytes) {
        char path[512], conf[2048 + NGINX_RETURN_MAX];
        snprintf(path, sizeof(path), "%s/html", tmpdir);
        if (mkdir(path, 0755) < 0 || chmod(tmpdir, 0755) < 0)
                return -errno;
        _cleanup_free_ char *body = malloc(bytes + 1);
        if (!body)
                return -ENOMEM;
        memset(body, 'x', bytes);
        body[bytes] = '\0';
        snprintf(path, sizeof(path), "%s/html/index.html", tmpdir);
        if (write_text(path, body) < 0)
                return -errno;
        snprintf(conf, sizeof(conf),
                 "worker_processes 1;\npid %1$s/nginx.pid;\nerror_log %1$s/error.log;\n"
                 "events { worker_connections 1024; }\n"
                 "http { access_log off; default_type text/html; sendfile on;\n"
                 "  keepalive_requests 1000000; open_file_cache max=64;\n"
                 "  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;\n"
                 "  uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;\n"
                 "  server { listen 127.0.0.1:%2$u; root %1$s/html;\n"
                 "    location = " NGINX_RETURN_PATH " { return 200 \"%3$.*4$s\"; } } }\n",
                 tmpdir, port, body, (int) MIN(bytes, (size_t) NGINX_RETURN_MAX));
        return nginx_launch(conf, port);
}

/* CPU seconds of nginx's worker (the master's child), from /proc. */
static inline double nginx_cpu_s(void) {
        char path[128], buf[4096];
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", nginx_pid, nginx_pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        int worker;
        if (!f || fscanf(f, "%d", &worker) != 1)
                return NAN;
        snprintf(path, sizeof(path), "/proc/%d/stat", worker);
        _cleanup_fclose_ FILE *s = fopen(path, "re");
        if (!s || !fgets(buf, sizeof(buf), s))
                return NAN;
        char *p = strrchr(buf, ')');
        unsigned long ut, st;
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
                return NAN;
        return (double) (ut + st) / (double) sysconf(_SC_CLK_TCK);
}

/* Checks for nginx (and `also`, if not NULL) on PATH, starts nginx serving `bytes` bytes and writes
 * its URL. 1: skipped (tools missing, message printed); 0: running; <0: failed (message printed). */
static inline int nginx_fixture_start(const char *prog, const char *also, size_t bytes, char *url, size_t len) {
        if (!on_path("nginx") || (also && !on_path(also))) {
                printf("%s: skipped: needs nginx%s%s on PATH (apt-get install nginx%s%s)\n", prog, also ? " and " : "",
                       also ? also : "", also ? " " : "", also ? also : "");
                return 1;
        }
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return -errno;
        }
        atexit(cleanup);
        unsigned port = free_port();
        int r = start_nginx(port, bytes);
        if (r < 0) {
                fprintf(stderr, "%s: cannot start nginx: %s (see %s/error.log)\n", prog, strerror(-r), tmpdir);
                return r;
        }
        snprintf(url, len, "http://127.0.0.1:%u/index.html", port);
        return 0;
}
