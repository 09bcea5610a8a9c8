-- The seed's "Query Performance" query (suites/performance.conf, benchmark "query"): one
-- transaction of skytune db load (docs/db.md, "Scripts").
SELECT COUNT(*) FROM violations;
