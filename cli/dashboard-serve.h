/* SPDX-License-Identifier: MIT */
/* skytune dashboard without --html (cli/dashboard-serve.c). */
#pragma once

/* Prints the URL of the served page at range (monitor.conf's listen; config NULL: the default
 * file, missing meaning the defaults) and checks that the daemon answers there: the exit code. */
int dashboard_serve_url(const char *config, const char *range);
