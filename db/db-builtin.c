/* SPDX-License-Identifier: MIT */
/* The built-in workloads and the tables they run on. tpcb-like and select-only are pgbench's
 * transactions on pgbench's tables (same names and columns, 100,000 accounts, 10 tellers and 1
 * branch per scale unit), so a run compares with pgbench on the same database; suite is the seed's
 * query types, one statement each, on skytune_users / skytune_orders / skytune_events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-script.h"
#include "macro.h"

static const char tpcb_like[] =
        "\\set aid random(1, 100000 * :scale)\n"
        "\\set bid random(1, 1 * :scale)\n"
        "\\set tid random(1, 10 * :scale)\n"
        "\\set delta random(-5000, 5000)\n"
        "BEGIN;\n"
        "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;\n"
        "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n"
        "UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;\n"
        "UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;\n"
        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);\n"
        "END;\n";

static const char select_only[] =
        "\\set aid random(1, 100000 * :scale)\n"
        "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n";

/* Simple select, complex join, aggregate, subquery and CTE, window function, insert, update, delete. */
static const char suite[] =
        "\\set uid random(1, 10000 * :scale)\n"
        "\\set kind random(1, 10)\n"
        "SELECT name, region FROM skytune_users WHERE id = :uid;\n"
        "SELECT u.region, count(*), sum(o.amount) FROM skytune_users u JOIN skytune_orders o ON o.user_id = u.id"
        " JOIN skytune_events ev ON ev.user_id = u.id WHERE u.id BETWEEN :uid AND :uid + 20 GROUP BY u.region;\n"
        "SELECT count(*), sum(amount), max(amount), avg(amount) FROM skytune_orders"
        " WHERE user_id BETWEEN :uid AND :uid + 100;\n"
        "WITH recent AS (SELECT user_id, amount FROM skytune_orders WHERE user_id BETWEEN :uid AND :uid + 50)"
        " SELECT u.name, t.total FROM skytune_users u JOIN (SELECT user_id, sum(amount) AS total FROM recent"
        " GROUP BY user_id) t ON t.user_id = u.id WHERE t.total > (SELECT avg(amount) FROM recent);\n"
        "SELECT id, amount, rank() OVER (PARTITION BY user_id ORDER BY amount DESC),"
        " sum(amount) OVER (PARTITION BY user_id) FROM skytune_orders WHERE user_id BETWEEN :uid AND :uid + 10;\n"
        "INSERT INTO skytune_events (user_id, kind, at) VALUES (:uid, :kind, now());\n"
        "UPDATE skytune_users SET visits = visits + 1 WHERE id = :uid;\n"
        "DELETE FROM skytune_events WHERE id = (SELECT min(id) FROM skytune_events WHERE user_id = :uid);\n";

static const struct {
        const char *name, *text;
} builtins[] = {
        { "tpcb-like", tpcb_like },
        { "select-only", select_only },
        { "suite", suite },
};

const char *db_builtin_script(const char *name) {
        for (size_t i = 0; name && i < ELEMENTSOF(builtins); i++)
                if (strcmp(builtins[i].name, name) == 0)
                        return builtins[i].text;
        return NULL;
}

const char *db_builtin_names(void) {
        return "tpcb-like, select-only, suite";
}

/* Filled on the server (generate_series), in one transaction; the fillers are pgbench's widths. */
static const char init_fmt[] =
        "DROP TABLE IF EXISTS pgbench_history, pgbench_tellers, pgbench_accounts, pgbench_branches,"
        " skytune_events, skytune_orders, skytune_users;\n"
        "CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));\n"
        "CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84)) WITH (fillfactor = 100);\n"
        "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84)) WITH (fillfactor = 100);\n"
        "CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88)) WITH (fillfactor = 100);\n"
        "INSERT INTO pgbench_branches (bid, bbalance) SELECT b, 0 FROM generate_series(1, %1$lld) b;\n"
        "INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT t, (t - 1) / 10 + 1, 0 FROM generate_series(1, 10 * %1$lld) t;\n"
        "INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT a, (a - 1) / 100000 + 1, 0, ''"
        " FROM generate_series(1, 100000 * %1$lld) a;\n"
        "ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid);\n"
        "ALTER TABLE pgbench_tellers ADD PRIMARY KEY (tid);\n"
        "ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid);\n"
        "CREATE TABLE skytune_users (id int PRIMARY KEY, name text NOT NULL, region int NOT NULL,"
        " visits bigint NOT NULL DEFAULT 0, created timestamptz NOT NULL DEFAULT now());\n"
        "CREATE TABLE skytune_orders (id bigint PRIMARY KEY, user_id int NOT NULL REFERENCES skytune_users,"
        " amount numeric(12, 2) NOT NULL, created timestamptz NOT NULL DEFAULT now());\n"
        "CREATE TABLE skytune_events (id bigserial PRIMARY KEY, user_id int NOT NULL, kind int NOT NULL,"
        " at timestamptz NOT NULL);\n"
        "INSERT INTO skytune_users (id, name, region) SELECT u, 'user' || u, u %% 16"
        " FROM generate_series(1, 10000 * %1$lld) u;\n"
        "INSERT INTO skytune_orders (id, user_id, amount) SELECT o, (o - 1) / 5 + 1, ((o * 7919) %% 100000) / 100.0"
        " FROM generate_series(1, 50000 * %1$lld) o;\n"
        "INSERT INTO skytune_events (user_id, kind, at) SELECT (e - 1) / 2 + 1, e %% 10 + 1, now()"
        " FROM generate_series(1, 20000 * %1$lld) e;\n"
        "CREATE INDEX skytune_orders_user ON skytune_orders (user_id);\n"
        "CREATE INDEX skytune_events_user ON skytune_events (user_id);\n";

char *db_init_sql(int64_t scale) {
        char *sql = NULL;
        if (asprintf(&sql, init_fmt, (long long) scale) < 0)
                return NULL;
        return sql;
}

const char *db_clean_sql(void) {
        return "DROP TABLE IF EXISTS pgbench_history, pgbench_tellers, pgbench_accounts, pgbench_branches,"
               " skytune_events, skytune_orders, skytune_users;";
}
