/* SPDX-License-Identifier: MIT */
/* The host facts db advise weighs, through the sysroot: MemTotal and the huge pages from
 * /proc/meminfo, and whether the disk under the data directory is rotational (its device number,
 * then /sys/dev/block/MAJ:MIN/queue/rotational, or the parent disk's for a partition). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "db-advise.h"
#include "host-facts.h"
#include "macro.h"
#include "sysroot.h"
#include "verb-db.h"

static void read_meminfo(const Sysroot *root, DbAdviseHost *h) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (sysroot_read_file(root, "proc/meminfo", &text, &len) < 0)
                return;
        uint64_t v;
        if (meminfo_bytes(text, len, "MemTotal", &v) >= 0)
                h->mem_total = v;
        if (meminfo_bytes(text, len, "Hugepagesize", &v) >= 0)
                h->huge_size = v;
        if (meminfo_bytes(text, len, "HugePages_Total", &v) >= 0)
                h->huge_total = v;
        if (meminfo_bytes(text, len, "HugePages_Free", &v) >= 0)
                h->huge_free = v;
}

static void device_name(const Sysroot *root, const char *rel, char *buf, size_t size) {
        _cleanup_free_ char *target = NULL;
        if (sysroot_readlink(root, rel, &target) < 0)
                return;
        const char *base = strrchr(target, '/');
        snprintf(buf, size, "%s", base ? base + 1 : target);
}

static void read_rotational(const Sysroot *root, const char *data_directory, DbAdviseHost *h) {
        h->rotational = -1;
        struct stat st;
        if (!*data_directory) {
                snprintf(h->device, sizeof h->device,
                         "data_directory is not readable by this role: grant it "
                         "pg_read_all_settings");
                return;
        }
        if (stat(data_directory, &st) < 0) {
                snprintf(h->device, sizeof h->device, "cannot stat the data directory: %s", strerror(errno));
                return;
        }
        char rel[64], path[96];
        snprintf(rel, sizeof rel, "sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
        if (!sysroot_exists(root, rel)) {
                snprintf(h->device, sizeof h->device,
                         "no %s (tmpfs, overlay or another virtual filesystem, or "
                         "a sysroot without it)",
                         rel);
                return;
        }
        snprintf(h->device, sizeof h->device, "%u:%u", major(st.st_dev), minor(st.st_dev));
        device_name(root, rel, h->device, sizeof h->device);
        uint64_t v;
        snprintf(path, sizeof path, "%s/queue/rotational", rel);
        int r = sysroot_read_u64(root, path, &v);
        if (r < 0) { /* a partition: its disk's queue */
                snprintf(path, sizeof path, "%s/../queue/rotational", rel);
                r = sysroot_read_u64(root, path, &v);
        }
        if (r >= 0)
                h->rotational = v != 0;
        else
                snprintf(h->device + strlen(h->device), sizeof h->device - strlen(h->device), ": no queue/rotational");
}

void db_cli_advise_host(const Sysroot *root, const char *data_directory, DbAdviseHost *h) {
        read_meminfo(root, h);
        read_rotational(root, data_directory, h);
}
