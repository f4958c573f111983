-- Enums, domains, composite types (not a table's row type) and range types, outside extensions.
-- A range type as the CREATE TYPE statement pg_range makes (every option stated; the shared
-- builder drops the defaults: the subtype's collation and b-tree class, the multirange name).
SELECT n.nspname::text AS schema, t.typname::text AS name, t.typtype::text AS kind,
       pg_get_userbyid(t.typowner)::text AS owner,
       obj_description(t.oid, 'pg_type') AS comment,
       t.typacl::text[] AS acl,
       CASE WHEN t.typtype = 'e' THEN
         ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
       END AS labels,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base,
       t.typnotnull AS not_null,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> 0
             AND t.typcollation <> (SELECT bt.typcollation FROM pg_type bt WHERE bt.oid = t.typbasetype) THEN
         (SELECT cn.nspname::text || '.' || co.collname::text FROM pg_collation co
            JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation)
       END AS collation,
       CASE WHEN t.typtype = 'r' THEN
         (SELECT 'CREATE TYPE ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname)
                 || ' AS RANGE (SUBTYPE = ' || format_type(r.rngsubtype, NULL)
                 || CASE WHEN NOT opc.opcdefault THEN ', SUBTYPE_OPCLASS = ' || quote_ident(opc.opcname) ELSE '' END
                 || CASE WHEN r.rngcollation <> 0
                          AND r.rngcollation <> (SELECT st.typcollation FROM pg_type st WHERE st.oid = r.rngsubtype)
                        THEN ', COLLATION = ' || (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                                   WHERE co.oid = r.rngcollation)
                        ELSE '' END
                 || CASE WHEN r.rngcanonical <> 0
                        THEN ', CANONICAL = ' || (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                                                    FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace
                                                   WHERE p.oid = r.rngcanonical)
                        ELSE '' END
                 || CASE WHEN r.rngsubdiff <> 0
                        THEN ', SUBTYPE_DIFF = ' || (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                                                       FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace
                                                      WHERE p.oid = r.rngsubdiff)
                        ELSE '' END
                 || ', MULTIRANGE_TYPE_NAME = ' || (SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname)
                                                      FROM pg_type mt JOIN pg_namespace mn ON mn.oid = mt.typnamespace
                                                     WHERE mt.oid = r.rngmultitypid)
                 || ')'
            FROM pg_range r JOIN pg_opclass opc ON opc.oid = r.rngsubopc
           WHERE r.rngtypid = t.oid)
       END AS range_def
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'c', 'r')
  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
