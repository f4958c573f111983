-- Text search configurations, each mapping as (token type, dictionaries in order).
SELECT n.nspname::text AS schema, c.cfgname::text AS name,
       pn.nspname::text AS parser_schema, p.prsname::text AS parser_name,
       coalesce((SELECT array_agg(m.token ORDER BY m.token)
                 FROM (SELECT t.alias || '=' || string_agg(quote_ident(dn.nspname) || '.' || quote_ident(d.dictname),
                                                          ',' ORDER BY cm.mapseqno) AS token
                       FROM pg_ts_config_map cm
                       JOIN pg_ts_dict d ON d.oid = cm.mapdict
                       JOIN pg_namespace dn ON dn.oid = d.dictnamespace
                       JOIN ts_token_type(c.cfgparser) t ON t.tokid = cm.maptokentype
                       WHERE cm.mapcfg = c.oid
                       GROUP BY t.alias) m), '{}') AS mappings,
       pg_get_userbyid(c.cfgowner)::text AS owner,
       obj_description(c.oid, 'pg_ts_config') AS comment
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_ts_config'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
