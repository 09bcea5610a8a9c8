/* SPDX-License-Identifier: MIT */
/* stress-knee: Kneedle (Satopaa et al. 2011) on latency against rate, for the gradual pattern and
 * the breakpoint search: where the curve bends from flat to rising. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "macro.h"
#include "stress.h"

const char stress_knee_method[] =
        "kneedle (Satopaa et al. 2011): p99 against offered rate, moving average of 5 (from 25 points), normalised, "
        "largest maximum of x - y (at least 0.1) confirmed with sensitivity 1";

#define SMOOTH 5

/* A moving average of SMOOTH points, on series of at least 5 * SMOOTH (a short one, such as the
 * breakpoint's steps, would lose its bend). */
static void smooth(const double *y, size_t n, double *out)
{
        size_t half = n >= 5 * SMOOTH ? SMOOTH / 2 : 0;
        for (size_t i = 0; i < n; i++) {
                size_t lo = i >= half ? i - half : 0, hi = MIN(n - 1, i + half);
                double s = 0;
                for (size_t j = lo; j <= hi; j++)
                        s += y[j];
                out[i] = s / (double) (hi - lo + 1);
        }
}

static bool normalise(double *v, size_t n)
{
        double lo = v[0], hi = v[0];
        for (size_t i = 1; i < n; i++) {
                lo = MIN(lo, v[i]);
                hi = MAX(hi, v[i]);
        }
        if (!(hi > lo))
                return false;
        for (size_t i = 0; i < n; i++)
                v[i] = (v[i] - lo) / (hi - lo);
        return true;
}

/* The maximum of d, confirmed by a later drop below d[max] - threshold; n when there is none. Of
 * Kneedle's local maxima this is the one of largest distance from the chord, so that noise on the
 * flat part does not end the search early. */
static size_t confirmed_max(const double *d, size_t n, double threshold)
{
        size_t m = 0;
        for (size_t i = 1; i < n; i++)
                if (d[i] > d[m])
                        m = i;
        for (size_t j = m + 1; j < n; j++)
                if (d[j] < d[m] - threshold)
                        return m;
        return n;
}

void stress_knee(const double *x, const double *y, size_t n, StressKnee *ret)
{
        *ret = (StressKnee) { .rate = NAN, .p99_us = NAN };
        if (n < 5)
                return;
        double *xn = malloc(n * sizeof(double)), *yn = malloc(n * sizeof(double)), *d = malloc(n * sizeof(double));
        if (!xn || !yn || !d)
                goto out;
        for (size_t i = 0; i < n; i++)
                xn[i] = x[i];
        smooth(y, n, yn);
        if (!normalise(xn, n) || !normalise(yn, n))
                goto out;
        for (size_t i = 0; i < n; i++)
                d[i] = xn[i] - yn[i];
        double step = 0;
        for (size_t i = 1; i < n; i++)
                step += xn[i] - xn[i - 1];
        step /= (double) (n - 1);
        size_t k = confirmed_max(d, n, 1.0 * step);
        if (k < n && d[k] >= 0.1) {       /* a curve that hardly bends has no knee */
                *ret = (StressKnee) { .found = true, .rate = x[k], .p99_us = y[k], .index = k };
        }
out:
        free(xn);
        free(yn);
        free(d);
}

int stress_gradual_analyse(const StressInterval *iv, size_t n, StressKnee *ret)
{
        double *x = malloc((n + 1) * sizeof(double)), *y = malloc((n + 1) * sizeof(double));
        size_t k = 0;
        if (!x || !y) {
                free(x);
                free(y);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                if (isnan(iv[i].p99_us) || isnan(iv[i].planned))
                        continue;
                x[k] = iv[i].planned;
                y[k++] = iv[i].p99_us;
        }
        stress_knee(x, y, k, ret);
        free(x);
        free(y);
        return 0;
}
