-- Functions and procedures (aggregates are read by aggregates.sql).
SELECT n.nspname::text AS schema, p.proname::text AS name, p.prokind::text AS kind,
       pg_get_functiondef(p.oid) AS definition,
       pg_get_userbyid(p.proowner)::text AS owner,
       obj_description(p.oid, 'pg_proc') AS comment,
       p.proacl::text[] AS acl
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p', 'w')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
ORDER BY 1, 2, pg_get_function_identity_arguments(p.oid)
