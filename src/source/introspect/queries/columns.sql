SELECT n.nspname::text AS schema, c.relname::text AS table_name, a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null, a.attinhcount > 0 AS inherited, a.attislocal AS local,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default_expr,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated_expr,
       a.attgenerated::text AS generated_kind, a.attidentity::text AS identity,
       {{not_null_unmodelled}} AS not_null_unmodelled,
       CASE WHEN a.attcollation <> t.typcollation THEN
         (SELECT cn.nspname::text || '.' || co.collname::text FROM pg_collation co
            JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation)
       END AS collation,
       a.attstattarget::int AS statistics,
       -- pg_attver: a server-managed option of Debian's 15.20 that users cannot set.
       ARRAY(SELECT o FROM unnest(coalesce(a.attoptions, '{}')) o WHERE o NOT LIKE 'pg\_attver=%') AS options,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression,
       col_description(c.oid, a.attnum) AS comment,
       a.attacl::text[] AS acl, pg_get_userbyid(c.relowner)::text AS table_owner,
       iseq.schema AS identity_seq_schema, iseq.name AS identity_seq_name,
       iseq.start AS identity_start, iseq.increment AS identity_increment, iseq.min AS identity_min,
       iseq.max AS identity_max, iseq.cache AS identity_cache, iseq.cycle AS identity_cycle,
       iseq.data_type AS identity_type
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN LATERAL (
  SELECT sn.nspname::text AS schema, sc.relname::text AS name, s.seqstart AS start, s.seqincrement AS increment,
         s.seqmin AS min, s.seqmax AS max, s.seqcache AS cache, s.seqcycle AS cycle,
         format_type(s.seqtypid, NULL) AS data_type
  FROM pg_depend d
  JOIN pg_class sc ON sc.oid = d.objid
  JOIN pg_namespace sn ON sn.oid = sc.relnamespace
  JOIN pg_sequence s ON s.seqrelid = sc.oid
  WHERE a.attidentity <> '' AND d.classid = 'pg_class'::regclass AND d.refobjid = c.oid
    AND d.refobjsubid = a.attnum AND d.deptype = 'i'
  LIMIT 1) iseq ON true
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, a.attnum
