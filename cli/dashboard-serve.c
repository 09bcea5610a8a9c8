/* SPDX-License-Identifier: MIT */
/* skytune dashboard without --html: the address of the page skytune-monitor serves (monitor.conf's
 * listen), and whether the daemon answers there (GET /api/v1/health), with what to do when not. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "dashboard-serve.h"
#include "log.h"
#include "monitor-config.h"

#define ANSWER_TIMEOUT_MS 2000

static int wait_fd(int fd, short events) {
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, ANSWER_TIMEOUT_MS);
        return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

/* The HTTP status of GET /api/v1/health at a, or -errno. */
static int health_status(const ListenAddr *a, const char *token) {
        int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        int r = connect(fd, (const struct sockaddr *) &a->sa, a->len) == 0 || errno == EINPROGRESS ? 0 : -errno;
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (r == 0 && (r = wait_fd(fd, POLLOUT)) == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
            soerr)
                r = -soerr;
        char req[1024], buf[64] = "";
        int n = snprintf(req, sizeof(req), "GET /api/v1/health HTTP/1.0\r\nHost: %s\r\n%s%s%sConnection: close\r\n\r\n",
                         a->text, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
        if (r == 0 && (n < 0 || (size_t) n >= sizeof(req)))
                r = -E2BIG;
        if (r == 0 && send(fd, req, (size_t) n, MSG_NOSIGNAL) != n)
                r = -errno ?: -EIO;
        ssize_t got = 0;
        if (r == 0 && (r = wait_fd(fd, POLLIN)) == 0 && (got = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0)
                r = got < 0 ? -errno : -ECONNRESET;
        close(fd);
        int status = 0;
        if (r == 0 && (buf[got] = 0, sscanf(buf, "HTTP/1.%*d %d", &status) != 1))
                r = -EBADMSG;
        return r < 0 ? r : status;
}

int dashboard_serve_url(const char *config, const char *range) {
        MonitorConfig c;
        Error e = ERROR_NULL;
        const char *path = config ? config : MONITOR_CONFIG_PATH;
        if (monitor_config_defaults(&c) < 0)
                return log_error("out of memory"), EXIT_FAIL;
        if (monitor_config_load(path, config != NULL, &c, &e) < 0) {
                log_error("%s", error_message(&e));
                error_done(&e);
                monitor_config_done(&c);
                return EXIT_FAIL;
        }
        int code = EXIT_OK;
        if (c.listen.off) {
                log_error("%s: listen = \"off\": skytune-monitor serves no page. Set listen = \"%s\" there (then "
                          "systemctl reload skytune-monitor), or write an offline page with --html FILE",
                          path, LISTEN_ADDR_DEFAULT);
                code = EXIT_FAIL;
        } else {
                printf("http://%s/dashboard?range=%s%s\n", c.listen.text, range, c.api_token ? "&token=TOKEN" : "");
                int s = health_status(&c.listen, c.api_token);
                if (s < 0) {
                        log_error("nothing answers at http://%s (%s): start skytune-monitor (systemctl start "
                                  "skytune-monitor), check listen in %s, or write an offline page with --html FILE",
                                  c.listen.text, strerror(-s), path);
                        code = EXIT_FAIL;
                } else if (s == 401) {
                        log_error("http://%s asks for a token: put the one of api_token_file (%s) in place of TOKEN",
                                  c.listen.text, path);
                        code = EXIT_FAIL;
                } else if (s != 200 && s != 503)
                        log_warning("http://%s answered /api/v1/health with HTTP %d: is it skytune-monitor?",
                                    c.listen.text, s);
        }
        monitor_config_done(&c);
        return code;
}
