-- What the REST dialects keep beside the core metadata: environment variables, per-database
-- and per-table dialect settings, token descriptions, and the Postgres role that raw SQL of a
-- database runs as.

-- Environment variables of a workspace (database_id null) or of one database.
CREATE TABLE env_vars (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    database_id  bigint REFERENCES databases (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
    value        text NOT NULL CHECK (length(value) <= 65536),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX env_vars_name ON env_vars (workspace_id, coalesce(database_id, 0), name);

-- Settings a dialect keeps for a database (Airsequel: description, environment, visibility,
-- schemaLocked, ...) or a table (Botpress: factor, keyColumn, the JSON schema of its columns).
CREATE TABLE database_settings (
    database_id bigint NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    dialect     text NOT NULL,
    settings    jsonb NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (database_id, dialect)
);

CREATE TABLE table_settings (
    table_id   bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    dialect    text NOT NULL,
    settings   jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_id, dialect)
);

CREATE TABLE token_descriptions (
    token_id    bigint PRIMARY KEY REFERENCES api_tokens (id) ON DELETE CASCADE,
    description text NOT NULL CHECK (length(description) <= 5000)
);

-- The NOLOGIN role raw SQL of a database runs as (SET LOCAL ROLE). No foreign key: when a
-- database goes, its row stays until the role itself is dropped (see storage/sqlroles.go).
CREATE TABLE database_roles (
    database_id bigint PRIMARY KEY,
    role_name   text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
