/* SPDX-License-Identifier: MIT */
#include "cli.h"
#include "log.h"
#include "verb-bench.h"

int bench_compare(int argc, char **argv) {
        log_error("bench compare: not yet");
        return EXIT_FAIL;
}
