/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc-softnet.h"
#include "support.h"

/* 6.18: 15 columns, the CPU id in column 13. CPU 1 is offline here, so the second row is CPU 2. */
static const char softnet_new[] =
        "0000000b 00000003 00000005 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
        "000002db 00000000 0000001a 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 00000000 00000000\n";
/* Older kernels: 11 columns, no CPU id. */
static const char softnet_old[] =
        "0000000b 000000ff 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
        "000002db 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n";

static const char softirqs_text[] =
        "                    CPU0       CPU1       \n"
        "          HI:          0          0\n"
        "       TIMER:      13750      15958\n"
        "      NET_TX:          4          7\n"
        "      NET_RX:        518        556\n"
        "         RCU:      23795      23627\n";

static void test_softnet_parse(void **state) {
        Softnet *s = malloc(sizeof(*s));
        assert_int_equal(softnet_parse(softnet_new, strlen(softnet_new), s), 0);
        assert_int_equal(s->nrows, 2);
        assert_int_equal(s->ncols, 15);
        assert_true(s->cpu_from_column);
        assert_int_equal(s->row[0].cpu, 0);
        assert_int_equal(s->row[0].dropped, 3);
        assert_int_equal(s->row[0].time_squeeze, 5);
        assert_int_equal(s->row[1].cpu, 2);
        assert_int_equal(s->row[1].time_squeeze, 0x1a);

        assert_int_equal(softnet_parse(softnet_old, strlen(softnet_old), s), 0);
        assert_int_equal(s->ncols, 11);
        assert_false(s->cpu_from_column);
        assert_int_equal(s->row[1].cpu, 1);
        assert_int_equal(s->row[0].dropped, 255);

        /* 13 columns (5.10 to 6.x): the id is there too. */
        const char thirteen[] = "1 2 3 0 0 0 0 0 0 0 0 0 7\n";
        assert_int_equal(softnet_parse(thirteen, strlen(thirteen), s), 0);
        assert_int_equal(s->row[0].cpu, 7);
        /* No rows is valid (nothing online reported). */
        assert_int_equal(softnet_parse("", 0, s), 0);
        assert_int_equal(s->nrows, 0);
        free(s);
}

static void test_softnet_malformed(void **state) {
        Softnet *s = malloc(sizeof(*s));
        const char nonhex[] = "0000000b 0000zz03 00000005 00000000\n";
        assert_int_equal(softnet_parse(nonhex, strlen(nonhex), s), -EBADMSG);
        const char narrow[] = "0000000b 00000003\n";
        assert_int_equal(softnet_parse(narrow, strlen(narrow), s), -EBADMSG);
        const char ragged[] = "1 2 3 4 5 6 7 8 9 a b\n1 2 3 4 5 6 7 8 9 a\n";
        assert_int_equal(softnet_parse(ragged, strlen(ragged), s), -EBADMSG);
        const char badid[] = "1 2 3 0 0 0 0 0 0 0 0 0 100000000\n";
        assert_int_equal(softnet_parse(badid, strlen(badid), s), -EBADMSG);
        /* Truncated at every byte: a cut inside the second row leaves it narrower than the first (an
         * error), unless only part of its last column is cut. */
        for (size_t n = 0; n <= strlen(softnet_new); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, softnet_new, n);
                int r = softnet_parse(copy, n, s);
                size_t first = strlen(softnet_new) / 2;
                if (n > first && n <= strlen(softnet_new) - 9)
                        assert_int_equal(r, -EBADMSG);
                if (r == 0 && s->nrows == 2)
                        assert_int_equal(s->row[1].cpu, 2);
                free(copy);
        }
        free(s);
}

