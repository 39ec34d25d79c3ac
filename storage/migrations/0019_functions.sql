-- Server functions: JavaScript a database runs on demand (runFunction, Airsequel's /fns).

-- A function acts with the scopes it was given at creation (never more than its creator's,
-- cut down again at each run to the creator's current role). has_creator keeps "made by a
-- user who has since been deleted" apart from "made by the bootstrap token" (created_by NULL
-- in both): the first must stop working, not run as an owner.
CREATE TABLE functions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id    bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    database_id     bigint NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_-]{0,127}$'),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    current_version integer NOT NULL DEFAULT 1,
    latest_version  integer NOT NULL DEFAULT 1,
    scopes          text[] NOT NULL,
    timeout_ms      integer NOT NULL DEFAULT 5000 CHECK (timeout_ms BETWEEN 10 AND 30000),
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    has_creator     boolean NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (database_id, name)
);

-- Every saved code of a function; an update adds a version, republish points current at one.
CREATE TABLE function_versions (
    function_id bigint NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    code        text NOT NULL CHECK (length(code) <= 262144),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (function_id, version)
);

-- The invocation log (newest kept: at most 1000 per function, trimmed on insert).
CREATE TABLE function_invocations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    function_id bigint NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    trigger     text NOT NULL,
    input       jsonb,
    output      jsonb,
    logs        text[] NOT NULL DEFAULT '{}',
    error       text,
    duration_ms double precision NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX function_invocations_function ON function_invocations (function_id, id DESC);

-- The hosts functions of a workspace may fetch from (none: fetch is off).
CREATE TABLE function_fetch_hosts (
    workspace_id bigint PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    hosts        text[] NOT NULL DEFAULT '{}'
);
