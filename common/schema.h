/* SPDX-License-Identifier: MIT */
/* Every document skytune writes or reads carries one of these in its "schema" field; this is their only
 * home. A new version of a document gets a new id here and a note in its docs/ page. */
#pragma once

#define PROFILE_SCHEMA         "skytune.profile/1"         /* profile --json (docs/profile.md) */
#define PLAN_SCHEMA            "skytune.plan/1"            /* plan --json, apply --plan (docs/plan.md) */
#define PROBE_SCHEMA           "skytune.probe/1"           /* probe --json (docs/probes.md) */
#define VERIFY_SCHEMA          "skytune.verify/1"          /* apply --verify, the helper's verification record */
#define TX_SCHEMA              "skytune.tx/1"              /* one transaction (docs/helper.md) */
#define TXLIST_SCHEMA          "skytune.txlist/1"          /* history --json, ListTransactions */
#define STATUS_SCHEMA          "skytune.status/1"          /* status --json */
#define POLICY_SCHEMA          "skytune.policy/1"          /* policy show --json */
#define POLICY_LIST_SCHEMA     "skytune.policy-list/1"     /* policy list --json */
#define POLICY_CHECK_SCHEMA    "skytune.policy-check/1"    /* policy check --json */
#define POLICY_KEYS_SCHEMA     "skytune.policy-keys/1"     /* policy keys --json */
#define DIFF_SCHEMA            "skytune.diff/1"            /* diff --json (docs/verbs.md) */
#define GET_SCHEMA             "skytune.get/1"             /* get --json (docs/verbs.md) */
#define RECOMMEND_SCHEMA       "skytune.recommend/1"       /* recommend --json (docs/verbs.md) */
#define LOAD_SCHEMA            "skytune.load/1"            /* load --json, stress --json (docs/load.md) */
#define LOAD_INTERVAL_SCHEMA   "skytune.load-interval/1"   /* load --out-ndjson, one line per interval */
#define SCENARIO_CHECK_SCHEMA  "skytune.scenario-check/1"  /* scenario check --json */
#define DB_SCHEMA              "skytune.db/1"              /* db query --json, db load --json (docs/db.md) */
#define DB_EXPLAIN_SCHEMA      "skytune.db-explain/1"      /* db explain --json (docs/db.md) */
#define DB_INSPECT_SCHEMA      "skytune.db-inspect/1"      /* db inspect --json (docs/db.md) */
#define DB_SWEEP_SCHEMA        "skytune.db-sweep/1"        /* db pool-sweep --json, advise --sweep (docs/db.md) */
#define DB_ADVISE_SCHEMA       "skytune.db-advise/1"       /* db advise --json (docs/db.md) */
#define MONITOR_QUERY_SCHEMA   "skytune.monitor-query/1"   /* monitor query --json (docs/store.md) */
#define MONITOR_SERIES_SCHEMA  "skytune.monitor-series/1"  /* monitor series --json (docs/store.md) */
#define MONITOR_SUMMARY_SCHEMA "skytune.monitor-summary/1" /* monitor summary --json (docs/monitor.md) */
#define ALERTS_SCHEMA          "skytune.alerts/1"          /* alerts --json (docs/monitor.md) */
#define ALERT_HISTORY_SCHEMA   "skytune.alert-history/1"   /* alerts --history --json (docs/monitor.md) */
#define DASHBOARD_SCHEMA       "skytune.dashboard/1"       /* dashboard --html's data (docs/dashboard.md) */
#define MONITOR_STATUS_SCHEMA  "skytune.monitor-status/1"  /* skytune-monitor's GET /api/v1/status (docs/monitor.md) */
#define SILENCE_SCHEMA         "skytune.silence/1"         /* one silence file (docs/monitor.md, Silences) */
#define SILENCES_SCHEMA        "skytune.silences/1"        /* alerts silences --json (docs/monitor.md, Silences) */
/* skytune-monitor's JSON API (docs/api.md), one id per path of /api/v1/ */
#define MONITOR_API_SERIES_SCHEMA   "skytune.monitor-series-list/1"  /* GET /api/v1/series */
#define MONITOR_CURRENT_SCHEMA      "skytune.monitor-current/1"      /* GET /api/v1/current */
#define MONITOR_RANGE_SCHEMA        "skytune.monitor-range/1"        /* GET /api/v1/query */
#define MONITOR_API_ALERTS_SCHEMA   "skytune.monitor-alerts/1"       /* GET /api/v1/alerts */
#define MONITOR_TRANSACTIONS_SCHEMA "skytune.monitor-transactions/1" /* GET /api/v1/transactions */
#define MONITOR_HEALTH_SCHEMA       "skytune.monitor-health/1"       /* GET /api/v1/health */
#define BENCH_SUITE_SCHEMA          "skytune.bench-suite/1"          /* bench check --json (docs/bench.md) */
#define BENCH_LIST_SCHEMA           "skytune.bench-list/1"           /* bench list --json (docs/bench.md) */
#define BENCH_SCHEDULE_SCHEMA       "skytune.bench-schedule/1"       /* bench schedule --list --json (docs/bench.md) */
#define BENCH_RUN_SCHEMA            "skytune.bench-run/1"            /* bench run --json (docs/bench.md) */
#define BENCH_BASELINE_SCHEMA       "skytune.bench-baseline/1"       /* a baseline line of bench export (docs/bench.md) */
#define BENCH_COMPARE_SCHEMA        "skytune.bench-compare/1"        /* bench compare --json (docs/bench.md) */
#define BENCH_TRENDS_SCHEMA         "skytune.bench-trends/1"         /* bench trends --json (docs/bench.md) */

/* The monitor's time-series store (store/tsdb.c, docs/store.md): the SQLite file's
 * PRAGMA application_id ("SkTS") and PRAGMA user_version. A file with another application_id is
 * foreign and moved aside; one with a newer user_version is refused, never moved. */
#define STORE_TSDB_APPLICATION_ID 0x536b5453
#define STORE_TSDB_USER_VERSION   1

/* The benchmark history (suite/history*.c, docs/bench.md): PRAGMA application_id ("SkBH") and
 * user_version, with the same rules as the monitor's store. */
#define BENCH_HISTORY_APPLICATION_ID 0x536b4248
#define BENCH_HISTORY_USER_VERSION   3 /* 2: histograms per repetition, 3: run.transactions */