static void test_softirqs_parse(void **state) {
        Softirqs *s = malloc(sizeof(*s));
        assert_int_equal(softirqs_parse(softirqs_text, strlen(softirqs_text), s), 0);
        assert_int_equal(s->ncpu, 2);
        assert_int_equal(s->net_rx[0], 518);
        assert_int_equal(s->net_rx[1], 556);
        assert_int_equal(s->net_tx[1], 7);

        assert_int_equal(softirqs_parse("", 0, s), -EBADMSG);
        const char no_tx[] = "CPU0\nNET_RX: 1\n";
        assert_int_equal(softirqs_parse(no_tx, strlen(no_tx), s), -EBADMSG);
        const char short_row[] = "CPU0 CPU1\nNET_RX: 1\nNET_TX: 1 2\n";
        assert_int_equal(softirqs_parse(short_row, strlen(short_row), s), -EBADMSG);
        const char long_row[] = "CPU0 CPU1\nNET_RX: 1 2 3\nNET_TX: 1 2\n";
        assert_int_equal(softirqs_parse(long_row, strlen(long_row), s), -EBADMSG);
        const char bad_header[] = "CPU0 X\nNET_RX: 1 2\nNET_TX: 1 2\n";
        assert_int_equal(softirqs_parse(bad_header, strlen(bad_header), s), -EBADMSG);
        for (size_t n = 0; n <= strlen(softirqs_text); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, softirqs_text, n);
                int r = softirqs_parse(copy, n, s);
                /* NET_RX needs a count for each CPU. */
                if (n <= (size_t) (strstr(softirqs_text, "556") - softirqs_text))
                        assert_int_equal(r, -EBADMSG);
                free(copy);
        }
        free(s);
}

/* Per-sample counters: softnet rows for CPU 0 and 2 (column 13 ids), softirqs NET_RX/NET_TX. */
typedef struct Step {
        unsigned drop0[3], drop2[3], squeeze0[3], rx0[3], rx1[3];
} Step;

static void write_step(const char *dir, unsigned i, void *userdata) {
        const Step *s = userdata;
        const char *z = "00000000";
        test_writef(dir, "proc/net/softnet_stat",
                    "00001000 %08x %08x %s %s %s %s %s %s %s %s %s 00000000 %s %s\n"
                    "00002000 %08x 00000000 %s %s %s %s %s %s %s %s %s 00000002 %s %s\n",
                    s->drop0[i], s->squeeze0[i], z, z, z, z, z, z, z, z, z, z, z,
                    s->drop2[i], z, z, z, z, z, z, z, z, z, z, z);
        test_writef(dir, "proc/softirqs", "  CPU0 CPU1 CPU2\n NET_TX: 5 5 0\n NET_RX: %u %u 0\n", s->rx0[i], s->rx1[i]);
}

