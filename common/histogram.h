/* SPDX-License-Identifier: MIT */
/* A fixed-memory log-linear histogram of non-negative integers (HDR style): each power of two is
 * split into 2^k linear sub-buckets, enough for the requested significant decimal digits, so the
 * relative error of any reported value is at most 10^-digits. Recording is O(1) and allocation-free,
 * memory depends only on the range and the digits (never on how many values were recorded), and two
 * histograms merge by adding counts. The unit is the caller's (ns, us, bytes). Not thread-safe: keep
 * one per thread and merge. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct Histogram Histogram;

/* Values 0..highest (highest >= 2) with 1..5 significant digits; -EINVAL otherwise. */
int histogram_new(uint64_t highest, unsigned digits, Histogram **ret);
Histogram *histogram_free(Histogram *h);
void histogram_reset(Histogram *h);
/* Values above the highest trackable one are counted at the highest and in histogram_clamped(). */
void histogram_record(Histogram *h, uint64_t v);
void histogram_record_n(Histogram *h, uint64_t v, uint64_t n);
/* dst += src. Same layout: counts are added; otherwise src's buckets are recorded one by one at their
 * middle value (still exact within the coarser of the two precisions). */
void histogram_merge(Histogram *dst, const Histogram *src);

uint64_t histogram_count(const Histogram *h);
uint64_t histogram_clamped(const Histogram *h);
uint64_t histogram_min(const Histogram *h);     /* 0 when empty */
uint64_t histogram_max(const Histogram *h);     /* exact, as recorded (clamped values at highest) */
double histogram_mean(const Histogram *h);      /* from the exact sum; NAN when empty */
/* The value at percentile p (0..100): the smallest bucket holding at least p % of the values,
 * reported as the bucket's highest equivalent value capped at the recorded maximum (so p100 is the
 * exact max). 0 when empty. */
uint64_t histogram_percentile(const Histogram *h, double p);
/* Values above edge, each bucket taken at the value histogram_percentile() reports for it. */
uint64_t histogram_count_above(const Histogram *h, double edge);
/* Bytes used by this histogram (constant after histogram_new). */
size_t histogram_memory(const Histogram *h);
/* Two values in the same bucket are indistinguishable: the bucket's lowest and highest value. */
uint64_t histogram_lowest_equivalent(const Histogram *h, uint64_t v);
uint64_t histogram_highest_equivalent(const Histogram *h, uint64_t v);

/* The layout, for codecs (common/hdr-codec.c) and renderers that walk the buckets. It is
 * HdrHistogram's with a lowest discernible value of 1: the first 2^sub_bits buckets hold 0..2^sub_bits-1
 * one value each, then every power of two has 2^(sub_bits-1) buckets, in value order. */
unsigned histogram_digits(const Histogram *h);
uint64_t histogram_highest(const Histogram *h);
unsigned histogram_sub_bits(const Histogram *h);
size_t histogram_buckets(const Histogram *h);                   /* how many, highest included */
size_t histogram_bucket_index(const Histogram *h, uint64_t v);  /* v above the highest: the last */
/* The count of bucket i (< histogram_buckets()) and its lowest and highest value (either may be NULL). */
uint64_t histogram_bucket(const Histogram *h, size_t i, uint64_t *ret_lowest, uint64_t *ret_highest);
/* Add n values known only by their bucket (a decoded histogram): min becomes at most the bucket's
 * lowest value, max at least its highest (capped at the histogram's highest), the sum grows by n times
 * its middle value, as HdrHistogram reports such values. i out of range: nothing happens. */
void histogram_record_bucket(Histogram *h, size_t i, uint64_t n);
