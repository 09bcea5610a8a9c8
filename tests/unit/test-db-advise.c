/* SPDX-License-Identifier: MIT */
/* db advise's rules on facts with known answers: memory settings against MemTotal (and no advice
 * for a server on another host), work_mem after spills (its size, the per-connection cap, the
 * ALTER DATABASE / ALTER ROLE line matching the value's source, none for a command-line value, no change without spills), max_connections near
 * its limit, the disk's type for random_page_cost and effective_io_concurrency, huge pages for a
 * large shared_buffers, and PostgreSQL's size notation both ways. */
#include <string.h>

#include "db-advise.h"
#include "macro.h"
#include "support.h"

#define MiB (1024ull * 1024)
#define GiB (1024 * MiB)

static DbAdviseFacts base(void) {
        DbAdviseFacts f = {
                .host = { .mem_total = 16 * GiB, .huge_size = 2 * MiB, .rotational = 0 },
                .server_local = true,
                .database = "app",
                .shared_buffers = 4 * GiB,
                .effective_cache_size = 12 * GiB,
                .work_mem = 4 * MiB,
                .role = "app_user",
                .max_connections = 100,
                .effective_io_concurrency = 200,
                .random_page_cost = 1.1,
                .huge_pages = "try",
                .shm_huge_pages = -1,
                .peak_connections = 10,
        };
        snprintf(f.host.device, sizeof f.host.device, "vda");
        return f;
}

/* The advice on one setting, from a fresh rules run (kept alive by the array). */
static json_t *advice_for(json_t *all, const char *setting) {
        size_t i;
        json_t *a;
        json_array_foreach(all, i, a)
                if (strcmp(json_string_value(json_object_get(a, "setting")), setting) == 0)
                        return a;
        fail_msg("no advice on %s", setting);
        return NULL;
}

static const char *s(json_t *a, const char *k) {
        return json_string_value(json_object_get(a, k));
}

static void test_settled(void **state) {
        DbAdviseFacts f = base();
        f.host.huge_total = 2200;
        json_t *all = db_advise_rules(&f);
        size_t i;
        json_t *a;
        json_array_foreach(all, i, a) {
                assert_false(json_is_true(json_object_get(a, "change")));
                assert_true(json_is_null(json_object_get(a, "sql")));
                assert_non_null(strstr(s(a, "evidence"), "no change"));
        }
        json_decref(all);
}

static void test_memory(void **state) {
        DbAdviseFacts f = base();
        f.shared_buffers = 128 * MiB, f.effective_cache_size = 4 * GiB;
        json_t *all = db_advise_rules(&f), *sb = advice_for(all, "shared_buffers"),
               *ecs = advice_for(all, "effective_cache_size");
        assert_string_equal(s(sb, "current"), "128MB");
        assert_string_equal(s(sb, "proposed"), "4GB");
        assert_string_equal(s(sb, "sql"), "ALTER SYSTEM SET shared_buffers = '4GB';");
        assert_true(json_is_true(json_object_get(sb, "restart")));
        assert_non_null(strstr(s(sb, "evidence"), "1% of the host's 16GB"));
        assert_string_equal(s(ecs, "proposed"), "12GB");
        assert_false(json_is_true(json_object_get(ecs, "restart")));
        json_decref(all);
        /* Too much: 60% of memory. */
        f = base();
        f.shared_buffers = 10 * GiB;
        all = db_advise_rules(&f);
        assert_string_equal(s(advice_for(all, "shared_buffers"), "proposed"), "4GB");
        json_decref(all);
        /* A server on another host: this host's memory says nothing about it. */
        f.server_local = false;
        all = db_advise_rules(&f);
        assert_true(json_is_null(json_object_get(advice_for(all, "shared_buffers"), "proposed")));
        assert_non_null(strstr(s(advice_for(all, "shared_buffers"), "evidence"), "not on this host"));
        assert_true(json_is_null(json_object_get(advice_for(all, "random_page_cost"), "proposed")));
        json_decref(all);
}

