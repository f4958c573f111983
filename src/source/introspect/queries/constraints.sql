SELECT n.nspname::text AS schema, c.relname::text AS table_name, con.conname::text AS name,
       con.contype::text AS kind, pg_get_constraintdef(con.oid) AS definition,
       con.condeferrable AS deferrable, con.condeferred AS deferred, con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment,
       CASE WHEN con.contype IN ('p', 'u', 'x') THEN obj_description(con.conindid, 'pg_class') END AS index_comment,
       -- pg_get_constraintdef leaves out the index's storage parameters.
       coalesce((SELECT ic.reloptions FROM pg_class ic WHERE ic.oid = con.conindid AND con.contype IN ('p', 'u', 'x')), '{}') AS index_options
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
-- Constraints a table only has from a parent (inheritance, partitioning) are the parent's.
WHERE c.relkind IN ('r', 'p') AND con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conislocal
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
