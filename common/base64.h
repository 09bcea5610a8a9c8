/* SPDX-License-Identifier: MIT */
/* Base64 (RFC 4648, the standard alphabet with '=' padding), for binary payloads inside text
 * documents (HdrHistogram's compressed histograms, common/hdr-codec.h). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* A NUL-terminated malloc'd encoding of data; NULL on OOM. */
char *base64_encode(const uint8_t *data, size_t len);
/* Decode text (whitespace is not allowed; padding is optional) into a malloc'd buffer of *ret_len
 * bytes. -EINVAL on a character outside the alphabet or a bad length, -ENOMEM. */
int base64_decode(const char *text, uint8_t **ret, size_t *ret_len);
