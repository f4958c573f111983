CREATE TABLE t (id int);
DO $$
DECLARE r record;
BEGIN
    CREATE TABLE made_here (id int);
    FOR r IN SELECT tablename FROM pg_tables LOOP
        EXECUTE format('ANALYZE %I', r.tablename);
    END LOOP;
END $$;
CALL somewhere.else(1);
