-- Databases (Postgres schemas), the metadata of user tables and columns, row history, trash
-- and the event outbox.

CREATE TABLE databases (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    schema_name  text NOT NULL UNIQUE,
    readonly_id  text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name)
);

CREATE TABLE tables_meta (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    database_id bigint NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    name        text NOT NULL,
    label       text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    tags        text[] NOT NULL DEFAULT '{}',
    frozen      boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (database_id, name)
);

CREATE TABLE columns_meta (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id      bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    name          text NOT NULL,
    label         text NOT NULL DEFAULT '',
    type          text NOT NULL,
    nullable      boolean NOT NULL DEFAULT true,
    is_unique     boolean NOT NULL DEFAULT false,
    indexed       boolean NOT NULL DEFAULT false,
    description   text NOT NULL DEFAULT '',
    default_value jsonb,
    position      integer NOT NULL DEFAULT 0,
    options       jsonb NOT NULL DEFAULT '[]',
    link_table_id bigint REFERENCES tables_meta (id) ON DELETE CASCADE,
    max_rating    integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (table_id, name)
);
CREATE INDEX columns_meta_link ON columns_meta (link_table_id) WHERE link_table_id IS NOT NULL;

CREATE TABLE row_history (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    row_id   bigint NOT NULL,
    version  integer NOT NULL,
    op       text NOT NULL CHECK (op IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE')),
    data     jsonb NOT NULL,
    actor    text,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX row_history_row ON row_history (table_id, row_id, id);

CREATE TABLE trash (
    table_id   bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    row_id     bigint NOT NULL,
    data       jsonb NOT NULL,
    deleted_by text,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_id, row_id)
);
CREATE INDEX trash_deleted_at ON trash (deleted_at);

-- The outbox: one row per change, written in the transaction of the change. Listeners are
-- woken by pg_notify('gqlbase_events', '<first id>-<last id>') on commit.
CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL,
    database_id  bigint,
    table_id     bigint,
    row_id       bigint,
    kind         text NOT NULL,
    actor        text,
    payload      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_table ON events (table_id, id);
CREATE INDEX events_created_at ON events (created_at);
