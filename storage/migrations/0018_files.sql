-- Files: metadata of uploaded files; their bytes live in the blob store under blob_key
-- (the SHA-256 of the content, so the same content is stored once).

CREATE TABLE files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    database_id  bigint,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    folder       text NOT NULL DEFAULT '' CHECK (length(folder) <= 1024),
    mime_type    text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    metadata     jsonb NOT NULL DEFAULT '{}',
    public       boolean NOT NULL DEFAULT false,
    temporary    boolean NOT NULL DEFAULT false,
    -- pending: the row exists but its blob may not yet; only ready files are served. A
    -- process killed between the two leaves a pending row, which the sweep removes.
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready')),
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);
CREATE INDEX files_workspace ON files (workspace_id, id);
CREATE INDEX files_sha256 ON files (sha256);
CREATE INDEX files_pending ON files (created_at) WHERE state = 'pending';
