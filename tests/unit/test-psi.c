/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc-pressure.h"
#include "support.h"

static const char memory_text[] =
        "some avg10=1.50 avg60=0.80 avg300=0.20 total=5712940\n"
        "full avg10=0.00 avg60=0.02 avg300=0.06 total=5439807\n";

static void test_parse(void **state) {
        PsiTotals t;
        assert_int_equal(psi_parse(memory_text, strlen(memory_text), &t), 0);
        assert_true(t.has_some && t.has_full);
        assert_int_equal(t.some_us, 5712940);
        assert_int_equal(t.full_us, 5439807);
        /* /proc/pressure/irq: a "full" line only. */
        const char irq[] = "full avg10=0.00 avg60=0.00 avg300=0.00 total=42\n";
        assert_int_equal(psi_parse(irq, strlen(irq), &t), 0);
        assert_false(t.has_some);
        assert_int_equal(t.full_us, 42);
        /* cpu before 5.13: no full line. */
        const char cpu[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=7";
        assert_int_equal(psi_parse(cpu, strlen(cpu), &t), 0);
        assert_false(t.has_full);
        assert_int_equal(t.some_us, 7);
        /* total= is looked for at the end first, then anywhere in the line. */
        const char moved[] = "some total=9 avg10=0.00\nfull avg10=0.00\ttotal=11\n";
        assert_int_equal(psi_parse(moved, strlen(moved), &t), 0);
        assert_int_equal(t.some_us, 9);
        assert_int_equal(t.full_us, 11);
}

static void test_malformed(void **state) {
        PsiTotals t;
        assert_int_equal(psi_parse("", 0, &t), -EBADMSG);
        assert_int_equal(psi_parse("\n", 1, &t), -EBADMSG);
        const char no_total[] = "some avg10=0.00 avg60=0.00 avg300=0.00\n";
        assert_int_equal(psi_parse(no_total, strlen(no_total), &t), -EBADMSG);
        const char bad_total[] = "some avg10=0.00 total=12x\n";
        assert_int_equal(psi_parse(bad_total, strlen(bad_total), &t), -EBADMSG);
        const char empty_total[] = "some total=\n";
        assert_int_equal(psi_parse(empty_total, strlen(empty_total), &t), -EBADMSG);
        const char huge[] = "some total=99999999999999999999999\n";
        assert_int_equal(psi_parse(huge, strlen(huge), &t), -EBADMSG);
        /* Truncated at every byte: a parse that succeeds never reports more than the real total. */
        for (size_t n = 0; n <= strlen(memory_text); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, memory_text, n);
                int r = psi_parse(copy, n, &t);
                if (r == 0 && t.has_some)
                        assert_true(t.some_us <= 5712940);
                if (n < strlen("some avg10=1.50 avg60=0.80 avg300=0.20 total=5"))
                        assert_int_equal(r, -EBADMSG);
                free(copy);
        }
}

typedef struct Totals {
        uint64_t cpu[3], mem_some[3], mem_full[3], io_some[3], io_full[3];
} Totals;

static void write_pressure(const char *dir, unsigned i, void *userdata) {
        const Totals *t = userdata;
        test_writef(dir, "proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=%lu\n"
                                              "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", t->cpu[i]);
        test_writef(dir, "proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=%lu\n"
                                                 "full avg10=0.00 avg60=0.00 avg300=0.00 total=%lu\n",
                    t->mem_some[i], t->mem_full[i]);
        test_writef(dir, "proc/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=%lu\n"
                                             "full avg10=0.00 avg60=0.00 avg300=0.00 total=%lu\n",
                    t->io_some[i], t->io_full[i]);
}

