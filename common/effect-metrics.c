/* SPDX-License-Identifier: MIT */
#include "effect-metrics.h"

#include <string.h>

#include "macro.h"
#include "nearest.h"

const char *const effect_metric_names[] = {
        "cpu.int_ops_per_s_1thread", "cpu.fp_ops_per_s_1thread", "cpu.int_ops_per_s_all",
        "memory.copy_bytes_per_s", "memory.chase_latency_ns",
        "disk.randread_iops", "disk.randread_p50_us", "disk.randread_p99_us", "disk.randwrite_iops",
        "disk.randwrite_p50_us", "disk.randwrite_p99_us", "disk.seqwrite_bytes_per_s", "disk.seqread_bytes_per_s",
        "disk.fsync_p50_us", "disk.fsync_p99_us",
        "net.rr_transactions_per_s", "net.rr_p50_us", "net.rr_p99_us", "net.connects_per_s",
        "net.connect_success_ratio",
        "sched.wakeup_p50_us", "sched.wakeup_p99_us", "sched.wakeup_max_us",
        "http.successful_rps", "http.completed_rps", "http.attempted_rps", "http.success_rate",
        "http.latency_p50_ms", "http.latency_p90_ms", "http.latency_p95_ms", "http.latency_p99_ms",
        "http.latency_p99_9_ms", "http.latency_max_ms", "http.service_p50_ms", "http.service_p99_ms",
        "db.tps", "db.success_rate", "db.latency_p50_ms", "db.latency_p90_ms", "db.latency_p95_ms",
        "db.latency_p99_ms", "db.latency_p99_9_ms", "db.latency_max_ms",
};
const size_t effect_metric_count = ELEMENTSOF(effect_metric_names);

bool effect_metric_known(const char *name) {
        for (size_t i = 0; i < effect_metric_count; i++)
                if (strcmp(effect_metric_names[i], name) == 0)
                        return true;
        return false;
}

const char *effect_metric_nearest(const char *name) {
        const char *best = effect_metric_names[0];
        size_t bd = (size_t) -1;
        for (size_t i = 0; i < effect_metric_count; i++) {
                size_t d = edit_distance(name, effect_metric_names[i]);
                if (d < bd) {
                        bd = d;
                        best = effect_metric_names[i];
                }
        }
        return best;
}
