SELECT n.nspname::text AS schema, p.proname::text AS name,
       ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t) AS args,
       ag.aggtransfn::regproc::text AS sfunc, format_type(ag.aggtranstype, NULL) AS stype,
       CASE WHEN ag.aggfinalfn <> 0 THEN ag.aggfinalfn::regproc::text END AS finalfunc,
       CASE WHEN ag.aggcombinefn <> 0 THEN ag.aggcombinefn::regproc::text END AS combinefunc,
       ag.agginitval AS initcond,
       CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::regoper::text END AS sortop,
       CASE WHEN p.proparallel <> 'u' THEN CASE p.proparallel WHEN 's' THEN 'safe' ELSE 'restricted' END END AS parallel,
       pg_get_userbyid(p.proowner)::text AS owner,
       obj_description(p.oid, 'pg_proc') AS comment,
       p.proacl::text[] AS acl
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
WHERE p.prokind = 'a'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2
