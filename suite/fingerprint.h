/* SPDX-License-Identifier: MIT */
/* The host fingerprint of a benchmark run (docs/bench.md): hard fields decide what may be compared
 * (CPU model, logical CPUs, NUMA nodes, memory, kernel major.minor, virtualization, skytune
 * version; each benchmark's config digest is beside it in the run), soft fields are shown beside
 * results (governor, THP, mitigations, the kernel release, the host name). Read through the
 * sysroot, as the profiler reads host facts; a field that cannot be read is "unknown". */
#pragma once

#include <jansson.h>

#include "sysroot.h"

/* {"hard": {...}, "soft": {...}}, every value a string; NULL on out of memory. */
json_t *fingerprint_read(const Sysroot *root);
/* The names of the fields of level ("hard" or "soft") whose values differ between a and b (a field
 * missing on one side differs), as a JSON array of {"field", "a", "b"}; NULL on out of memory. */
json_t *fingerprint_diff(const json_t *a, const json_t *b, const char *level);
