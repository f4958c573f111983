SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion AS version,
       obj_description(e.oid, 'pg_extension') AS comment
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
ORDER BY 1
