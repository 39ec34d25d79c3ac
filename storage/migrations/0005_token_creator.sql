-- A token acts for the user who made it (created_by): when it authenticates, its scopes are
-- cut down to that user's current role in the workspace. A token without a creator keeps its
-- stored rights (the bootstrap token), so a deleted creator must not leave its tokens behind
-- as creator-less ones, with full rights again: they go with the user.
ALTER TABLE api_tokens
    DROP CONSTRAINT api_tokens_created_by_fkey,
    ADD CONSTRAINT api_tokens_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE CASCADE;

-- Authentication and the credential watcher look up the creator's membership per token.
CREATE INDEX api_tokens_created_by ON api_tokens (created_by);
