SELECT e.evtname::text AS name, e.evtevent::text AS event, coalesce(e.evttags, '{}') AS tags,
       pn.nspname::text AS function_schema, p.proname::text AS function_name,
       e.evtenabled::text AS enabled, pg_get_userbyid(e.evtowner)::text AS owner,
       obj_description(e.oid, 'pg_event_trigger') AS comment
FROM pg_event_trigger e
JOIN pg_proc p ON p.oid = e.evtfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
                  AND d.objid = e.oid AND d.deptype = 'e')
ORDER BY 1
