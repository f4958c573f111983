SELECT n.nspname::text AS schema, c.collname::text AS name,
       CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END AS provider,
       {{collation_locale}} AS icu_locale, {{collation_collate}} AS lc_collate, {{collation_ctype}} AS lc_ctype,
       c.collisdeterministic AS deterministic,
       pg_get_userbyid(c.collowner)::text AS owner,
       obj_description(c.oid, 'pg_collation') AS comment
FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
