/* SPDX-License-Identifier: MIT */
/* When a notification is tried again (docs/monitor.md, Notifications): what a try's outcome means
 * (sent, try again, or never: a receiver that refuses the message as it is), the backoff between
 * tries, and a receiver's Retry-After. Pure, so tests and the fuzzer drive it. */
#pragma once

#include <stdint.h>

typedef enum NotifyOutcome { NOTIFY_SENT, NOTIFY_RETRY, NOTIFY_REFUSED } NotifyOutcome;

/* An HTTP status: 2xx sent; 408, 425, 429 and 5xx tried again; other codes refused (the same
 * body would be refused again). status 0: the try did not get an answer (tried again). */
NotifyOutcome notify_http_outcome(long status);
/* An SMTP reply code: 2xx sent, 4xx tried again, 5xx refused; 0: no answer (tried again). */
NotifyOutcome notify_smtp_outcome(long code);

/* The wait before try attempts + 1 (attempts >= 1 made): 1 s, 2 s, 4 s, ... up to max_ms. */
int64_t notify_backoff_ms(int attempts, int64_t max_ms);

/* A Retry-After header's value: delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00
 * GMT"), as a wait in ms from now_ms (a date in the past: 0), at most an hour. -EINVAL for
 * anything else. */
int notify_retry_after(const char *value, int64_t now_ms, int64_t *ret_ms);
