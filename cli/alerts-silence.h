/* SPDX-License-Identifier: MIT */
/* skytune alerts silence, silences and unsilence (verb-alerts-silence.c; docs/monitor.md, Silences). */
#pragma once

#define ALERTS_SILENCE_USAGE                                                                   \
        "Usage: skytune alerts silence MATCHER... [--for SPAN] [--start TIME]\n"               \
        "                              [--comment TEXT] [--store FILE] [--json]\n\n"           \
        "Hold back the notifications of the alerts whose labels match every MATCHER, for\n"    \
        "SPAN (default 2h, at most 30d) from now or from --start. The alerts are still\n"      \
        "evaluated, logged and kept in the history; only their notifications wait; one\n"      \
        "still firing when the silence ends is told then. A MATCHER is LABEL=VALUE,\n"         \
        "LABEL!=VALUE, LABEL=~REGEX or LABEL!~REGEX (POSIX extended, anchored), over the\n"    \
        "labels the notifications carry: alertname, severity (warning, critical),\n"           \
        "instance and the rule's own. One matcher at least must not match an empty label.\n\n" \
        "  --for SPAN        how long: 90m, 2h, 1d (default 2h)\n"                             \
        "  --start TIME      from TIME in UTC (2026-12-07T18:00:00Z) instead of now\n"         \
        "  --comment TEXT    why, for whoever lists the silences\n"                            \
        "  --store FILE      the monitor's store (default: skytune.conf's monitor.store);\n"   \
        "                    the silences are files in the directory 'silences' beside it\n"   \
        "  --json            print the silence (skytune.silence/1)\n\n"                        \
        "Example: skytune alerts silence alertname=HighCPU severity=warning --for 4h \\\n"     \
        "           --comment 'batch job until 18:00'\n\n"                                     \
        "skytune-monitor reads the directory again at the next tick after it changes.\n"       \
        "Exit: 0 the silence is written, 1 it cannot be, 2 usage error.\n"

#define ALERTS_SILENCES_USAGE                                                               \
        "Usage: skytune alerts silences [--all] [--store FILE] [--json]\n\n"                \
        "List the silences in force and those to come; --all adds the ones that ended in\n" \
        "the last week. --json: schema skytune.silences/1.\n"

#define ALERTS_UNSILENCE_USAGE                                                              \
        "Usage: skytune alerts unsilence ID [--store FILE]\n\n"                             \
        "End the silence ID now (it stays listed under --all for a week). Exit: 0 ended,\n" \
        "1 no such silence or it cannot be written, 2 usage error.\n"

int alerts_silence(int argc, char **argv);
int alerts_silences(int argc, char **argv);
int alerts_unsilence(int argc, char **argv);
