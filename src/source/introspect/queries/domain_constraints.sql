SELECT n.nspname::text AS schema, t.typname::text AS type_name, con.conname::text AS name,
       pg_get_constraintdef(con.oid) AS definition, con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment
FROM pg_constraint con
JOIN pg_type t ON t.oid = con.contypid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE con.contypid <> 0 AND con.contype = 'c'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
