/* SPDX-License-Identifier: MIT */
/* Dotted paths into JSON documents. Keys may themselves hold dots ("tunables.sysctl.vm.swappiness",
 * key "vm.swappiness"): at each level the longest key that matches a prefix of the path wins, and a
 * shorter one is tried when the rest of the path does not resolve. A number after a list is the index
 * of one of its elements. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

json_t *jpath_get(const json_t *doc, const char *path);
/* Where rules look: the extra context (ulimit targets) first, then the profile's resources
 * ("network.tcp..." means resources.network.tcp...), then the profile's top level (host, tunables). */
json_t *jpath_profile(const json_t *profile, const json_t *ctx, const char *path);
/* A metric object ({unit, value, ...}) stands for its value; anything else for itself. */
json_t *jpath_scalar(json_t *v);
/* A number, or a string that is one number ("4096"); false otherwise. */
bool jpath_number(const json_t *v, double *ret);
/* Replace every '$' of s with subst (malloc'ed). */
char *jpath_subst(const char *s, const char *subst);
