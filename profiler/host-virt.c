/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "host-facts.h"
#include "host-virt.h"
#include "macro.h"

/* The whole file as a string without the trailing newline, or NULL. */
static char *read_opt(const Sysroot *root, const char *rel) {
        char *s = NULL;
        if (sysroot_read_line(root, rel, &s) < 0)
                return NULL;
        return s;
}

static bool pid1_in_container(const Sysroot *root) {
        _cleanup_free_ char *env = NULL;
        size_t len;
        /* Readable by root only; NUL-separated. */
        if (sysroot_read_file(root, "proc/1/environ", &env, &len) < 0)
                return false;
        for (size_t i = 0; i < len; i += strlen(env + i) + 1)
                if (strncmp(env + i, "container=", 10) == 0)
                        return true;
        return false;
}

const char *host_virt_read(const Sysroot *root, int hypervisor_flag) {
        _cleanup_free_ char *hv = read_opt(root, "sys/hypervisor/type"),
                            *vendor = read_opt(root, "sys/class/dmi/id/sys_vendor"),
                            *product = read_opt(root, "sys/class/dmi/id/product_name"),
                            *clocks =
                                    read_opt(root, "sys/devices/system/clocksource/clocksource0/available_clocksource");
        VirtEvidence e = {
                /* Not /.dockerenv: it stays behind in VM images built from container images. */
                .container = sysroot_exists(root, "run/systemd/container") ||
                        sysroot_exists(root, "run/.containerenv") || pid1_in_container(root),
                .hypervisor_type = hv,
                .sys_vendor = vendor,
                .product_name = product,
                .cpu_hypervisor_flag = hypervisor_flag,
                .clocksources = clocks,
        };
        return virt_detect(&e);
}
