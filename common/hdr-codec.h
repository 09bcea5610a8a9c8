/* SPDX-License-Identifier: MIT */
/* HdrHistogram's V2 compressed encoding of a Histogram (common/histogram.h) and the V2 interval log,
 * so that skytune's latency histograms are read and merged by HdrHistogram's own tools (Java, C, Go).
 *
 * The encoding: a big-endian header (cookie 0x1c849314 = 0x1c849304 | word-size bits, the length of
 * what follows) around the zlib-deflated plain encoding (cookie 0x1c849313, payload length,
 * normalizing offset 0, significant digits, lowest discernible value, highest trackable value,
 * conversion ratio 1.0), whose payload is the counts in index order as zig-zag LEB128 integers, a run
 * of N > 1 empty buckets written as -N; all of it in base64.
 *
 * The layouts match exactly: skytune's histogram with D digits (1..5) and highest H is HdrHistogram's
 * (lowest 1, highest H, D digits): the same sub-bucket count 2^ceil(log2(2 * 10^D)) and the same
 * index of every value. Encoding is lossless for the counts; what HdrHistogram does not carry (the
 * exact sum, min and max) comes back at bucket resolution: min is the lowest value of the first
 * non-empty bucket, max the highest of the last (capped at H), the mean from bucket middles, which is
 * what HdrHistogram itself reports. A histogram of another layout (lowest > 1, 0 digits) is decoded
 * by recording each bucket's middle value, within the coarser of the two precisions. */
#pragma once

#include <stdio.h>

#include "histogram.h"

/* *ret_base64: the "HISTFAAA..." text, malloc'd. -EOVERFLOW when a count exceeds INT64_MAX,
 * -ENOMEM. */
int hdr_encode(const Histogram *h, char **ret_base64);
/* A new histogram from the text: -EBADMSG when it is not a V2 (compressed) HdrHistogram, its
 * payload is damaged or its counts add up to more than INT64_MAX, -E2BIG when it would need more
 * than 32 MiB, -ENOMEM. */
int hdr_decode(const char *base64, Histogram **ret);

/* The V2 interval log (HistogramLogWriter's format, version 1.3): the format line, #[StartTime:]
 * and #[BaseTime:] (both start_epoch_s), the CSV legend; then one line per interval,
 * "Tag=TAG,START,LENGTH,MAX,HISTFAAA...": START in seconds since the base time, MAX in milliseconds
 * (the histograms hold microseconds). A tag's commas and white space become '_'; NULL: no tag.
 * Return 0 or -EIO (write error), -ENOMEM. */
int hdrlog_begin(FILE *f, double start_epoch_s);
int hdrlog_interval(FILE *f, double start_s, double length_s, const Histogram *h, const char *tag);
