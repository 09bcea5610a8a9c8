/* SPDX-License-Identifier: MIT */
/* The connection's errors name where the DSN came from (db/db-conn.c): a DSN read from a file says
 * which file, one given on the command line says --dsn, whether it does not parse or the server
 * does not answer. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "support.h"

static void expect(const char *dsn, const char *from, int code, const char *want) {
        DbConnOpts o = { .dsn = dsn, .dsn_from = from, .connect_timeout_s = 2 };
        DbConn *c = NULL;
        uint64_t ns;
        Error e = ERROR_NULL;
        assert_int_equal(db_connect(&o, &c, &ns, &e), code);
        assert_null(c);
        if (!strstr(error_message(&e), want))
                fail_msg("want \"%s\" in: %s", want, error_message(&e));
        error_done(&e);
}

static void test_dsn_from(void **state) {
        DbConnOpts o = { .dsn = "host='unterminated" };
        DbConn *c = NULL;
        uint64_t ns;
        Error e = ERROR_NULL;
        int r = db_connect(&o, &c, &ns, &e);
        error_done(&e);
        if (r == -ENOPKG)
                skip(); /* no libpq to load on this machine */
        const char *file = "the DSN file /etc/skytune/db.dsn (--dsn-file)";
        expect("host='unterminated", file, -EINVAL, "does not parse (check the DSN file /etc/skytune/db.dsn");
        expect("host='unterminated", NULL, -EINVAL, "does not parse (check --dsn:");
        /* port 1 of the loopback: nothing listens, refused at once */
        expect("host=127.0.0.1 port=1", file, -ECONNREFUSED, "(check the DSN file /etc/skytune/db.dsn (--dsn-file),");
        expect("host=127.0.0.1 port=1", NULL, -ECONNREFUSED, "(check --dsn,");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dsn_from),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
