/* SPDX-License-Identifier: MIT */
/* The Prometheus renderer on a fixed profile document: names, base units, labels, escaping, and the
 * exposition format's structure (one HELP and TYPE per family, samples together, no timestamps).
 * promtool itself runs on the real binary's output in tests/integration/test-prometheus.sh. */
#include <string.h>

#include "render.h"     /* render_prometheus(), from the skytune-render library */
#include "macro.h"
#include "support.h"

static const char profile_json[] =
        "{\"schema\": \"skytune.profile/1\", \"generated\": \"2026-01-02T03:04:05Z\", \"sysroot\": \"/\","
        " \"window\": {\"duration_s\": 10, \"interval_s\": 1, \"samples\": 11}, \"metric_count\": 20,"
        " \"host\": {\"hostname\": \"web1\", \"kernel\": \"6.1.0\", \"cpus\": 2, \"memory_bytes\": 17179869184,"
        "           \"cgroup\": {\"mode\": \"unified\"}},"
        " \"findings\": [{\"rank\": 1, \"kind\": \"saturation\", \"severity\": \"warning\", \"resource\": \"network\","
        "                 \"metric\": \"network.tcp.listen_overflows_per_s\", \"value\": 12.5, \"threshold\": 0, \"message\": \"m\"}],"
        " \"resources\": {"
        "  \"cpu\": {\"utilization_pct\": {\"unit\": \"percent\", \"value\": 25, \"min\": 0, \"avg\": 25, \"max\": 80, \"p95\": 50, \"n\": 10},"
        "           \"online_cpus\": {\"unit\": \"cpus\", \"value\": 2},"
        "           \"per_cpu\": {\"cpu0\": {\"utilization_pct\": {\"unit\": \"percent\", \"value\": 10}},"
        "                       \"cpu1\": {\"utilization_pct\": {\"unit\": \"percent\", \"value\": 50}}},"
        "           \"cgroups\": {\"system.slice\": {\"throttled_ms_per_s\": {\"unit\": \"ms/s\", \"value\": 50}}},"
        "           \"unavailable\": {\"psi_some_pct\": \"PSI is off (boot with psi=1)\"}},"
        "  \"interrupts\": {\"softnet_dropped_per_s\": {\"unit\": \"1/s\", \"value\": 3},"
        "                  \"softnet\": {\"cpu0\": {\"dropped_per_s\": {\"unit\": \"1/s\", \"value\": 1}}}},"
        "  \"memory\": {\"oom_kills\": {\"unit\": \"count\", \"value\": 1}, \"swap_total_bytes\": {\"unit\": \"bytes\", \"value\": 0},"
        "              \"dirty_pct_of_threshold\": {\"unit\": \"percent\", \"value\": 12.5},"
        "              \"swap_in_per_s\": {\"unit\": \"pages/s\", \"value\": 4}, \"events_total\": {\"unit\": \"count\", \"value\": 7},"
        "              \"unknown_now\": {\"unit\": \"bytes\", \"value\": null}},"
        "  \"disk\": {\"devices\": {"
        "     \"sda\": {\"rotational\": false, \"scheduler\": \"mq-deadline\", \"schedulers_available\": [\"none\", \"mq-deadline\"],"
        "              \"read_ahead_kb\": 128, \"size_bytes\": 1000, \"r_await_ms\": {\"unit\": \"ms\", \"value\": 2.5},"
        "              \"read_iops\": {\"unit\": \"1/s\", \"value\": 120},"
        "              \"read_bytes_per_s\": {\"unit\": \"bytes/s\", \"value\": 1048576}},"
        "     \"we\\\"ird\\\\dev\": {\"util_pct\": {\"unit\": \"percent\", \"value\": 100}}}},"
        "  \"network\": {\"interfaces\": {\"eth0\": {\"speed_mbps\": 1000, \"operstate\": \"up\", \"mtu\": 1500,"
        "                                           \"rx_bytes_per_s\": {\"unit\": \"bytes/s\", \"value\": 10}},"
        "                               \"lo\": {\"speed_mbps\": null, \"operstate\": \"unknown\"}},"
        "              \"tcp\": {\"retrans_pct\": {\"unit\": \"percent\", \"value\": 1}},"
        "              \"a-b\": {\"unit\": \"count\", \"value\": 1}, \"a_b\": {\"unit\": \"count\", \"value\": 2}},"
        "  \"files\": {\"top_processes\": [{\"pid\": 1, \"comm\": \"init\"}]}"
        " },"
        " \"tunables\": {\"sysctl\": {\"net.core.somaxconn\": \"4096\", \"net.ipv4.tcp_rmem\": \"4096 131072 6291456\"},"
        "               \"unavailable\": [{\"kind\": \"cpu_governor\", \"reason\": \"no cpufreq\"}]}}";

