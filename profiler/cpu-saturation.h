/* SPDX-License-Identifier: MIT */
/* Whether tasks wait for a CPU, judged on three sources together: the run queue against the CPU
 * count (/proc/stat, without skytune's own reading thread), utilization, and PSI cpu. Each alone
 * misleads: the run queue is a sample of an instant (a kworker waking up), and PSI cpu also counts
 * the delay before a woken task runs, which on a VM is mostly the hypervisor scheduling the vCPU.
 * Run by the psi collector, after the cpu collector has reported its metrics. */
#pragma once

#include <stdbool.h>

#include "report.h"

/* Tasks waiting beyond the CPUs, on average, before the run queue counts as saturated. */
#define CPU_RUNQ_EXCESS 0.5
/* PSI cpu some (%) that confirms a long run queue, and that makes a finding of its own. */
#define CPU_PSI_CONFIRM_PCT 10.0
#define CPU_PSI_FINDING_PCT 20.0
/* Utilization (%) at which PSI cpu means the CPUs are oversubscribed. */
#define CPU_BUSY_PCT 90.0

/* have_psi false: /proc/pressure/cpu was unavailable; the run queue is judged alone. */
int cpu_saturation_findings(Report *rep, bool have_psi, double psi_some_avg);
