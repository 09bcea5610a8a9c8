/* SPDX-License-Identifier: MIT */
/* One function per subcommand, each in verb-<name>.c. */
#pragma once

int verb_profile(int argc, char **argv);

/* Verbs added by later modules extend this list (kept here so skytune.c stays a plain table). */
#define VERBS_MORE
