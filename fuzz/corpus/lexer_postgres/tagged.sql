CREATE FUNCTION f(a int) RETURNS text LANGUAGE plpgsql AS $body$
DECLARE s text := $$inner; quote$$;
BEGIN
    RETURN s || E'\'; escaped';
END
$body$;
DO $do$ BEGIN RAISE NOTICE 'hi;'; END $do$;
SELECT $1, $2 FROM t; -- parameters, not quotes