static char *render(void) {
        json_error_t err;
        json_t *doc = json_loads(profile_json, 0, &err);
        if (!doc)
                fail_msg("fixture JSON: %s at line %d column %d", err.text, err.line, err.column);
        char *text = NULL;
        assert_int_equal(render_prometheus(doc, &text), 0);
        json_decref(doc);
        assert_non_null(text);
        return text;
}

static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

#define assert_line(text, line)                                                         \
        do {                                                                            \
                if (!has_line(text, line))                                              \
                        fail_msg("missing line: %s\n--- output ---\n%s", line, text);   \
        } while (0)

static void test_names_units_labels(void **state) {
        _cleanup_free_ char *t = render();
        assert_line(t, "skytune_build_info{version=\"" SKYTUNE_VERSION "\"} 1");
        assert_line(t, "skytune_profile_window_seconds 10");
        assert_line(t, "skytune_profile_samples 11");
        assert_line(t, "skytune_profile_generated_timestamp_seconds 1767323045");
        assert_line(t, "skytune_host_memory_bytes 17179869184");
        assert_line(t, "skytune_host_cpus 2");
        assert_line(t, "skytune_host_info{hostname=\"web1\",kernel=\"6.1.0\"} 1");
        /* percent -> ratio 0-1; window statistics as their own families, the unit last */
        assert_line(t, "# TYPE skytune_cpu_utilization_ratio gauge");
        assert_line(t, "skytune_cpu_utilization_ratio 0.25");
        assert_line(t, "skytune_cpu_utilization_p95_ratio 0.5");
        assert_line(t, "skytune_cpu_utilization_max_ratio 0.8");
        assert_line(t, "skytune_cpu_online_cpus 2");
        assert_line(t, "skytune_cpu_per_cpu_utilization_ratio{cpu=\"0\"} 0.1");
        assert_line(t, "skytune_cpu_per_cpu_utilization_ratio{cpu=\"1\"} 0.5");
        assert_line(t, "skytune_cpu_cgroup_throttled_seconds_per_second{cgroup=\"system.slice\"} 0.05");
        assert_line(t, "skytune_source_unavailable{resource=\"cpu\",source=\"psi_some_pct\"} 1");
        /* the total and the per-CPU rows stay apart */
        assert_line(t, "skytune_interrupts_softnet_dropped_per_second 3");
        assert_line(t, "skytune_interrupts_softnet_per_cpu_dropped_per_second{cpu=\"0\"} 1");
        /* window counts are gauges, never *_total */
        assert_line(t, "skytune_memory_oom_kills 1");
        assert_line(t, "skytune_memory_events_total_value 7");
        assert_line(t, "skytune_memory_swap_total_bytes 0");
        assert_line(t, "skytune_memory_dirty_of_threshold_ratio 0.125");
        assert_line(t, "skytune_memory_swap_in_pages_per_second 4");
        /* devices: ms -> seconds, kB -> bytes, iops -> ops per second, facts as an _info family */
        assert_line(t, "skytune_disk_device_r_await_seconds{device=\"sda\"} 0.0025");
        assert_line(t, "skytune_disk_device_read_ops_per_second{device=\"sda\"} 120");
        assert_line(t, "skytune_disk_device_read_bytes_per_second{device=\"sda\"} 1048576");
        assert_line(t, "skytune_disk_device_read_ahead_bytes{device=\"sda\"} 131072");
        assert_line(t, "skytune_disk_device_size_bytes{device=\"sda\"} 1000");
        assert_line(t, "skytune_disk_device_info{device=\"sda\",rotational=\"false\",scheduler=\"mq-deadline\","
                       "schedulers_available=\"none,mq-deadline\"} 1");
        assert_line(t, "skytune_disk_device_util_ratio{device=\"we\\\"ird\\\\dev\"} 1");
        /* Mbit/s -> bytes per second; a null speed is left out */
        assert_line(t, "skytune_network_interface_speed_bytes_per_second{interface=\"eth0\"} 125000000");
        assert_line(t, "skytune_network_interface_mtu{interface=\"eth0\"} 1500");
        assert_line(t, "skytune_network_interface_info{interface=\"lo\",operstate=\"unknown\"} 1");
        assert_null(strstr(t, "speed_bytes_per_second{interface=\"lo\"}"));
        assert_line(t, "skytune_network_tcp_retrans_ratio 0.01");
        assert_line(t, "skytune_findings{severity=\"warning\"} 1");
        assert_line(t, "skytune_findings{severity=\"critical\"} 0");
        assert_line(t, "skytune_finding_value{rank=\"1\",kind=\"saturation\",severity=\"warning\",resource=\"network\","
                       "metric=\"network.tcp.listen_overflows_per_s\"} 12.5");
        assert_line(t, "skytune_tunable_info{kind=\"sysctl\",key=\"net.core.somaxconn\",value=\"4096\"} 1");
        assert_line(t, "skytune_tunable_info{kind=\"sysctl\",key=\"net.ipv4.tcp_rmem\",value=\"4096 131072 6291456\"} 1");
        /* two keys that sanitize to one name: the second is left out, and the output says so */
        assert_line(t, "skytune_network_a_b 1");
        assert_line(t, "# skytune: resources.network.a_b left out: its metric name skytune_network_a_b is already used by "
                       "resources.network.a-b");
        assert_null(strstr(t, "skytune_network_a_b 2"));
        /* a metric whose value is unknown (null) gives no sample and no stray _info */
        assert_null(strstr(t, "unknown_now"));
        assert_null(strstr(t, "skytune_memory_info"));
        /* arrays of objects (top processes) are not metrics */
        assert_null(strstr(t, "top_processes"));
}

