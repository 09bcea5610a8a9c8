/* SPDX-License-Identifier: MIT */
/* bus-call-file FILE FLAGS: call io.skysentinel.SkyTune1 Apply(s plan, t flags) on the system bus
 * with the plan read from FILE, for plans too large for a command line (exec refuses an argument over
 * 128 KiB with E2BIG, so busctl cannot send them). Prints the reply, or "ERROR-NAME: message" on
 * stderr and exits 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "helper-bus.h"

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: bus-call-file FILE FLAGS\n");
                return 2;
        }
        FILE *f = fopen(argv[1], "re");
        if (!f) {
                fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        size_t cap = 1 << 16, len = 0;
        char *text = malloc(cap + 1);
        for (size_t n; text && (n = fread(text + len, 1, cap - len, f)) > 0;) {
                len += n;
                if (len == cap) {
                        char *bigger = realloc(text, 2 * cap + 1);
                        if (!bigger) {
                                free(text);
                                text = NULL;
                                break;
                        }
                        text = bigger;
                        cap *= 2;
                }
        }
        fclose(f);
        if (!text) {
                fprintf(stderr, "out of memory\n");
                return 1;
        }
        text[len] = '\0';
        sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, HELPER_BUS_NAME, HELPER_BUS_PATH, HELPER_BUS_IFACE, "Apply", &e, &reply, "st", text,
                                       (uint64_t) strtoull(argv[2], NULL, 0));
        int code = 0;
        const char *tx = NULL;
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", e.name ?: "error", e.message ?: strerror(-r));
                code = 1;
        } else if (sd_bus_message_read(reply, "s", &tx) >= 0)
                printf("%s\n", tx);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        free(text);
        return code;
}
