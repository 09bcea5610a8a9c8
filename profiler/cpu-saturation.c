/* SPDX-License-Identifier: MIT */
#include "cpu-saturation.h"

#include <stdio.h>
#include <string.h>

typedef struct CpuEvidence {
        double ncpu, runq, runq_n, util, steal, psi;
        bool has_runq, has_util, has_psi;
        const char *virt;       /* host.virtualization, or NULL */
} CpuEvidence;

static bool runq_saturated(const CpuEvidence *e) {
        return e->has_runq && e->ncpu > 0 && e->runq - e->ncpu >= CPU_RUNQ_EXCESS;
}

static int report_run_queue(Report *rep, const CpuEvidence *e) {
        char why[96] = "PSI cpu is unavailable";
        /* Without PSI, one reading of the queue (--duration 0) is an instant, not a wait. */
        if (!runq_saturated(e) || (e->has_psi && e->psi < CPU_PSI_CONFIRM_PCT) || (!e->has_psi && e->runq_n < 2))
                return 0;
        if (e->has_psi)
                snprintf(why, sizeof(why), "PSI cpu some %.1f%% confirms it", e->psi);
        return report_finding(rep, FINDING_SATURATION, e->runq > 2.0 * e->ncpu ? SEVERITY_CRITICAL : SEVERITY_WARNING,
                              "cpu", "cpu.run_queue", e->runq, e->ncpu,
                              "%.1f runnable tasks on average for %.0f CPUs (skytune's own reading thread not "
                              "counted): about %.1f tasks wait for a CPU; %s",
                              e->runq, e->ncpu, e->runq - e->ncpu, why);
}

/* PSI cpu without a busy CPU or a long run queue: the wait is for a wake-up, not for a free CPU. */
static const char *latency_cause(const CpuEvidence *e, char *buf, size_t size) {
        bool vm = e->virt && strcmp(e->virt, "none") != 0 && strcmp(e->virt, "unknown") != 0 &&
                  strcmp(e->virt, "container") != 0;
        if (vm)
                snprintf(buf, size, "on this virtual machine (%s), the hypervisor is slow to run a vCPU whose task "
                         "woke up (steal %.1f%%): ask for dedicated or less shared vCPUs", e->virt, e->steal);
        else
                snprintf(buf, size, "CPU frequency ramp-up, deep idle states or tasks confined to few CPUs "
                         "(affinity, cpusets) delay wake-ups");
        return buf;
}

static int report_psi(Report *rep, const CpuEvidence *e) {
        if (!e->has_psi || e->psi < CPU_PSI_FINDING_PCT)
                return 0;
        char busy[48] = "", queue[64] = "", cause[200];
        if (e->has_util)
                snprintf(busy, sizeof(busy), "the CPUs %.0f%% busy", e->util);
        if (e->has_runq)
                snprintf(queue, sizeof(queue), "%.1f runnable tasks for %.0f CPUs", e->runq, e->ncpu);
        bool by_util = e->has_util && e->util >= CPU_BUSY_PCT, by_runq = runq_saturated(e);
        if (!by_util && !by_runq)
                return report_finding(rep, FINDING_SATURATION, SEVERITY_WARNING, "cpu", "cpu.psi_some_pct", e->psi,
                                      CPU_PSI_FINDING_PCT,
                                      "tasks waited for a CPU %.1f%% of the time (PSI cpu some, threshold 20%%) with "
                                      "%s%s%s: not oversubscription but wake-up latency; %s",
                                      e->psi, *busy ? busy : "utilization unknown", *queue ? " and " : "", queue,
                                      latency_cause(e, cause, sizeof(cause)));
        int r = report_finding(rep, FINDING_SATURATION, SEVERITY_WARNING, "cpu", "cpu.psi_some_pct", e->psi,
                               CPU_PSI_FINDING_PCT,
                               "tasks waited for a CPU %.1f%% of the time (PSI cpu some, threshold 20%%) with %s: "
                               "the CPUs are oversubscribed (%s agrees)",
                               e->psi, by_util ? busy : queue, by_util ? "utilization" : "the run queue");
        return r < 0 || !by_runq ? r : report_finding_cause(rep, "cpu.run_queue");
}

int cpu_saturation_findings(Report *rep, bool have_psi, double psi_some_avg) {
        CpuEvidence e = { .psi = psi_some_avg, .has_psi = have_psi };
        e.has_runq = report_metric(rep, "cpu.run_queue", "avg", &e.runq) >= 0 &&
                     report_metric(rep, "cpu.online_cpus", "value", &e.ncpu) >= 0;
        (void) report_metric(rep, "cpu.run_queue", "n", &e.runq_n);
        e.has_util = report_metric(rep, "cpu.utilization_pct", "avg", &e.util) >= 0;
        (void) report_metric(rep, "cpu.steal_pct", "avg", &e.steal);
        e.virt = json_string_value(json_object_get(report_host(rep), "virtualization"));
        int r = report_run_queue(rep, &e);
        return r < 0 ? r : report_psi(rep, &e);
}
