/* SPDX-License-Identifier: MIT */
/* A profile for the verbs that read one (recommend, diff): a saved skytune.profile/1 file, or one
 * taken now through the Sysroot. */
#pragma once

#include <getopt.h>
#include <jansson.h>

#include "sysroot.h"

/* file NULL: profile root now for duration_s seconds (1 s samples). -EINTR (not logged) when Ctrl-C
 * stopped the profile; other failures are logged. */
int cli_profile_get(const char *file, const Sysroot *root, double duration_s, json_t **ret);

/* The getopt_long entries of a verb that profiles now (plan-common.h's PLAN_OPT_* values, parsed by
 * plan_args_option()), and --help. */
#define PROFILE_SOURCE_OPTIONS                                                  \
        { "duration", required_argument, NULL, PLAN_OPT_DURATION },             \
        { "sysroot", required_argument, NULL, PLAN_OPT_SYSROOT },               \
        { "json", no_argument, NULL, PLAN_OPT_JSON },                           \
        { "help", no_argument, NULL, 'h' }