/* seen is "\n" followed by "key\n" entries; adds key (its first n bytes), false if it was there. */
static bool remember(char *seen, const char *key, size_t n) {
        char pattern[1024];
        snprintf(pattern, sizeof(pattern), "\n%.*s\n", (int) n, key);
        if (strstr(seen, pattern))
                return false;
        strcat(seen, pattern + 1);
        return true;
}

/* Every family: HELP then TYPE, once; its samples right after; a sample is "name[{labels}] value"
 * with no timestamp; no series twice. */
static void test_structure(void **state) {
        _cleanup_free_ char *t = render();
        char family[256] = "";
        size_t families = 0, samples = 0;
        char *save = NULL, *seen_series = calloc(1, strlen(t) + 2), *seen_families = calloc(1, strlen(t) + 2);
        assert_non_null(seen_series);
        assert_non_null(seen_families);
        seen_series[0] = seen_families[0] = '\n';
        for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (strncmp(line, "# HELP ", 7) == 0) {
                        char *name = line + 7, *sp = strchr(name, ' ');
                        assert_non_null(sp);
                        snprintf(family, sizeof(family), "%.*s", (int) (sp - name), name);
                        if (!remember(seen_families, family, strlen(family)))
                                fail_msg("family %s appears twice", family);
                        families++;
                        continue;
                }
                if (strncmp(line, "# TYPE ", 7) == 0) {
                        char want[300];
                        snprintf(want, sizeof(want), "# TYPE %s gauge", family);
                        assert_string_equal(line, want);
                        continue;
                }
                if (line[0] == '#')
                        continue;
                samples++;
                size_t n = strlen(family);
                if (strncmp(line, family, n) != 0 || (line[n] != ' ' && line[n] != '{'))
                        fail_msg("sample '%s' is not in its family %s", line, family);
                const char *value = line[n] == '{' ? strstr(line, "} ") : line + n;
                assert_non_null(value);
                value = strchr(value, ' ') + 1;
                if (strchr(value, ' '))
                        fail_msg("sample '%s' has more than a value (a timestamp?)", line);
                char *end;
                strtod(value, &end);
                assert_true(*end == '\0');
                if (!remember(seen_series, line, strlen(line) - strlen(value) - 1))
                        fail_msg("series twice: %s", line);
        }
        assert_true(families > 30);
        assert_true(samples >= families);
        free(seen_series);
        free(seen_families);
}

static void test_snapshot_and_bad_input(void **state) {
        /* A --duration 0 profile: gauges read once, no window statistics. */
        json_t *doc = json_pack("{s:s, s:{s:{s:{s:s, s:f}}}}", "schema", "skytune.profile/1", "resources", "tasks", "load1",
                                "unit", "tasks", "value", 0.5);
        assert_non_null(doc);
        char *text = NULL;
        assert_int_equal(render_prometheus(doc, &text), 0);
        assert_true(has_line(text, "skytune_tasks_load1 0.5"));
        assert_null(strstr(text, "_p95"));
        assert_null(strstr(text, "skytune_profile_generated_timestamp_seconds"));
        free(text);
        json_decref(doc);

        json_t *bad = json_string("not a profile");
        assert_int_equal(render_prometheus(bad, &text), -EINVAL);
        json_decref(bad);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_units_labels),
                cmocka_unit_test(test_structure),
                cmocka_unit_test(test_snapshot_and_bad_input),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
