package resolvers

import (
	"context"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Authenticate turns a presented credential (the token after "Bearer ", "Token " or "JWT ")
// into a Principal. A bad credential yields a principal whose AuthError says why, so that
// every resolver answers UNAUTHENTICATED with that reason. A fine-grained token's IP allowlist
// and rate limit apply to each call (the client address is the context's, WithClientAddr).
func (r *Resolver) Authenticate(ctx context.Context, credential string) *gqlbase.Principal {
	now := time.Now()
	return r.checkTokenUse(ctx, r.authenticate(ctx, credential, now), now)
}

func (r *Resolver) authenticate(ctx context.Context, credential string, now time.Time) *gqlbase.Principal {
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return gqlbase.Anonymous()
	}
	hash := gqlbase.HashSecret(credential)
	if p, ok := r.principals.get(hash, now); ok {
		if p.Kind == gqlbase.PrincipalToken {
			r.touchToken(p.TokenID)
		}
		return p
	}
	p := r.lookUpCredential(ctx, credential, hash)
	if p.AuthError == nil {
		r.principals.put(hash, p, now)
	}
	return p
}

// lookUpCredential asks Postgres what a credential grants.
func (r *Resolver) lookUpCredential(ctx context.Context, credential string, hash []byte) *gqlbase.Principal {
	reject := func(format string, args ...any) *gqlbase.Principal {
		return &gqlbase.Principal{Kind: gqlbase.PrincipalAnonymous, AuthError: gqlbase.Unauthenticated(format, args...)}
	}
	if LooksLikeJWT(credential) {
		return r.lookUpJWT(ctx, credential, hash)
	}
	if strings.HasPrefix(credential, gqlbase.SessionPrefix) {
		sess, err := r.Store.SessionByHash(ctx, hash)
		if err != nil {
			if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
				return reject("invalid or ended session")
			}
			r.Logger.ErrorContext(ctx, "authenticate session", "err", err)
			return reject("could not check credentials")
		}
		if time.Now().After(sess.ExpiresAt) {
			return reject("session expired: log in again")
		}
		roles, first, err := r.Store.ActiveRoles(ctx, sess.UserID)
		if err != nil {
			r.Logger.ErrorContext(ctx, "authenticate session roles", "err", err)
			return reject("could not check credentials")
		}
		exp := sess.ExpiresAt
		return &gqlbase.Principal{
			Kind: gqlbase.PrincipalUser, UserID: sess.UserID, SessionID: sess.ID,
			WorkspaceID: first, Roles: roles, ExpiresAt: &exp, SecretHash: hash,
		}
	}
	tok, err := r.Store.TokenByHash(ctx, hash)
	if err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return reject("invalid token")
		}
		r.Logger.ErrorContext(ctx, "authenticate token", "err", err)
		return reject("could not check credentials")
	}
	if tok.RevokedAt != nil {
		return reject("token revoked")
	}
	if tok.ExpiresAt != nil && time.Now().After(*tok.ExpiresAt) {
		return reject("token expired")
	}
	// A token acts for its creator: it never grants more than the creator's current role, and
	// it stops working when the creator is no longer a member of the workspace.
	if tok.CreatedBy != nil && tok.CreatorRole == "" {
		return reject("token invalid: the user who created it is no longer a member of its workspace")
	}
	rights := tok.Rights()
	r.touchToken(tok.ID)
	p := &gqlbase.Principal{
		Kind: gqlbase.PrincipalToken, TokenID: tok.ID, WorkspaceID: tok.WorkspaceID,
		Scopes: rights.Scopes, Databases: rights.Databases, ExpiresAt: rights.ExpiresAt, Role: rights.Role,
		Permissions: rights.Permissions, AllowedIPs: rights.AllowedIPs, RateLimit: rights.RateLimit,
		SecretHash: hash,
	}
	if tok.CreatedBy != nil {
		p.CreatorID = *tok.CreatedBy
	}
	return p
}

// touchToken records last use at most once a minute per token, off the request path.
func (r *Resolver) touchToken(id int64) {
	now := time.Now()
	if last, ok := r.lastTouch.LRU().Get(id); ok && now.Sub(last) < time.Minute {
		return
	}
	r.lastTouch.LRU().Put(id, now)
	r.background.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.Store.TouchToken(ctx, id); err != nil {
			r.Logger.Warn("record token use", "token_id", id, "err", err)
		}
	})
}

// Wait returns when the writes the resolvers started off the request path have ended (each
// is bounded by its own 5 s timeout). Call it after the last request, before closing the store.
func (r *Resolver) Wait() { r.background.Wait() }

// CredentialFromHeader extracts the credential from an Authorization header value. It accepts
// "Bearer", "Token" and "JWT" (any case; Baserow clients send the latter two) and a bare token.
func CredentialFromHeader(h string) string {
	h = strings.TrimSpace(h)
	if scheme, rest, ok := strings.Cut(h, " "); ok {
		switch strings.ToLower(scheme) {
		case "bearer", "token", "jwt":
			return strings.TrimSpace(rest)
		}
	}
	return h
}
