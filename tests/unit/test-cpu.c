/* SPDX-License-Identifier: MIT */
/* The cpu findings on crafted /proc/stat and /proc/pressure/cpu counters (captured-vm fixture, two
 * CPUs): the run queue without skytune's reading thread, judged against the CPUs with PSI cpu as
 * confirmation; PSI cpu as oversubscription only when utilization or the run queue agree; the
 * per-CPU warning only when one CPU is busy while another has room. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* Per second: busy percent of each CPU, iowait percent of each, procs_running at each sample (the
 * reader included, as the kernel counts it), PSI cpu some percent of each interval. */
typedef struct CpuScenario {
        unsigned busy[2], iowait[2];
        unsigned running[4];
        double psi;
        bool no_psi, vm;
} CpuScenario;

static void cpu_step(const char *dir, unsigned i, void *userdata) {
        const CpuScenario *sc = userdata;
        unsigned long long u[2], io[2], idle[2];
        for (int c = 0; c < 2; c++) {
                u[c] = 1000ull + i * sc->busy[c];
                io[c] = 50ull + i * sc->iowait[c];
                idle[c] = 5000ull + i * (100 - sc->busy[c] - sc->iowait[c]);
        }
        test_writef(dir, "proc/stat",
                    "cpu  %llu 0 0 %llu %llu 0 0 0 0 0\n"
                    "cpu0 %llu 0 0 %llu %llu 0 0 0 0 0\n"
                    "cpu1 %llu 0 0 %llu %llu 0 0 0 0 0\n"
                    "ctxt %u\nbtime 1700000000\nprocesses %u\nprocs_running %u\nprocs_blocked 0\n",
                    u[0] + u[1], idle[0] + idle[1], io[0] + io[1], u[0], idle[0], io[0], u[1], idle[1], io[1],
                    1000 + 100 * i, 50 + i, sc->running[i % 4]);
        if (!sc->no_psi)
                test_writef(dir, "proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=%.0f\n"
                            "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 1000.0 + i * sc->psi * 10000.0);
        if (i == 0 && sc->vm)
                test_write(dir, "sys/class/dmi/id/sys_vendor", "QEMU\n");
        if (i == 0 && !sc->vm) {
                /* Bare metal: no hypervisor flag, a physical vendor. */
                test_write(dir, "sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
                test_write(dir, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu\n\nprocessor\t: 1\nflags\t\t: fpu\n");
        }
}

static json_t *profile_cpu(const CpuScenario *sc, char **dir) {
        *dir = test_tmpdir();
        test_copy_fixture("captured-vm", *dir);
        if (sc->no_psi) {
                char *p;
                assert_true(asprintf(&p, "%s/proc/pressure", *dir) > 0);
                test_rm_rf(p);
                free(p);
        }
        return test_profile(*dir, 4, cpu_step, (void *) sc);
}

static const char *message(const json_t *doc, const char *metric) {
        return test_finding_str(test_find_finding(doc, metric), "message");
}

/* The idle host: procs_running is 1, the reader: the run queue is 0 and nothing is found. */
static void test_idle(void **state) {
        CpuScenario sc = { .busy = { 2, 1 }, .running = { 1, 1, 1, 1 }, .psi = 0.5 };
        char *dir;
        json_t *doc = profile_cpu(&sc, &dir);
        assert_true(test_num(doc, "resources.cpu.run_queue.max") == 0);
        assert_null(test_find_finding(doc, "cpu.*"));
        test_profile_done(doc, dir);
}

/* One CPU-bound task on two CPUs (51% busy), and two on two with a kworker now and then: no wait. */
static void test_run_queue_up_to_the_cpus(void **state) {
        CpuScenario one = { .busy = { 51, 51 }, .running = { 2, 2, 3, 2 }, .psi = 0.22 };
        char *dir;
        json_t *doc = profile_cpu(&one, &dir);
        assert_true(test_num(doc, "resources.cpu.run_queue.avg") == 1.25);
        assert_null(test_find_finding(doc, "cpu.run_queue"));
        test_profile_done(doc, dir);

        CpuScenario two = { .busy = { 100, 100 }, .running = { 3, 3, 4, 3 }, .psi = 3 };
        doc = profile_cpu(&two, &dir);
        assert_true(test_num(doc, "resources.cpu.run_queue.avg") == 2.25);
        assert_null(test_find_finding(doc, "cpu.run_queue"));
        test_profile_done(doc, dir);
}

/* Three tasks on two CPUs wait, with PSI agreeing: a warning (critical only past two per CPU). A long
 * queue that PSI contradicts is a sampling artefact; without PSI the queue is judged alone. */
static void test_run_queue_saturated(void **state) {
        CpuScenario three = { .busy = { 100, 100 }, .running = { 4, 4, 5, 4 }, .psi = 60 };
        char *dir;
        json_t *doc = profile_cpu(&three, &dir);
        json_t *f = test_expect_finding(doc, "cpu.run_queue", "saturation", "warning");
        assert_true(test_finding_value(f) == 3.25);
        assert_non_null(strstr(test_finding_str(f, "message"), "PSI cpu some 60.0% confirms"));
        test_profile_done(doc, dir);

        CpuScenario contradicted = { .busy = { 40, 40 }, .running = { 5, 5, 5, 5 }, .psi = 1 };
        doc = profile_cpu(&contradicted, &dir);
        assert_null(test_find_finding(doc, "cpu.run_queue"));
        test_profile_done(doc, dir);

        CpuScenario nopsi = { .busy = { 100, 100 }, .running = { 7, 7, 7, 7 }, .no_psi = true };
        doc = profile_cpu(&nopsi, &dir);
        f = test_expect_finding(doc, "cpu.run_queue", "saturation", "critical");
        assert_non_null(strstr(test_finding_str(f, "message"), "PSI cpu is unavailable"));
        json_decref(doc);
        /* One sample (--duration 0) is an instant: no finding without PSI to confirm a wait. */
        doc = test_profile(dir, 1, cpu_step, &nopsi);
        assert_true(test_num(doc, "resources.cpu.run_queue.value") == 6);
        assert_null(test_find_finding(doc, "cpu.run_queue"));
        test_profile_done(doc, dir);
}

/* PSI cpu 29% with the CPUs 30% busy and 59% in iowait, on a VM: wake-up latency, not
 * oversubscription. With the CPUs busy, or the run queue long, it is oversubscription. */
static void test_psi_cpu_attribution(void **state) {
        CpuScenario vm = { .busy = { 30, 30 }, .iowait = { 59, 59 }, .running = { 1, 2, 1, 1 }, .psi = 29, .vm = true };
        char *dir;
        json_t *doc = profile_cpu(&vm, &dir);
        const char *m = message(doc, "cpu.psi_some_pct");
        assert_non_null(strstr(m, "wake-up latency"));
        assert_non_null(strstr(m, "the CPUs 30% busy"));
        assert_non_null(strstr(m, "virtual machine (qemu)"));
        assert_null(strstr(m, "oversubscribed"));
        test_profile_done(doc, dir);

        vm.vm = false;
        doc = profile_cpu(&vm, &dir);
        m = message(doc, "cpu.psi_some_pct");
        assert_non_null(strstr(m, "wake-up latency"));
        assert_non_null(strstr(m, "frequency ramp-up"));
        test_profile_done(doc, dir);

        CpuScenario busy = { .busy = { 95, 95 }, .running = { 3, 3, 3, 3 }, .psi = 30 };
        doc = profile_cpu(&busy, &dir);
        m = message(doc, "cpu.psi_some_pct");
        assert_non_null(strstr(m, "oversubscribed (utilization agrees)"));
        test_profile_done(doc, dir);

        /* The run queue agrees: the PSI finding is its symptom and ranks right after it. */
        CpuScenario queue = { .busy = { 80, 80 }, .running = { 5, 5, 5, 5 }, .psi = 40 };
        doc = profile_cpu(&queue, &dir);
        json_t *q = test_expect_finding(doc, "cpu.run_queue", "saturation", NULL);
        json_t *p = test_expect_finding(doc, "cpu.psi_some_pct", "saturation", NULL);
        assert_non_null(strstr(test_finding_str(p, "message"), "oversubscribed (the run queue agrees)"));
        assert_string_equal(test_finding_str(p, "cause"), "cpu.run_queue");
        assert_int_equal(json_integer_value(json_object_get(p, "rank")), json_integer_value(json_object_get(q, "rank")) + 1);
        test_profile_done(doc, dir);
}

/* Both CPUs busy is not an imbalance; one busy while the other has room is. */
static void test_per_cpu_imbalance(void **state) {
        CpuScenario all = { .busy = { 97, 98 }, .running = { 3, 3, 3, 3 }, .psi = 2 };
        char *dir;
        json_t *doc = profile_cpu(&all, &dir);
        assert_null(test_find_finding(doc, "cpu.per_cpu.*"));
        test_expect_finding(doc, "cpu.utilization_pct", "utilization", NULL);
        test_profile_done(doc, dir);

        CpuScenario one = { .busy = { 30, 99 }, .running = { 2, 2, 2, 2 }, .psi = 1 };
        doc = profile_cpu(&one, &dir);
        json_t *f = test_expect_finding(doc, "cpu.per_cpu.cpu1.utilization_pct", "utilization", "warning");
        assert_non_null(strstr(test_finding_str(f, "message"), "while cpu0 is 30% busy"));
        assert_null(test_find_finding(doc, "cpu.per_cpu.cpu0.utilization_pct"));
        test_profile_done(doc, dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_idle),
                cmocka_unit_test(test_run_queue_up_to_the_cpus),
                cmocka_unit_test(test_run_queue_saturated),
                cmocka_unit_test(test_psi_cpu_attribution),
                cmocka_unit_test(test_per_cpu_imbalance),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
