-- ALTER DEFAULT PRIVILEGES entries (global ones have no schema).
SELECT pg_get_userbyid(d.defaclrole)::text AS role,
       n.nspname::text AS schema,
       d.defaclobjtype::text AS object,
       {{default_acl}} AS acl
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE n.nspname IS NULL OR (n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%')
ORDER BY 1, 2 NULLS FIRST, 3
