/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) of a buffer: the HTML pages' Content-Security-Policy hashes. Small and
 * dependency-free: linking libcrypto for it cost every program 1.4 MB of RSS (docs/monitor.md). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

void sha256(const void *data, size_t len, uint8_t out[SHA256_BYTES]);
