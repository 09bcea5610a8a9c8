/* SPDX-License-Identifier: MIT */
/* skytune: measure a Linux host, explain what limits it, plan and apply tuning. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "nearest.h"
#include "verbs.h"

static const Verb verbs[] = {
        { "profile", verb_profile, "measure this host (USE method) and say what limits it" },
        { "probe", verb_probe, "run bounded load probes (cpu memory disk net sched http) in rounds" },
        { "rollback", verb_rollback, "undo an applied transaction (values changed since are left alone)" },
        { "history", verb_history, "list the transactions that apply and rollback made" },
        { "status", verb_status, "live values against the last applied transaction (drift)" },
        { "plan", verb_plan, "propose changes from a profile and a policy, each with its rule and evidence" },
        { "apply", verb_apply, "apply a plan; --dry-run shows exactly what would change, writing nothing" },
        { "policy", verb_policy, "list, show and check tuning policies" },
        { "recommend", verb_recommend, "which shipped policy fits this host, with the evidence" },
        { "get", verb_get, "read tunables the way sysctl does (KEY..., or --all)" },
        { "set", verb_set, "change tunables (KEY=VALUE) as one journaled, undoable transaction" },
        { "load", verb_load, "send HTTP load (users, a rate, a scenario), judged by thresholds" },
        { "stress", verb_stress, "spike, ramp, surge, breakpoint, endurance: recovery, knee, capacity, drift" },
        { "diff", verb_diff, "what changed between two profiles, plans or probe runs" },
        { "scenario", verb_scenario, "check a load scenario file and show what it would run" },
        { "report", verb_report, "rebuild a load run's HTML report and JUnit XML from its saved JSON" },
        { "db", verb_db, "PostgreSQL: time queries, load at N clients or a rate, init tables" },
        { "monitor", verb_monitor, "skytune-monitor's history: a series per step, the series, a summary" },
        { "alerts", verb_alerts, "skytune-monitor's alerts; check and test its alert rules" },
        { "bench", verb_bench, "benchmark suites: run (or A/B --against), compare, trends, schedule" },
        { "dashboard", verb_dashboard, "skytune-monitor's history, alerts and tunings as one offline page" },
};

static void usage_text(FILE *f, void *userdata) {
        fprintf(f,
                "Usage: skytune COMMAND [OPTIONS]\n"
                "\n"
                "skytune measures a Linux host, explains what limits it, proposes kernel and limit\n"
                "changes and applies them through a privileged helper that can take them back.\n"
                "\n"
                "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
        fprintf(f,
                "\n"
                "Start with:  skytune profile          (10 s of sampling, then the findings)\n"
                "             skytune apply --dry-run  (what would change, and why)\n"
                "\n"
                "Each command takes --help ('skytune help COMMAND' prints the same); 'skytune --version'\n"
                "prints the version. Common options: --json (machine output), --sysroot DIR\n"
                "(read /proc and /sys below DIR; also SKYTUNE_SYSROOT). NO_COLOR turns colour off.\n"
                "Exit codes: 0 success, 1 failure, 2 usage error, 3 changes pending (--detailed-exitcode).\n");
}

/* Fitted to the terminal's width. */
static void usage(FILE *f) {
        cli_fit(f, usage_text, NULL);
}

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return &verbs[i];
        return NULL;
}

/* An unknown command: a usage error that names the nearest one. */
static int unknown_verb(const char *name) {
        const char *names[ELEMENTSOF(verbs)];
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                names[i] = verbs[i].name;
        const char *near = nearest_name(name, names, ELEMENTSOF(verbs));
        if (near)
                log_error("unknown command '%s': did you mean '%s'? (run 'skytune --help' for the list)", name, near);
        else
                log_error("unknown command '%s' (run 'skytune --help' for the list)", name);
        return EXIT_USAGE;
}

static int run_verb(const Verb *v, int argc, char **argv) {
        int code = v->run(argc, argv);
        /* Output is often JSON for a script: a failed write must not exit 0. */
        if ((fflush(stdout) != 0 || ferror(stdout)) && code == EXIT_OK) {
                log_error("cannot write to standard output");
                return EXIT_FAIL;
        }
        return code;
}

int main(int argc, char **argv) {
        log_set_program("skytune");
        log_set_sink(cli_log_sink, NULL);
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        const char *cmd = argv[1];
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || (strcmp(cmd, "help") == 0 && argc == 2)) {
                usage(stdout);
                return EXIT_OK;
        }
        if (strcmp(cmd, "help") == 0) {
                /* Like git: 'skytune help VERB' is 'skytune VERB --help'. */
                if (argc > 3) {
                        log_error("'skytune help' takes one command, not %d (see 'skytune --help')", argc - 2);
                        return EXIT_USAGE;
                }
                const Verb *v = find_verb(argv[2]);
                if (!v)
                        return unknown_verb(argv[2]);
                char *help_argv[] = { (char *) v->name, (char *) "--help", NULL };
                return run_verb(v, 2, help_argv);
        }
        if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
                printf("skytune %s\n", SKYTUNE_VERSION);
                return EXIT_OK;
        }
        const Verb *v = find_verb(cmd);
        return v ? run_verb(v, argc - 1, argv + 1) : unknown_verb(cmd);
}
