-- JWT sessions, fine-grained tokens, default databases and the audit log.

-- A session made for JWTs (jwt) is presented as signed access tokens naming it (claim sid)
-- and renewed through a family of refresh tokens; revoked_at ends it while keeping the
-- record, so a refresh token reused after its rotation is recognised as such.
ALTER TABLE sessions
    ADD COLUMN jwt        boolean NOT NULL DEFAULT false,
    ADD COLUMN revoked_at timestamptz;

-- One row per refresh token a session ever handed out: rotated_at is set when it was
-- exchanged for the next one. Presenting a rotated one again revokes the whole session.
CREATE TABLE refresh_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    rotated_at timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Keys the server signs with (name 'jwt': the HS256 key of access tokens), generated at
-- first start and shared by every process on the database.
CREATE TABLE signing_keys (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Fine-grained tokens: per-operation grants on databases and tables
-- ({"create": true | false | [["database", 1], ["table", 2]], "read": ..., ...}; NULL: none),
-- the networks a token may be used from (NULL: any) and its requests per minute (NULL: no limit).
ALTER TABLE api_tokens
    ADD COLUMN permissions jsonb,
    ADD COLUMN allowed_ips cidr[],
    ADD COLUMN rate_limit  integer CHECK (rate_limit BETWEEN 1 AND 1000000);

-- The database dialects without a database level use. Existing workspaces get their oldest
-- database; a workspace without one gets one the first time it is asked for.
ALTER TABLE workspaces ADD COLUMN default_database_id bigint REFERENCES databases (id) ON DELETE SET NULL;
UPDATE workspaces w SET default_database_id = (SELECT min(d.id) FROM databases d WHERE d.workspace_id = w.id);

-- Who did what to which resource, written in the transaction of the change.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL,
    action        text NOT NULL,
    resource_type text NOT NULL,
    resource_id   bigint,
    details       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);
CREATE INDEX audit_log_action ON audit_log (workspace_id, action, id);
CREATE INDEX audit_log_resource ON audit_log (workspace_id, resource_type, resource_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