static void test_rates_and_findings(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        /* One second between samples: 100000 us of stall = 10%. */
        Totals t = {
                .cpu = { 1000, 101000, 201000 },                 /* 10%, 10%: under the 20% threshold */
                .mem_some = { 0, 150000, 450000 },               /* 15%, 30%: avg 22.5 -> warning */
                .mem_full = { 0, 50000, 50000 },                 /* 5%, 0% */
                .io_some = { 500, 500, 300500 },                 /* 0%, 30% */
                .io_full = { 0, 100000, 200000 },                /* 10%, 10% -> finding (>= 5) */
        };
        json_t *doc = test_profile(dir, 3, write_pressure, &t);
        assert_float_equal(test_num(doc, "resources.cpu.psi_some_pct.value"), 10.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.memory.psi_some_pct.value"), 22.5, 1e-9);
        assert_float_equal(test_num(doc, "resources.memory.psi_some_pct.max"), 30.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.memory.psi_full_pct.value"), 2.5, 1e-9);
        assert_float_equal(test_num(doc, "resources.disk.psi_some_pct.value"), 15.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.disk.psi_full_pct.value"), 10.0, 1e-9);
        assert_int_equal(test_num(doc, "resources.memory.psi_some_pct.n"), 2);
        assert_null(test_path(doc, "resources.cpu.psi_full_pct"));

        json_t *f = test_find_finding(doc, "memory.psi_some_pct");
        assert_non_null(f);
        assert_string_equal(json_string_value(json_object_get(f, "severity")), "warning");
        assert_string_equal(json_string_value(json_object_get(f, "kind")), "saturation");
        assert_non_null(strstr(json_string_value(json_object_get(f, "message")), "22.5%"));
        assert_non_null(strstr(json_string_value(json_object_get(f, "message")), "threshold 10%"));
        f = test_find_finding(doc, "disk.psi_full_pct");
        assert_non_null(f);
        assert_float_equal(json_number_value(json_object_get(f, "threshold")), 5, 1e-9);
        assert_null(test_find_finding(doc, "cpu.psi_some_pct"));
        json_decref(doc);

        /* Heavier memory pressure: critical from 25%; cpu over 20%. */
        Totals heavy = {
                .cpu = { 0, 300000, 600000 },
                .mem_some = { 0, 400000, 800000 },
                .mem_full = { 0, 0, 0 },
                .io_some = { 0, 0, 0 },
                .io_full = { 0, 0, 0 },
        };
        doc = test_profile(dir, 3, write_pressure, &heavy);
        f = test_find_finding(doc, "memory.psi_some_pct");
        assert_non_null(f);
        assert_string_equal(json_string_value(json_object_get(f, "severity")), "critical");
        assert_non_null(test_find_finding(doc, "cpu.psi_some_pct"));
        assert_null(test_find_finding(doc, "disk.psi_full_pct"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

static void test_counter_reset(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        /* A total that goes backwards (not a 32-bit wrap): that interval is skipped. */
        Totals t = {
                .cpu = { 5000000000ull, 5000100000ull, 100 },
                .mem_some = { 0, 100000, 200000 },
                .mem_full = { 0, 0, 0 },
                .io_some = { 0, 0, 0 },
                .io_full = { 0, 0, 0 },
        };
        json_t *doc = test_profile(dir, 3, write_pressure, &t);
        assert_int_equal(test_num(doc, "resources.cpu.psi_some_pct.n"), 1);
        assert_float_equal(test_num(doc, "resources.cpu.psi_some_pct.value"), 10.0, 1e-9);
        assert_int_equal(test_num(doc, "resources.memory.psi_some_pct.n"), 2);
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

static void test_missing(void **state) {
        char *dir = test_tmpdir(), *pressure;
        test_copy_fixture("captured-vm", dir);
        assert_true(asprintf(&pressure, "%s/proc/pressure", dir) > 0);
        test_rm_rf(pressure);
        json_t *doc = test_profile(dir, 3, NULL, NULL);
        /* The profile still succeeds, with the reason for each resource. */
        const char *why = json_string_value(test_path(doc, "resources.memory.unavailable.psi"));
        assert_non_null(why);
        assert_non_null(strstr(why, "/proc/pressure/memory"));
        assert_non_null(strstr(why, "CONFIG_PSI"));
        assert_non_null(strstr(why, "psi=1"));
        assert_non_null(test_path(doc, "resources.cpu.unavailable.psi"));
        assert_non_null(test_path(doc, "resources.disk.unavailable.psi"));
        assert_null(test_path(doc, "resources.memory.psi_some_pct"));
        assert_non_null(test_path(doc, "resources.cpu.run_queue"));
        json_decref(doc);

        /* A file that reads garbage is unavailable with the read error, not a crash. */
        test_write(dir, "proc/pressure/memory", "garbage\n");
        doc = test_profile(dir, 2, NULL, NULL);
        why = json_string_value(test_path(doc, "resources.memory.unavailable.psi"));
        assert_non_null(why);
        assert_non_null(strstr(why, "cannot read /proc/pressure/memory"));
        json_decref(doc);
        test_rm_rf(dir);
        free(pressure);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_rates_and_findings),
                cmocka_unit_test(test_counter_reset),
                cmocka_unit_test(test_missing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
