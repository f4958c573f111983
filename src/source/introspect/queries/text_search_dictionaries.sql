-- Text search dictionaries, each as the CREATE statement that makes it (template qualified,
-- options as dictinitoption prints them), for the shared builder.
SELECT n.nspname::text AS schema, d.dictname::text AS name,
       'CREATE TEXT SEARCH DICTIONARY ' || quote_ident(n.nspname) || '.' || quote_ident(d.dictname)
       || ' (TEMPLATE = ' || quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname)
       || coalesce(', ' || nullif(d.dictinitoption, ''), '') || ')' AS definition,
       pg_get_userbyid(d.dictowner)::text AS owner,
       obj_description(d.oid, 'pg_ts_dict') AS comment
FROM pg_ts_dict d
JOIN pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_ts_dict'::regclass
                  AND x.objid = d.oid AND x.deptype = 'e')
ORDER BY 1, 2
