/* SPDX-License-Identifier: MIT */
/* stress-spike: the base's band, a spike's degradation and recovery, and a surge of spikes with
 * whether recovery worsens (the rules are in load/stress.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "macro.h"
#include "stats.h"
#include "stress.h"

#define BAND_MAX 4096

int stress_band(const StressInterval *iv, size_t n, double from_s, double to_s, unsigned warmup, StressBand *ret)
{
        double p99[BAND_MAX], err[BAND_MAX];
        size_t k = 0, seen = 0;

        for (size_t i = 0; i < n && k < BAND_MAX; i++) {
                if (iv[i].t_s < from_s || iv[i].t_s >= to_s || isnan(iv[i].p99_us))
                        continue;
                if (seen++ < warmup)
                        continue;
                p99[k] = iv[i].p99_us;
                err[k] = isnan(iv[i].error_rate) ? 0 : iv[i].error_rate;
                k++;
        }
        if (k < 3)
                return -ENODATA;
        *ret = (StressBand) { .n = k };
        ret->p99_med = stats_median(p99, k);
        /* Every base window is within its own band, and at least half the median over it: one
         * window's p99 at a 10 ms delay moves by 30-50 % here from second to second. */
        double top = p99[0];
        for (size_t i = 1; i < k; i++)
                top = MAX(top, p99[i]);
        ret->p99_hi = MAX(top, ret->p99_med + MAX(3 * stats_mad(p99, k), 0.5 * ret->p99_med));
        ret->err_med = stats_median(err, k);
        ret->err_hi = ret->err_med + MAX(3 * stats_mad(err, k), 0.005);
        return 0;
}

bool stress_band_holds(const StressBand *b, const StressInterval *iv)
{
        double err = isnan(iv->error_rate) ? 0 : iv->error_rate;
        return !isnan(iv->p99_us) && iv->p99_us <= b->p99_hi && err <= b->err_hi;
}

const char stress_recovery_method[] =
        "from the spike's end to the middle of the last interval before 3 windows (each the whole number "
        "of intervals nearest 1 s) one after the other are each within the base's band: p99 and error "
        "rate over the window's requests";

unsigned stress_window_n(double interval_s)
{
        if (!(interval_s > 0))
                return 1;
        return (unsigned) MAX(1.0, round(1.0 / interval_s));
}

bool stress_window_holds(const StressBand *b, const StressInterval *iv, size_t from, size_t w)
{
        double done = 0, ok = 0, over = 0;
        for (size_t i = from; i < from + w; i++) {
                if (isnan(iv[i].over))
                        return w == 1 && stress_band_holds(b, &iv[i]);
                done += iv[i].done;
                ok += iv[i].ok;
                over += iv[i].over;
        }
        /* As histogram_percentile: p99 is the value of rank ceil(0.99 ok), within when at most
         * ok - that rank are above the edge. */
        if (!(ok > 0) || over > ok - ceil(0.99 * ok - 1e-9))
                return false;
        return (done - ok) / done <= b->err_hi;
}

/* The first i >= from from which 3 windows of w intervals in a row are within the band, all before
 * until_s; n when none. */
static size_t recovery_index(const StressInterval *iv, size_t n, size_t from, double until_s, const StressBand *b,
                             size_t w)
{
        for (size_t i = from; i + 3 * w <= n && iv[i + 3 * w - 1].t_s < until_s; i++) {
                size_t k = 0;
                while (k < 3 && stress_window_holds(b, iv, i + k * w, w))
                        k++;
                if (k == 3)
                        return i;
        }
        return n;
}

void stress_spike_analyse(const StressInterval *iv, size_t n, const StressBand *b, double start_s, double end_s,
                          double until_s, size_t w, StressSpikeResult *ret)
{
        *ret = (StressSpikeResult) { .start_s = start_s, .end_s = end_s, .recovery_s = NAN, .peak_p99_us = NAN,
                                     .peak_error_rate = NAN };
        if (w == 0)
                w = 1;
        size_t first_after = 0;
        while (first_after < n && iv[first_after].t_s < end_s)
                first_after++;
        size_t rec = recovery_index(iv, n, first_after, until_s, b, w);
        double rec_t = rec < n ? iv[rec].t_s : until_s;
        double planned = 0, completed = 0;

        for (size_t i = 0; i < n && iv[i].t_s < rec_t; i++) {
                if (iv[i].t_s < start_s)
                        continue;
                /* fmax: NAN (no p99 yet: nothing completed) gives way to any number. */
                ret->peak_p99_us = fmax(ret->peak_p99_us, iv[i].p99_us);
                ret->peak_error_rate = fmax(ret->peak_error_rate, iv[i].error_rate);
                if (iv[i].t_s < end_s) {
                        planned += iv[i].planned;
                        completed += isnan(iv[i].completed_rps) ? 0 : iv[i].completed_rps;
                }
        }
        ret->p99_factor = b->p99_med > 0 ? ret->peak_p99_us / b->p99_med : NAN;
        ret->served_fraction = planned > 0 ? completed / planned : NAN;
        if (rec < n) {
                /* Back within the band somewhere in the last interval that was not: its middle. */
                double t = rec > first_after ? (iv[rec - 1].t_s + iv[rec].t_s) / 2 : iv[rec].t_s;
                ret->recovered = true;
                ret->recovery_s = MAX(0.0, t - end_s);
        }
}

static bool worsens(const StressSurgeResult *s, double window_s)
{
        if (s->n_spikes < 2)
                return false;
        const StressSpikeResult *first = &s->spikes[0], *last = &s->spikes[s->n_spikes - 1];
        for (size_t i = 1; i < s->n_spikes; i++)
                if (first->recovered && !s->spikes[i].recovered)
                        return true;
        if (!first->recovered)
                return false;
        return last->recovery_s - first->recovery_s >= MAX(2 * window_s, 0.25 * first->recovery_s);
}

static double interval_of(const StressOptions *o)
{
        return o->interval_s > 0 ? o->interval_s : 1;
}

/* Leave out the first 10 % of the base (at least one window): connections and caches warm. */
static int base_band(const StressOptions *o, double window_s, const StressInterval *windows, size_t n, StressBand *ret)
{
        unsigned warmup = (unsigned) MAX(1.0, 0.1 * o->before_s / window_s);
        return stress_band(windows, n, 0, o->before_s, warmup, ret);
}

int stress_surge_band(const StressOptions *o, const StressInterval *windows, size_t n, StressBand *ret)
{
        return base_band(o, stress_window_n(interval_of(o)) * interval_of(o), windows, n, ret);
}

int stress_surge_analyse(const StressOptions *o, const StressBand *band, const StressInterval *iv, size_t n,
                         StressSurgeResult *ret)
{
        *ret = (StressSurgeResult) {};
        size_t w = band ? stress_window_n(interval_of(o)) : 1;
        if (band)
                ret->band = *band;
        else {
                int r = base_band(o, interval_of(o), iv, n, &ret->band);
                if (r < 0)
                        return r;
        }
        double t = o->before_s;
        for (unsigned i = 0; i < o->spikes && i < STRESS_SURGE_MAX; i++) {
                double end = t + o->spike_s, next = end + o->after_s;
                stress_spike_analyse(iv, n, &ret->band, t, end, next, w, &ret->spikes[ret->n_spikes++]);
                t = next;
        }
        ret->worsens = worsens(ret, band ? (double) w * interval_of(o) : interval_of(o));
        return 0;
}
