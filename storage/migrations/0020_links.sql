-- Many-to-many links, a primary column per table and per-column dialect settings.

-- A link column relates rows of a table (the source) to rows of a target table (maybe the
-- same one) through a junction table of its own in the database's schema (junction, owned by
-- the database's role so raw SQL can join it). reverse_name is the field the target shows.
CREATE TABLE link_columns (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id        bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    target_table_id bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    name            text NOT NULL,
    reverse_name    text NOT NULL,
    junction        text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (table_id, name)
);
CREATE INDEX link_columns_target ON link_columns (target_table_id);

-- Links that went with a deleted row (the junction's ON DELETE CASCADE), kept so that restoring
-- the row from the trash restores them; purged with the trash.
CREATE TABLE link_trash (
    link_id    bigint NOT NULL REFERENCES link_columns (id) ON DELETE CASCADE,
    source_id  bigint NOT NULL,
    target_id  bigint NOT NULL,
    meta       jsonb,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (link_id, source_id, target_id)
);
CREATE INDEX link_trash_target ON link_trash (link_id, target_id);
CREATE INDEX link_trash_deleted_at ON link_trash (deleted_at);

-- The column whose value displays a row (in links); NULL: the first text column.
ALTER TABLE tables_meta ADD COLUMN primary_column_id bigint REFERENCES columns_meta (id) ON DELETE SET NULL;

-- A JSON document per column and dialect, apart from the core metadata.
CREATE TABLE column_settings (
    column_id  bigint NOT NULL REFERENCES columns_meta (id) ON DELETE CASCADE,
    dialect    text NOT NULL CHECK (dialect ~ '^[a-z][a-z0-9_]{0,31}$'),
    settings   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object' AND octet_length(settings::text) <= 65536),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (column_id, dialect)
);

-- The AFTER DELETE statement trigger of every junction: links whose source or target row is
-- gone (deleted, the junction's foreign key cascading) go to link_trash; links removed while
-- both rows stay (unlinked) do not. It runs as gqlbase (the database's role may not write
-- link_trash) and takes the link column from the metadata of the junction that fired it,
-- never from anything a tenant sets.
CREATE FUNCTION public.gqlbase_link_trash() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    l record;
BEGIN
    SELECT lc.id, st.name AS source_table, tt.name AS target_table INTO l
        FROM public.link_columns lc
        JOIN public.tables_meta st ON st.id = lc.table_id
        JOIN public.tables_meta tt ON tt.id = lc.target_table_id
        JOIN public.databases d ON d.id = st.database_id
        WHERE d.schema_name = TG_TABLE_SCHEMA AND lc.junction = TG_TABLE_NAME;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    EXECUTE format($q$INSERT INTO public.link_trash (link_id, source_id, target_id, meta, created_at)
        SELECT $1, o.source_id, o.target_id, o.meta, o.created_at FROM gqlbase_old o
        WHERE NOT EXISTS (SELECT 1 FROM %1$I.%2$I s WHERE s.id = o.source_id)
           OR NOT EXISTS (SELECT 1 FROM %1$I.%3$I t WHERE t.id = o.target_id)
        ON CONFLICT DO NOTHING$q$, TG_TABLE_SCHEMA, l.source_table, l.target_table) USING l.id;
    RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION public.gqlbase_link_trash() FROM PUBLIC;
