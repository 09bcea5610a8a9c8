/* SPDX-License-Identifier: MIT */
/* When a notification is tried again (docs/monitor.md, Notifications): what a try's outcome means
 * (sent, try again, or never: a receiver that refuses the message as it is), the backoff between
 * tries, and a receiver's Retry-After. Pure, so tests and the fuzzer drive it. */
#pragma once

#include <stdint.h>

typedef enum NotifyOutcome { NOTIFY_SENT, NOTIFY_RETRY, NOTIFY_REFUSED } NotifyOutcome;

/* An HTTP status: 2xx sent; other 4xx refused (the same body would be refused again, as with 400,
 * 413 or 422); tried again: no answer (0), 408, 425, 429, 5xx, and the answers that say the
 * receiver is misconfigured rather than the message wrong (401, 403, 404, 407, 410, 3xx), so
 * that fixing a token or a path later loses nothing. */
NotifyOutcome notify_http_outcome(long status);
/* An SMTP reply code: 2xx sent, 5xx refused but the login's (530, 534, 535, 538: tried again);
 * 4xx and 0 (no answer) tried again. */
NotifyOutcome notify_smtp_outcome(long code);

/* The wait before try attempts + 1 (attempts >= 1 made): 1 s, 2 s, 4 s, ... up to max_ms. */
int64_t notify_backoff_ms(int attempts, int64_t max_ms);

/* A Retry-After header's value: delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00
 * GMT"), as a wait in ms from now_ms (a date in the past: 0), at most an hour. -EINVAL for
 * anything else. */
int notify_retry_after(const char *value, int64_t now_ms, int64_t *ret_ms);
