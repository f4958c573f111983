-- Indexes that no constraint owns.
SELECT n.nspname::text AS schema, ic.relname::text AS name, pg_get_indexdef(i.indexrelid) AS definition,
       obj_description(ic.oid, 'pg_class') AS comment, NOT i.indisvalid AS invalid
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE tc.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
  -- A partition's index attached to its parent's index is the parent index's.
  AND NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = tc.oid AND d.deptype = 'e')
ORDER BY 1, 2
