/* SPDX-License-Identifier: MIT */
/* What the files of `skytune bench` share (cli/verb-bench*.c). */
#pragma once

#include "suite.h"

/* Loads the suite at path, logging its first mistake at file:line; NULL then. */
Suite *bench_load_suite(const char *path);
