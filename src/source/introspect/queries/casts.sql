-- User-defined casts (oid >= 16384), with the scope of the census: not extension members, and
-- not the casts a range type makes for its multirange (internal dependencies, part of the type).
-- Each as the CREATE CAST statement that makes it, for the shared builder.
SELECT format_type(c.castsource, NULL) AS source, format_type(c.casttarget, NULL) AS target,
       'CREATE CAST (' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ') '
       || CASE c.castmethod
            WHEN 'f' THEN 'WITH FUNCTION ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
                          || array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), ', ')
                          || ')'
            WHEN 'i' THEN 'WITH INOUT'
            ELSE 'WITHOUT FUNCTION' END
       || CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END AS definition,
       obj_description(c.oid, 'pg_cast') AS comment
FROM pg_cast c
LEFT JOIN pg_proc p ON p.oid = c.castfunc
LEFT JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid
                  AND d.deptype IN ('e', 'i'))
ORDER BY 1, 2
