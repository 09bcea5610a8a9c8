/* SPDX-License-Identifier: MIT */
/* What skytune-helper and its callers must agree on beyond the names of docs/helper.md. */
#pragma once

#include <stdint.h>

/* How long the helper waits for polkit when a call allows interactive authorization (a person may be
 * typing a password). A caller that allows it waits longer than that for the helper's reply. */
#define HELPER_POLKIT_INTERACTIVE_USEC (300 * UINT64_C(1000000))
