/* SPDX-License-Identifier: MIT */
/* One function per subcommand, each in verb-<name>.c. */
#pragma once

int verb_profile(int argc, char **argv);
int verb_probe(int argc, char **argv);
int verb_plan(int argc, char **argv);
int verb_apply(int argc, char **argv);
int verb_policy(int argc, char **argv);
int verb_rollback(int argc, char **argv);
int verb_history(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_get(int argc, char **argv);
int verb_set(int argc, char **argv);
int verb_diff(int argc, char **argv);
int verb_recommend(int argc, char **argv);
int verb_report(int argc, char **argv);
int verb_load(int argc, char **argv);
/* skytune load merge (cli/verb-load-merge.c): argv[0] is "merge". */
int verb_load_merge(int argc, char **argv);
int verb_scenario(int argc, char **argv);
int verb_db(int argc, char **argv);
int verb_stress(int argc, char **argv);
int verb_monitor(int argc, char **argv);
int verb_alerts(int argc, char **argv);
int verb_bench(int argc, char **argv);
int verb_dashboard(int argc, char **argv);

#include <jansson.h>
#include <stdbool.h>

/* skytune apply's path (dry run, question, Ctrl-C, skytune-helper) for a plan another verb made
 * (skytune set). The plan is checked as the helper checks it. Returns the exit code. */
int apply_given_plan(json_t *plan, const char *sysroot, bool dry_run, bool yes, bool json, bool detailed);
