-- Extended statistics objects, with their columns and expressions as CREATE STATISTICS prints them.
SELECT n.nspname::text AS schema, s.stxname::text AS name,
       tn.nspname::text AS table_schema, t.relname::text AS table_name,
       pg_get_statisticsobjdef_columns(s.oid) AS columns,
       array_to_string(s.stxkind, '') AS kinds,
       NULLIF(s.stxstattarget::int, -1) AS target,
       pg_get_userbyid(s.stxowner)::text AS owner,
       obj_description(s.oid, 'pg_statistic_ext') AS comment
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class t ON t.oid = s.stxrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
