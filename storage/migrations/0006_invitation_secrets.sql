-- Invitations are accepted with a secret of their own, stored as its SHA-256 like token
-- secrets. An invitation belongs to nobody until someone presents its secret: email
-- addresses are not verified, so signing up with the invited address proves nothing.

ALTER TABLE memberships ADD COLUMN invitation_hash bytea UNIQUE;

-- Pending invitations made before secrets existed have none, so nobody could ever accept
-- them; some were already bound to whoever signed up first with the address. They go, which
-- also lets the address be invited again.
DELETE FROM memberships WHERE status = 'PENDING';

ALTER TABLE memberships ADD CONSTRAINT memberships_invitation CHECK (CASE status
    WHEN 'PENDING' THEN invitation_hash IS NOT NULL AND user_id IS NULL
    ELSE invitation_hash IS NULL END);
