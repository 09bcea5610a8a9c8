/* SPDX-License-Identifier: MIT */
/* db pool-sweep's decisions on synthetic data with known answers: the USL fit recovers the
 * parameters of a curve it was made from (and the peak sqrt((1 - sigma) / kappa)), fits a shape it
 * cannot describe with R^2 below 0.9, and refuses fewer than 4 sizes; the recommendation takes the
 * smallest size within the best's interval, honours the SLO, and says "not enough evidence" with
 * fewer than 3 ok repeats or a wide interval; the order-statistic interval of a median and its level;
 * and the --sweep reader of advise refuses what is not a sweep document. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "db-sweep.h"
#include "stats.h"
#include "support.h"

#define assert_near(x, y, tol) assert_true(fabs((double) (x) - (double) (y)) <= (tol))

static void test_usl_recovers(void **state) {
        DbUslFit truth = { .lambda = 120, .sigma = 0.05, .kappa = 0.002 }, f;
        double n[] = { 1, 2, 4, 8, 16, 32, 64 }, x[7];
        for (size_t i = 0; i < 7; i++)
                x[i] = db_usl_eval(&truth, n[i]);
        assert_int_equal(db_usl_fit(n, x, 7, &f), 0);
        assert_near(f.lambda, 120, 0.5);
        assert_near(f.sigma, 0.05, 0.002);
        assert_near(f.kappa, 0.002, 0.0002);
        assert_true(f.r2 > 0.9999);
        assert_near(f.peak_clients, sqrt(0.95 / 0.002), 1);
        /* Linear scaling: no contention, no coherency, no peak. */
        double lin[] = { 50, 100, 200, 400 };
        assert_int_equal(db_usl_fit(n, lin, 4, &f), 0);
        assert_near(f.lambda, 50, 0.01);
        assert_true(f.sigma < 1e-4 && f.kappa < 1e-6);
        assert_true(isnan(f.peak_clients) || f.peak_clients > 1000);
}

static void test_usl_misfit(void **state) {
        /* Up, down, up again: no USL curve does that. */
        double n[] = { 1, 2, 4, 8, 16 }, x[] = { 100, 400, 90, 380, 60 };
        DbUslFit f;
        assert_int_equal(db_usl_fit(n, x, 5, &f), 0);
        assert_true(f.r2 < DB_USL_MIN_R2);
        /* Three sizes, or a size twice, or no throughput: refused. */
        assert_int_equal(db_usl_fit(n, x, 3, &f), -EINVAL);
        double same[] = { 1, 2, 2, 4 }, y[] = { 1, 2, 2, 3 };
        assert_int_equal(db_usl_fit(same, y, 4, &f), -EINVAL);
        double zero[] = { 100, 0, 90, 380 };
        assert_int_equal(db_usl_fit(n, zero, 4, &f), -EINVAL);
}

static DbSweepPoint pt(unsigned clients, double median, double lo, double hi, double p95) {
        return (DbSweepPoint) {
                .clients = clients, .ok_repeats = 3, .median = median, .lo = lo, .hi = hi, .p95_ms = p95
        };
}

static void test_recommend(void **state) {
        DbSweepVerdict v;
        /* A plateau from 4: 4 is within 8's interval, 2 is far below it. */
        DbSweepPoint p[] = { pt(1, 100, 95, 105, 5), pt(2, 190, 185, 195, 6), pt(4, 390, 380, 400, 8),
                             pt(8, 400, 390, 410, 16) };
        db_sweep_recommend(p, 4, 0, &v);
        assert_true(v.enough);
        assert_int_equal(v.best, 3);
        assert_int_equal(v.recommended, 2);
        assert_non_null(strstr(v.reason, "4 clients reach the best throughput"));
        /* A P95 SLO of 7 ms rules 4 out (8 ms) and nothing else is near the best. */
        db_sweep_recommend(p, 4, 7, &v);
        assert_true(v.enough);
        assert_int_equal(v.recommended, -1);
        assert_non_null(strstr(v.reason, "SLO"));
        /* A 2% gap with tight intervals is no reason for more connections (DB_SWEEP_NOISE). */
        DbSweepPoint tight[] = { pt(1, 93, 92.9, 93.1, 10), pt(2, 187, 186.5, 187.5, 10),
                                 pt(4, 191, 190.8, 191.2, 10) };
        db_sweep_recommend(tight, 3, 0, &v);
        assert_int_equal(v.recommended, 1);
        /* The best is also the smallest that reaches it: it is recommended as the best. */
        DbSweepPoint up[] = { pt(1, 100, 99, 101, 1), pt(2, 200, 199, 201, 1) };
        db_sweep_recommend(up, 2, 0, &v);
        assert_int_equal(v.recommended, 1);
        assert_non_null(strstr(v.reason, "gave the most throughput"));
}

/* A size of three repeats as the sweep builds it: their median, their range as its interval. */
static DbSweepPoint of3(unsigned clients, double a, double b, double c) {
        double lo = fmin(a, fmin(b, c)), hi = fmax(a, fmax(b, c));
        return pt(clients, a + b + c - lo - hi, lo, hi, 5);
}

