-- Saved views of a table, their public sharing, and comments on rows.

-- A view keeps its filter tree (the Filter AST as JSON), sorts, group-bys, hidden fields,
-- field options and the client's decorations. slug is set while the view is public; it is
-- random, and rotating it replaces it, so an old link stops working.
CREATE TABLE views (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id        bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    type            text NOT NULL CHECK (type IN ('grid', 'gallery', 'form', 'kanban', 'calendar', 'timeline')),
    position        integer NOT NULL DEFAULT 0,
    filter          jsonb,
    sorts           jsonb NOT NULL DEFAULT '[]',
    group_by        jsonb NOT NULL DEFAULT '[]',
    hidden_fields   jsonb NOT NULL DEFAULT '[]',
    field_options   jsonb NOT NULL DEFAULT '[]',
    decorations     jsonb,
    group_column    text,
    date_column     text,
    end_date_column text,
    slug            text UNIQUE,
    password_hash   text NOT NULL DEFAULT '',
    created_by      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX views_table ON views (table_id, position, id);

-- Tokens a visitor of a password-protected public view got for the password: valid for that
-- view and that slug only (rotating the slug or the password deletes them).
CREATE TABLE view_tokens (
    token_hash bytea PRIMARY KEY,
    view_id    bigint NOT NULL REFERENCES views (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
CREATE INDEX view_tokens_view ON view_tokens (view_id);

-- Comments on rows. A row's comments outlive its trip to the trash (restoring it shows them
-- again) and go with its table.
CREATE TABLE row_comments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id   bigint NOT NULL REFERENCES tables_meta (id) ON DELETE CASCADE,
    row_id     bigint NOT NULL,
    author     text NOT NULL,
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX row_comments_row ON row_comments (table_id, row_id, id DESC);