static void test_work_mem(void **state) {
        DbAdviseFacts f = base();
        f.work_mem = 64 * 1024;
        db_advise_set_source(&f, "work_mem", "database");
        snprintf(f.database, sizeof f.database, "we\"ird");
        f.temp_files = 8, f.temp_bytes = 8 * 3500 * 1024, f.transactions = 20;
        json_t *all = db_advise_rules(&f), *wm = advice_for(all, "work_mem");
        /* 3500kB a file on average: the next power of two. */
        assert_string_equal(s(wm, "proposed"), "4MB");
        assert_string_equal(s(wm, "sql"), "ALTER DATABASE \"we\"\"ird\" SET work_mem = '4MB';");
        assert_non_null(strstr(s(wm, "evidence"), "8 temporary files"));
        assert_non_null(strstr(s(wm, "risk"), "100 connections x 4MB"));
        assert_non_null(strstr(s(wm, "risk"), "hash_mem_multiplier times it (2 by default from PostgreSQL 15)"));
        assert_non_null(strstr(s(wm, "evidence"), "maintenance_work_mem"));
        json_decref(all);
        /* Huge spills: capped at a quarter of memory over max_connections (16GB / 4 / 100 = 40MB). */
        f.temp_files = 1, f.temp_bytes = 2 * GiB;
        db_advise_set_source(&f, "work_mem", "configuration file");
        all = db_advise_rules(&f);
        wm = advice_for(all, "work_mem");
        assert_string_equal(s(wm, "proposed"), "40MB");
        assert_string_equal(s(wm, "sql"), "ALTER SYSTEM SET work_mem = '40MB';");
        json_decref(all);
        f.hash_mem_multiplier = 2;
        all = db_advise_rules(&f);
        assert_non_null(
                strstr(s(advice_for(all, "work_mem"), "risk"), "each hash node 2 times it (hash_mem_multiplier)"));
        json_decref(all);
        f.hash_mem_multiplier = 0;
        /* A role's value outranks ALTER SYSTEM and ALTER DATABASE: the line must be ALTER ROLE. */
        static const struct {
                const char *source, *sql;
        } by_source[] = {
                { "user", "ALTER ROLE \"app_user\" SET work_mem = '40MB';" },
                { "database user", "ALTER ROLE \"app_user\" IN DATABASE \"we\"\"ird\" SET work_mem = '40MB';" },
        };
        for (size_t i = 0; i < ELEMENTSOF(by_source); i++) {
                db_advise_set_source(&f, "work_mem", by_source[i].source);
                all = db_advise_rules(&f);
                assert_string_equal(s(advice_for(all, "work_mem"), "sql"), by_source[i].sql);
                json_decref(all);
        }
        /* Set on the command line or by the client: no ALTER reaches it, and the evidence says so. */
        static const char *const unreachable[] = { "command line", "client", "session" };
        for (size_t i = 0; i < ELEMENTSOF(unreachable); i++) {
                db_advise_set_source(&f, "work_mem", unreachable[i]);
                all = db_advise_rules(&f);
                wm = advice_for(all, "work_mem");
                assert_string_equal(s(wm, "proposed"), "40MB");
                assert_true(json_is_null(json_object_get(wm, "sql")));
                char want[80];
                snprintf(want, sizeof want, "set by the %s, which outranks ALTER SYSTEM", unreachable[i]);
                assert_non_null(strstr(s(wm, "evidence"), want));
                json_decref(all);
        }
        db_advise_set_source(&f, "work_mem", "default");
        /* Already at the cap: no change, and what to do instead. */
        f.work_mem = 64 * MiB;
        all = db_advise_rules(&f);
        wm = advice_for(all, "work_mem");
        assert_true(json_is_null(json_object_get(wm, "proposed")));
        assert_non_null(strstr(s(wm, "evidence"), "SET work_mem"));
        json_decref(all);
        /* No spill in the window. */
        f = base();
        f.window_s = 30;
        all = db_advise_rules(&f);
        assert_non_null(strstr(s(advice_for(all, "work_mem"), "evidence"), "in the 30 s window"));
        json_decref(all);
}

static void test_connections_and_disk(void **state) {
        DbAdviseFacts f = base();
        f.peak_connections = 90;
        f.host.rotational = 1, f.random_page_cost = 1.1, f.effective_io_concurrency = 1;
        json_t *all = db_advise_rules(&f), *mc = advice_for(all, "max_connections");
        assert_string_equal(s(mc, "proposed"), "140");
        assert_non_null(strstr(s(mc, "evidence"), "90 client connections now, 90% of 100"));
        json_decref(all);
        /* A sweep whose best pool is 8 against 90 connections: a pooler, not a higher limit. */
        f.sweep_clients = 8;
        all = db_advise_rules(&f), mc = advice_for(all, "max_connections");
        assert_true(json_is_null(json_object_get(mc, "proposed")));
        assert_true(json_is_null(json_object_get(mc, "sql")));
        assert_non_null(strstr(s(mc, "evidence"), "recommended size is 8"));
        assert_non_null(strstr(s(mc, "evidence"), "pooler in transaction mode (PgBouncer, pool size 8)"));
        assert_non_null(strstr(s(mc, "evidence"), "instead of raising the limit"));
        json_decref(all);
        /* A sweep near the connections seen does not argue against the limit. */
        f.sweep_clients = 60;
        all = db_advise_rules(&f), mc = advice_for(all, "max_connections");
        assert_string_equal(s(mc, "proposed"), "140");
        assert_non_null(strstr(s(mc, "evidence"), "recommended size is 60"));
        assert_string_equal(s(advice_for(all, "random_page_cost"), "proposed"), "4");
        assert_true(json_is_null(json_object_get(advice_for(all, "effective_io_concurrency"), "proposed")));
        json_decref(all);
        f = base();
        f.random_page_cost = 4, f.effective_io_concurrency = 1;
        all = db_advise_rules(&f);
        assert_string_equal(s(advice_for(all, "random_page_cost"), "proposed"), "1.1");
        assert_string_equal(s(advice_for(all, "effective_io_concurrency"), "proposed"), "200");
        json_decref(all);
        f.host.rotational = -1;
        snprintf(f.host.device, sizeof f.host.device, "no sys/dev/block/0:45");
        all = db_advise_rules(&f);
        assert_non_null(strstr(s(advice_for(all, "random_page_cost"), "evidence"), "unknown (no sys/dev/block/0:45)"));
        json_decref(all);
}

