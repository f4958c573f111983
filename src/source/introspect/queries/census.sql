-- The census: every user object, by the system catalog that holds it and what it is, counted
-- with the same scope the other queries read (system schemas, temporary schemas and extension
-- members left out; objects of catalogs that also hold the system's own, by oid >= 16384, the
-- first oid a user object gets). `modeled` says whether tidemark reads that kind; for a kind it
-- does not, `objects` names each one as the server describes it, and `identities` gives its
-- identity (`schema.name`, as pg_identify_object prints it: what `exclude` patterns match).
WITH ext AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), user_ns AS (
  SELECT oid FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_toast%'
    AND nspname NOT LIKE 'pg\_temp\_%'
), rel AS (
  SELECT c.oid, c.relkind, c.reloftype FROM pg_class c
  WHERE c.relnamespace IN (SELECT oid FROM user_ns)
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
), objects (catalog, what, modeled, classid, objid, detail) AS (
  SELECT 'pg_namespace', 'schemas', true, 'pg_namespace'::regclass, n.oid, NULL::text
    FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_extension', 'extensions', true, 'pg_extension'::regclass, e.oid, NULL FROM pg_extension e
  UNION ALL SELECT 'pg_class', CASE r.relkind WHEN 'r' THEN 'tables' WHEN 'p' THEN 'tables'
                                          WHEN 'v' THEN 'views' WHEN 'm' THEN 'views'
                                          WHEN 'S' THEN 'sequences' WHEN 'c' THEN 'composite types'
                                          ELSE 'foreign tables' END,
                   r.relkind <> 'f', 'pg_class'::regclass, r.oid, NULL
    FROM rel r
   WHERE r.relkind IN ('r', 'p', 'v', 'm', 'c', 'f')
      OR (r.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                          AND d.objid = r.oid AND d.deptype = 'i'))
  UNION ALL SELECT 'pg_class', 'typed tables (OF type)', false, 'pg_class'::regclass, r.oid, NULL
    FROM rel r WHERE r.reloftype <> 0 AND r.relkind IN ('r', 'p')
  UNION ALL SELECT 'pg_class', 'indexes', true, 'pg_class'::regclass, i.indexrelid, NULL
    FROM pg_index i JOIN rel t ON t.oid = i.indrelid
   WHERE t.relkind IN ('r', 'p', 'm')
     AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
     AND NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid)
  UNION ALL SELECT 'pg_attribute', 'column options', true, 'pg_class'::regclass, a.attrelid,
                   'column ' || quote_ident(a.attname) || ' (' || array_to_string(a.attoptions, ', ') || ')'
    FROM pg_attribute a JOIN rel r ON r.oid = a.attrelid
   -- pg_attver: a server-managed option of Debian's 15.20 that users cannot set.
   WHERE a.attnum > 0 AND NOT a.attisdropped
     AND EXISTS (SELECT 1 FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_attver=%')
  UNION ALL SELECT 'pg_type', CASE t.typtype WHEN 'e' THEN 'enum types' WHEN 'd' THEN 'domains'
                                         WHEN 'r' THEN 'range types' WHEN 'p' THEN 'shell types'
                                         ELSE 'base types' END,
                   t.typtype IN ('e', 'd', 'r'), 'pg_type'::regclass, t.oid, NULL
    FROM pg_type t
   WHERE t.typnamespace IN (SELECT oid FROM user_ns) AND t.typtype IN ('e', 'd', 'r', 'b', 'p')
     AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
  UNION ALL SELECT 'pg_proc', CASE WHEN p.prokind = 'a' THEN 'aggregates' ELSE 'functions and procedures' END,
                   true, 'pg_proc'::regclass, p.oid, NULL
    FROM pg_proc p
   WHERE p.pronamespace IN (SELECT oid FROM user_ns)
     -- Not the constructors a range type makes (internal: parts of the type).
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                     AND d.deptype = 'i')
  UNION ALL SELECT 'pg_constraint', 'table constraints', true, 'pg_constraint'::regclass, con.oid, NULL
    FROM pg_constraint con JOIN rel r ON r.oid = con.conrelid
   WHERE r.relkind IN ('r', 'p') AND con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conislocal
  UNION ALL SELECT 'pg_constraint', 'domain constraints', true, 'pg_constraint'::regclass, con.oid, NULL
    FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid
   WHERE con.contype = 'c' AND t.typnamespace IN (SELECT oid FROM user_ns)
     AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
  UNION ALL SELECT 'pg_trigger', 'triggers', true, 'pg_trigger'::regclass, tg.oid, NULL
    FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid WHERE NOT tg.tgisinternal AND tg.tgparentid = 0
  UNION ALL SELECT 'pg_policy', 'policies', true, 'pg_policy'::regclass, po.oid, NULL
    FROM pg_policy po JOIN rel r ON r.oid = po.polrelid
  UNION ALL SELECT 'pg_rewrite', 'rules', true, 'pg_rewrite'::regclass, ru.oid, NULL
    FROM pg_rewrite ru JOIN rel r ON r.oid = ru.ev_class WHERE ru.rulename <> '_RETURN'
  UNION ALL SELECT 'pg_statistic_ext', 'statistics', true, 'pg_statistic_ext'::regclass, s.oid, NULL
    FROM pg_statistic_ext s WHERE s.stxnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_collation', 'collations', true, 'pg_collation'::regclass, co.oid, NULL
    FROM pg_collation co WHERE co.collnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_ts_config', 'text search configurations', true, 'pg_ts_config'::regclass, c.oid, NULL
    FROM pg_ts_config c WHERE c.cfgnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_event_trigger', 'event triggers', true, 'pg_event_trigger'::regclass, et.oid, NULL
    FROM pg_event_trigger et
  UNION ALL SELECT 'pg_default_acl', 'default privileges', true, 'pg_default_acl'::regclass, d.oid, NULL
    FROM pg_default_acl d
  -- Casts: not the ones a range type makes for its multirange (internal: part of the type).
  UNION ALL SELECT 'pg_cast', 'casts', true, 'pg_cast'::regclass, x.oid, NULL FROM pg_cast x WHERE x.oid >= 16384
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass AND d.objid = x.oid
                     AND d.deptype = 'i')
  -- Kinds tidemark does not model yet, each in its own catalog.
  UNION ALL SELECT 'pg_operator', 'operators', false, 'pg_operator'::regclass, x.oid, NULL
    FROM pg_operator x WHERE x.oprnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_opclass', 'operator classes', false, 'pg_opclass'::regclass, x.oid, NULL
    FROM pg_opclass x WHERE x.opcnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_opfamily', 'operator families', false, 'pg_opfamily'::regclass, x.oid, NULL
    FROM pg_opfamily x WHERE x.opfnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_am', 'access methods', false, 'pg_am'::regclass, x.oid, NULL FROM pg_am x WHERE x.oid >= 16384
  UNION ALL SELECT 'pg_foreign_data_wrapper', 'foreign-data wrappers', false, 'pg_foreign_data_wrapper'::regclass,
                   x.oid, NULL FROM pg_foreign_data_wrapper x
  UNION ALL SELECT 'pg_foreign_server', 'foreign servers', false, 'pg_foreign_server'::regclass, x.oid, NULL
    FROM pg_foreign_server x
  UNION ALL SELECT 'pg_user_mapping', 'user mappings', false, 'pg_user_mapping'::regclass, x.oid, NULL
    FROM pg_user_mapping x
  UNION ALL SELECT 'pg_publication', 'publications', false, 'pg_publication'::regclass, x.oid, NULL
    FROM pg_publication x
  UNION ALL SELECT 'pg_subscription', 'subscriptions', false, 'pg_subscription'::regclass, x.oid, NULL
    FROM pg_subscription x WHERE x.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL SELECT 'pg_ts_parser', 'text search parsers', false, 'pg_ts_parser'::regclass, x.oid, NULL
    FROM pg_ts_parser x WHERE x.prsnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_ts_template', 'text search templates', false, 'pg_ts_template'::regclass, x.oid, NULL
    FROM pg_ts_template x WHERE x.tmplnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_ts_dict', 'text search dictionaries', true, 'pg_ts_dict'::regclass, x.oid, NULL
    FROM pg_ts_dict x WHERE x.dictnamespace IN (SELECT oid FROM user_ns)
  UNION ALL SELECT 'pg_transform', 'transforms', false, 'pg_transform'::regclass, x.oid, NULL FROM pg_transform x
  UNION ALL SELECT 'pg_language', 'procedural languages', false, 'pg_language'::regclass, x.oid, NULL
    FROM pg_language x WHERE x.oid >= 16384
  UNION ALL SELECT 'pg_conversion', 'conversions', false, 'pg_conversion'::regclass, x.oid, NULL
    FROM pg_conversion x WHERE x.connamespace IN (SELECT oid FROM user_ns)
  -- Settings: their names only (a value may be a secret).
  UNION ALL SELECT 'pg_db_role_setting', 'database settings', false, 'pg_database'::regclass, s.setdatabase,
                   CASE WHEN s.setrole = 0 THEN 'ALTER DATABASE ... SET '
                        ELSE 'ALTER ROLE ' || quote_ident(pg_get_userbyid(s.setrole)) || ' IN DATABASE ... SET ' END
                   || array_to_string(ARRAY(SELECT split_part(c, '=', 1) FROM unnest(s.setconfig) c), ', ')
    FROM pg_db_role_setting s WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
), described AS (
  SELECT catalog, what, modeled,
         coalesce(pg_describe_object(classid, objid, 0), catalog || ' ' || objid::text)
         || coalesce(': ' || detail, '') AS description,
         coalesce((pg_identify_object(classid, objid, 0)).identity, '') AS identity
  FROM objects o
  -- Extension members, once for every kind (a relation's parts by their relation, above).
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = o.classid AND ext.objid = o.objid)
)
SELECT catalog, what, modeled, count(*)::bigint AS count,
       CASE WHEN modeled THEN '{}'::text[] ELSE array_agg(description ORDER BY description) END AS objects,
       CASE WHEN modeled THEN '{}'::text[] ELSE array_agg(identity ORDER BY description) END AS identities
FROM described
GROUP BY catalog, what, modeled
ORDER BY catalog, what
