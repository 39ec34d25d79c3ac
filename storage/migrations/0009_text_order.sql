-- The collation text sorts by: ICU's root locale ("und-x-icu"), so "buy milk" comes before
-- "Write report" and accented letters sit beside their base letters. Comparisons keep the
-- columns' own "C" collation (byte order, served by their indexes); only ORDER BY uses this
-- one (storage/plan.TextOrder). A server built without ICU gets the database's own collation
-- under the same name, and storage.Open says so.
DO $$
DECLARE
    locale text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
        CREATE COLLATION public.gqlbase_text_order FROM "und-x-icu";
    ELSE
        SELECT datcollate INTO locale FROM pg_database WHERE datname = current_database();
        EXECUTE format('CREATE COLLATION public.gqlbase_text_order (provider = libc, locale = %L)', locale);
    END IF;
END $$;