static void test_recommend_wide(void **state) {
        DbSweepVerdict v;
        /* 8 clients at 500, 505 and 300: its interval (300-505) reaches 352 at 4, but 4 is far slower
         * than 500, and 8's repeats disagree by 41%: they cannot rank it. */
        DbSweepPoint slow[] = { of3(1, 100, 101, 102), of3(2, 200, 201, 202), of3(4, 350, 352, 355),
                                of3(8, 500, 505, 300) };
        db_sweep_recommend(slow, 4, 0, &v);
        assert_false(v.enough);
        assert_int_equal(v.recommended, -1);
        assert_int_equal(v.best, 3);
        assert_non_null(strstr(v.reason, "not enough evidence: the throughput interval of 8 clients"));
        /* 2 clients at 200, 205 and 520: one lucky repeat reaches 8's 500 but its median does not; 4
         * (495) is the smallest size that does. */
        DbSweepPoint lucky[] = { of3(1, 100, 101, 102), of3(2, 200, 205, 520), of3(4, 490, 495, 500),
                                 of3(8, 495, 500, 505) };
        db_sweep_recommend(lucky, 4, 0, &v);
        assert_true(v.enough);
        assert_int_equal(v.recommended, 2);
        /* The candidate itself too wide: 4 at 480 but one repeat at 200. */
        DbSweepPoint shaky[] = { of3(1, 100, 101, 102), of3(4, 480, 490, 200), of3(8, 495, 500, 505) };
        db_sweep_recommend(shaky, 3, 0, &v);
        assert_false(v.enough);
        assert_int_equal(v.recommended, -1);
        assert_non_null(strstr(v.reason, "interval of 4 clients"));
}

static void test_not_enough_evidence(void **state) {
        DbSweepVerdict v;
        DbSweepPoint few[] = { pt(1, 100, 95, 105, 5), pt(2, 190, 185, 195, 6) };
        few[1].ok_repeats = 2;
        db_sweep_recommend(few, 2, 0, &v);
        assert_false(v.enough);
        assert_int_equal(v.recommended, -1);
        assert_non_null(strstr(v.reason, "not enough evidence: 2 clients had 2 ok repeats"));
        /* All sizes overlap and the best's interval is half its median wide: noise decides nothing. */
        DbSweepPoint noisy[] = { pt(1, 100, 40, 160, 5), pt(2, 120, 60, 180, 5), pt(4, 110, 50, 170, 5) };
        db_sweep_recommend(noisy, 3, 0, &v);
        assert_false(v.enough);
        assert_int_equal(v.best, 1);
        assert_non_null(strstr(v.reason, "interval of 2 clients (60.0-180.0 tps) is 100% of its median wide"));
        /* Nothing ran at all. */
        DbSweepPoint none[] = { { .clients = 1, .median = NAN, .lo = NAN, .hi = NAN, .p95_ms = NAN } };
        db_sweep_recommend(none, 1, 0, &v);
        assert_false(v.enough);
        assert_int_equal(v.best, -1);
}

static void test_median_ci(void **state) {
        double lo, hi, level, v[] = { 12, 10, 11 };
        /* Three values: their range, which holds the median 1 - 2 (1/2)^3 = 75% of the time. */
        assert_int_equal(stats_median_order_ci(v, 3, 0.95, &lo, &hi, &level), 0);
        assert_near(lo, 10, 1e-12);
        assert_near(hi, 12, 1e-12);
        assert_near(level, 0.75, 1e-12);
        /* Five: 1 - 2/32; six: 1 - 2/64, the first range at 95%. */
        double five[] = { 5, 1, 4, 2, 3, 6 };
        assert_int_equal(stats_median_order_ci(five, 5, 0.95, &lo, &hi, &level), 0);
        assert_near(level, 0.9375, 1e-12);
        assert_int_equal(stats_median_order_ci(five, 6, 0.95, &lo, &hi, &level), 0);
        assert_true(lo == 1 && hi == 6);
        assert_near(level, 1 - 2.0 / 64, 1e-12);
        /* 41 values: the 14th and 28th smallest (the binomial table's j = 14 for n = 41). */
        double many[41];
        for (size_t i = 0; i < 41; i++)
                many[i] = 100 + (double) ((i * 17) % 41);
        assert_int_equal(stats_median_order_ci(many, 41, 0.95, &lo, &hi, &level), 0);
        assert_near(lo, 113, 1e-12);
        assert_near(hi, 127, 1e-12);
        assert_true(level >= 0.95 && level < 0.98);
        double bad[] = { 1, NAN };
        assert_int_equal(stats_median_order_ci(bad, 2, 0.95, &lo, &hi, &level), -EINVAL);
}

static int read_rec(const char *text, unsigned *ret) {
        Error e = ERROR_NULL;
        int r = db_sweep_read_recommended(text, strlen(text), ret, &e);
        error_done(&e);
        return r;
}

static void test_read_sweep(void **state) {
        unsigned n = 99;
        assert_int_equal(read_rec("{\"schema\":\"skytune.db-sweep/1\",\"recommendation\":{\"clients\":4}}", &n), 0);
        assert_int_equal(n, 4);
        assert_int_equal(read_rec("{\"schema\":\"skytune.db-sweep/1\",\"recommendation\":{\"clients\":null}}", &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(read_rec("{\"schema\":\"skytune.db/1\"}", &n), -EBADMSG);
        assert_int_equal(read_rec("{\"schema\":\"skytune.db-sweep/1\",\"recommendation\":{\"clients\":\"4\"}}", &n),
                         -EBADMSG);
        assert_int_equal(read_rec("{\"schema\":\"skytune.db-sweep/1\",\"recommendation\":{\"clients\":0}}", &n),
                         -EBADMSG);
        assert_int_equal(read_rec("{\"schema\":\"skytune.db-sweep/1\"", &n), -EBADMSG);
        assert_int_equal(read_rec("[]", &n), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_usl_recovers),        cmocka_unit_test(test_usl_misfit),
                cmocka_unit_test(test_recommend),           cmocka_unit_test(test_recommend_wide),
                cmocka_unit_test(test_not_enough_evidence), cmocka_unit_test(test_median_ci),
                cmocka_unit_test(test_read_sweep),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
