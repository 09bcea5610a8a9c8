/* SPDX-License-Identifier: MIT */
/* skytune monitor's subcommands beyond query and series (cli/verb-monitor.c dispatches). */
#pragma once

/* skytune monitor summary (cli/verb-monitor-summary.c): argv[0] is "summary". */
int monitor_summary(int argc, char **argv);
