/* SPDX-License-Identifier: MIT */
/* What the benchmark history's files share. */
#pragma once

#include "bench-history.h"
#include "tsdb-internal.h"

struct BenchHistory {
        sqlite3 *db;
        int64_t version; /* the file's user_version: older files open read-only as they are */
};
