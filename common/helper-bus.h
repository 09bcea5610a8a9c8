/* SPDX-License-Identifier: MIT */
/* The contract between skytune-helper and its callers (the client library, the CLI, bench-helper and
 * the tests; docs/helper.md describes it): the only place these names and flags are written.
 * tests/integration/lib-helper-bus.sh reads the string values from this file, so keep each one a
 * plain `#define NAME "value"` line. */
#pragma once

#include <stdint.h>

#define HELPER_BUS_NAME "io.skysentinel.SkyTune1"
#define HELPER_BUS_PATH "/io/skysentinel/SkyTune1"
#define HELPER_BUS_IFACE "io.skysentinel.SkyTune1"

/* polkit actions (packaging/io.skysentinel.skytune.policy). */
#define HELPER_ACTION_APPLY "io.skysentinel.skytune.apply"
#define HELPER_ACTION_ROLLBACK "io.skysentinel.skytune.rollback"
/* GetTransaction/ListTransactions in full (owned files' contents, caller ids); without it a redacted view. */
#define HELPER_ACTION_READ "io.skysentinel.skytune.read"

/* The helper's own D-Bus errors; every one starts with HELPER_ERROR_PREFIX. */
#define HELPER_ERROR_PREFIX "io.skysentinel.SkyTune1.Error."
#define HELPER_ERROR_INVALID_PLAN "io.skysentinel.SkyTune1.Error.InvalidPlan"
#define HELPER_ERROR_CONFLICT "io.skysentinel.SkyTune1.Error.Conflict"
#define HELPER_ERROR_BUSY "io.skysentinel.SkyTune1.Error.Busy"
#define HELPER_ERROR_NOT_FOUND "io.skysentinel.SkyTune1.Error.NotFound"
#define HELPER_ERROR_FAILED "io.skysentinel.SkyTune1.Error.Failed"
#define HELPER_ERROR_INVALID_VERIFICATION "io.skysentinel.SkyTune1.Error.InvalidVerification"
#define HELPER_ERROR_NOT_FINISHED "io.skysentinel.SkyTune1.Error.NotFinished"

/* Apply and RollbackWithFlags flags (the "t flags" argument). */
enum {
        HELPER_FLAG_INTERACTIVE = 1 << 0,   /* polkit may ask for a password */
        HELPER_FLAG_PERSIST = 1 << 1,       /* also write the persistent forms (as the plan's "persist") */
        HELPER_FLAG_FORCE = 1 << 2,         /* rollback: restore values someone else changed since */
        _HELPER_FLAGS_ALL = (1 << 3) - 1,
};

/* How long the helper waits for polkit when a call allows interactive authorization (a person may be
 * typing a password). A caller that allows it waits longer than that for the helper's reply. */
#define HELPER_POLKIT_INTERACTIVE_USEC (300 * UINT64_C(1000000))