static void test_rates_and_findings(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        Step s = {
                .drop0 = { 0, 10, 30 },              /* 10/s, 20/s */
                .drop2 = { 5, 5, 5 },
                .squeeze0 = { 0, 0, 2 },             /* 0, 2/s: avg 1/s -> info */
                .rx0 = { 100, 200, 300 },
                .rx1 = { 0xfffffff0u, 0x10u, 0x20u }, /* 32-bit wrap: +0x20, then +0x10 */
        };
        json_t *doc = test_profile(dir, 3, write_step, &s);
        assert_float_equal(test_num(doc, "resources.interrupts.softnet_dropped_per_s.value"), 15.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.interrupts.softnet_dropped_per_s.max"), 20.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.interrupts.softnet.cpu0.dropped_per_s.value"), 15.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.interrupts.softnet.cpu2.dropped_per_s.value"), 0.0, 1e-9);
        assert_null(test_path(doc, "resources.interrupts.softnet.cpu1"));
        assert_float_equal(test_num(doc, "resources.interrupts.softnet_time_squeeze_per_s.value"), 1.0, 1e-9);
        /* NET_RX: CPU0 +100 each second, CPU1 +32 then +16. */
        assert_float_equal(test_num(doc, "resources.interrupts.net_rx_softirqs_per_s.min"), 116.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.interrupts.net_rx_softirqs_per_s.max"), 132.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.interrupts.net_tx_softirqs_per_s.value"), 0.0, 1e-9);

        json_t *f = test_find_finding(doc, "interrupts.softnet_dropped_per_s");
        assert_non_null(f);
        assert_string_equal(json_string_value(json_object_get(f, "kind")), "saturation");
        assert_string_equal(json_string_value(json_object_get(f, "severity")), "warning");
        assert_non_null(strstr(json_string_value(json_object_get(f, "message")), "net.core.netdev_max_backlog"));
        f = test_find_finding(doc, "interrupts.softnet_time_squeeze_per_s");
        assert_non_null(f);
        assert_string_equal(json_string_value(json_object_get(f, "severity")), "info");
        assert_non_null(strstr(json_string_value(json_object_get(f, "message")), "net.core.netdev_budget"));
        json_decref(doc);

        /* Idle: counters do not move, no finding. */
        Step idle = { .drop0 = { 7, 7, 7 }, .drop2 = { 1, 1, 1 }, .squeeze0 = { 3, 3, 3 }, .rx0 = { 1, 1, 1 }, .rx1 = { 2, 2, 2 } };
        doc = test_profile(dir, 3, write_step, &idle);
        assert_null(test_find_finding(doc, "interrupts.*"));
        assert_float_equal(test_num(doc, "resources.interrupts.softnet_dropped_per_s.value"), 0.0, 1e-9);
        json_decref(doc);

        /* A reset (not a wrap) skips that interval for the CPU. */
        Step reset = { .drop0 = { 1000, 10, 20 }, .drop2 = { 0, 0, 0 }, .squeeze0 = { 0, 0, 0 }, .rx0 = { 0, 0, 0 },
                       .rx1 = { 0, 0, 0 } };
        doc = test_profile(dir, 3, write_step, &reset);
        assert_int_equal(test_num(doc, "resources.interrupts.softnet.cpu0.dropped_per_s.n"), 1);
        assert_float_equal(test_num(doc, "resources.interrupts.softnet.cpu0.dropped_per_s.value"), 10.0, 1e-9);
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* CPU 2 goes offline for the middle sample: it has no interval present in two samples in a row. */
static void hotplug(const char *dir, unsigned i, void *userdata) {
        /* 15 columns: processed, dropped, squeeze, nine more, the CPU id, two more. */
        const char *mid = "0 0 0 0 0 0 0 0 0";
        char cpu0[128], cpu2[128];
        snprintf(cpu0, sizeof(cpu0), "1 %x 0 %s 0 0 0\n", 4 * i, mid);
        snprintf(cpu2, sizeof(cpu2), "1 9 0 %s 2 0 0\n", mid);
        test_writef(dir, "proc/net/softnet_stat", "%s%s", cpu0, i == 1 ? "" : cpu2);
}

static void test_cpu_hotplug(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        json_t *doc = test_profile(dir, 3, hotplug, NULL);
        assert_int_equal(test_num(doc, "resources.interrupts.softnet.cpu0.dropped_per_s.n"), 2);
        assert_float_equal(test_num(doc, "resources.interrupts.softnet.cpu0.dropped_per_s.value"), 4.0, 1e-9);
        assert_null(test_path(doc, "resources.interrupts.softnet.cpu2"));
        assert_float_equal(test_num(doc, "resources.interrupts.softnet_dropped_per_s.value"), 4.0, 1e-9);
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

static void test_captured_and_missing(void **state) {
        char *dir = test_tmpdir(), *path;
        test_copy_fixture("captured-vm", dir);
        json_t *doc = test_profile(dir, 2, NULL, NULL);
        /* This VM's softnet_stat has two rows with ids in column 13. */
        assert_non_null(test_path(doc, "resources.interrupts.softnet.cpu0.dropped_per_s"));
        assert_non_null(test_path(doc, "resources.interrupts.softnet.cpu1.time_squeeze_per_s"));
        assert_null(test_find_finding(doc, "interrupts.*"));
        json_decref(doc);

        assert_true(asprintf(&path, "%s/proc/net/softnet_stat", dir) > 0);
        assert_int_equal(unlink(path), 0);
        doc = test_profile(dir, 2, NULL, NULL);
        const char *why = json_string_value(test_path(doc, "resources.interrupts.unavailable.softnet_stat"));
        assert_non_null(why);
        assert_non_null(strstr(why, "/proc/net/softnet_stat"));
        assert_non_null(test_path(doc, "resources.interrupts.net_rx_softirqs_per_s"));
        json_decref(doc);
        test_rm_rf(dir);
        free(path);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_softnet_parse),
                cmocka_unit_test(test_softnet_malformed),
                cmocka_unit_test(test_softirqs_parse),
                cmocka_unit_test(test_rates_and_findings),
                cmocka_unit_test(test_cpu_hotplug),
                cmocka_unit_test(test_captured_and_missing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