static void test_huge_pages(void **state) {
        DbAdviseFacts f = base();
        snprintf(f.huge_pages, sizeof f.huge_pages, "off");
        json_t *all = db_advise_rules(&f), *hp = advice_for(all, "huge_pages");
        /* 4GB + 5% in 2MB pages. */
        assert_string_equal(s(hp, "proposed"), "try");
        assert_string_equal(s(hp, "host_change"), "vm.nr_hugepages=2151 (skytune set vm.nr_hugepages=2151)");
        assert_non_null(strstr(s(hp, "evidence"), "2151 huge pages of 2048 kB (an estimate: shared_buffers + 5%"));
        json_decref(all);
        /* PostgreSQL's own count wins; enough reserved and 'try': no change. */
        snprintf(f.huge_pages, sizeof f.huge_pages, "try");
        f.shm_huge_pages = 2100, f.host.huge_total = 2100;
        all = db_advise_rules(&f);
        assert_false(json_is_true(json_object_get(advice_for(all, "huge_pages"), "change")));
        assert_non_null(strstr(s(advice_for(all, "huge_pages"), "evidence"),
                               "2100 needed for shared_buffers 4GB "
                               "(shared_memory_size_in_huge_pages)"));
        json_decref(all);
        f.shared_buffers = 512 * MiB;
        all = db_advise_rules(&f);
        assert_non_null(strstr(s(advice_for(all, "huge_pages"), "evidence"), "under 1GB"));
        json_decref(all);
}

static void test_sizes(void **state) {
        char buf[32];
        db_advise_format_bytes(128 * MiB, buf, sizeof buf);
        assert_string_equal(buf, "128MB");
        db_advise_format_bytes(1536 * 1024, buf, sizeof buf);
        assert_string_equal(buf, "1536kB");
        db_advise_format_bytes(4 * GiB, buf, sizeof buf);
        assert_string_equal(buf, "4GB");
        db_advise_format_bytes(100, buf, sizeof buf);
        assert_string_equal(buf, "100B");
        assert_int_equal(db_advise_unit_bytes("8kB"), 8192);
        assert_int_equal(db_advise_unit_bytes("kB"), 1024);
        assert_int_equal(db_advise_unit_bytes("ms"), 0);
        /* A server built with 16kB or 32kB blocks reports shared_buffers in those. */
        assert_int_equal(db_advise_unit_bytes("16kB"), 16384);
        assert_int_equal(db_advise_unit_bytes("32kB"), 32768);
        assert_int_equal(db_advise_unit_bytes("16MB"), 16 * MiB);
        assert_int_equal(db_advise_unit_bytes("0kB"), 0);
        assert_int_equal(db_advise_unit_bytes("8"), 0);
        assert_int_equal(db_advise_unit_bytes("8 kB"), 0);
        assert_int_equal(db_advise_unit_bytes(""), 0);
}

static void test_local_host(void **state) {
        static const char *const local[] = { "",    "/run/postgresql", "localhost", "127.0.0.1", "127.3.4.5",
                                             "::1", "::ffff:127.0.0.1" };
        for (size_t i = 0; i < ELEMENTSOF(local); i++)
                assert_true(db_advise_host_is_local(local[i]));
        assert_true(db_advise_host_is_local(NULL));
        static const char *const remote[] = { "127.db.internal", "127.0.0.1.example", "10.0.0.1", "db.example", "::2",
                                              "128.0.0.1" };
        for (size_t i = 0; i < ELEMENTSOF(remote); i++)
                assert_false(db_advise_host_is_local(remote[i]));
}

static void test_doc(void **state) {
        DbAdviseFacts f = base();
        f.shared_buffers = 128 * MiB;
        json_t *doc = db_advise_doc(&f, "host=x", "15.2");
        assert_string_equal(s(doc, "schema"), "skytune.db-advise/1");
        assert_int_equal(json_integer_value(json_object_get(doc, "changes")), 1);
        assert_int_equal(json_array_size(json_object_get(doc, "advice")), 7);
        assert_string_equal(s(json_object_get(doc, "evidence"), "mode"), "since_reset");
        json_decref(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_settled),    cmocka_unit_test(test_memory),
                cmocka_unit_test(test_work_mem),   cmocka_unit_test(test_connections_and_disk),
                cmocka_unit_test(test_huge_pages), cmocka_unit_test(test_sizes),
                cmocka_unit_test(test_local_host), cmocka_unit_test(test_doc),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
