-- Invitations are accepted with a secret of their own, stored as its SHA-256 like token
-- secrets. An invitation belongs to nobody until someone presents its secret: email
-- addresses are not verified, so signing up with the invited address proves nothing.
-- Then the bootstrap record (further down), which binds GQLBASE_ADMIN_TOKEN to the owner
-- workspace.

ALTER TABLE memberships ADD COLUMN invitation_hash bytea UNIQUE;

-- Pending invitations made before secrets existed have none, so nobody could ever accept
-- them; some were already bound to whoever signed up first with the address. They go, which
-- also lets the address be invited again.
DELETE FROM memberships WHERE status = 'PENDING';

ALTER TABLE memberships ADD CONSTRAINT memberships_invitation CHECK (CASE status
    WHEN 'PENDING' THEN invitation_hash IS NOT NULL AND user_id IS NULL
    ELSE invitation_hash IS NULL END);

-- The bootstrap: the owner workspace the first start made, which an admin token given by
-- GQLBASE_ADMIN_TOKEN belongs to (and no other workspace ever), and the hash of every secret
-- that variable registered, so that a start with one since rotated or revoked is refused
-- instead of registering it again. Neither refers to its row by foreign key: what was
-- deleted must stay known.
CREATE TABLE bootstrap (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    workspace_id bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bootstrap_env_tokens (
    token_hash bytea PRIMARY KEY,
    token_id   bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A store that was bootstrapped before: the first start made the first workspace, so the
-- owner workspace has the first id of the sequence (whether it still exists or not). Its
-- tokens from GQLBASE_ADMIN_TOKEN are the ones registered so far; secrets rotated away before
-- now are not known, and a token of that name in another workspace is not one of them.
INSERT INTO bootstrap (workspace_id)
SELECT seqstart FROM pg_sequence
WHERE seqrelid = pg_get_serial_sequence('workspaces', 'id')::regclass
  AND pg_sequence_last_value(seqrelid) IS NOT NULL;

INSERT INTO bootstrap_env_tokens (token_hash, token_id)
SELECT t.token_hash, t.id FROM api_tokens t JOIN bootstrap b ON b.workspace_id = t.workspace_id
WHERE t.name = 'bootstrap (GQLBASE_ADMIN_TOKEN)';
