/* SPDX-License-Identifier: MIT */
/* What limits the host during `skytune load` and `skytune stress` (docs/load.md "system" and
 * "findings"): the profiler's streaming collectors sampled at every total interval on the run's time
 * axis, a few host series kept for the charts, and at the end the profile's findings over the run,
 * each with the interval and the load at which its metric first reached its threshold, and the
 * changes `skytune plan` (policy balanced) would propose for it. Memory: the kept series (12 numbers
 * a second, about 350 KB an hour) and one crossing record per series a finding rule names. */
#pragma once

#include <jansson.h>

typedef struct LoadHost LoadHost;

/* Opens the collectors on sysroot (NULL: /) and takes the first sample; with server_pid > 0 or
 * server_unit, that server's processes too (profiler/proc-tree.h: "system.server"). Logs and returns
 * -errno (a server that is not there: -ESRCH, -ENOENT, naming the option). */
int load_host_new(const char *sysroot, int server_pid, const char *server_unit, LoadHost **ret);
/* One sample at t_s seconds into the run, while the run offered `planned` (users or requests/s). */
void load_host_tick(LoadHost *h, double t_s, double planned);
/* The last sample; sets doc's "system" and "findings". Logs and returns -errno. */
int load_host_finish(LoadHost *h, json_t *doc);
/* The server's RSS at the last sample, in bytes; NAN without a server or once it is gone. */
double load_host_server_rss(const LoadHost *h);
LoadHost *load_host_free(LoadHost *h);
