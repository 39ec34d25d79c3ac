package resolvers

import (
	"context"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// MinBootstrapTokenLen is the shortest admin token accepted from the environment.
const MinBootstrapTokenLen = 32

// Bootstrap prepares a store for use. On the first start of a store it creates the owner
// workspace and an admin token holding every scope on it, records that workspace, and returns
// the token's secret (created is true). When envToken is set, that value is the admin token,
// bound to the owner workspace for good: it is registered when first seen (so automation can
// rely on it), accepted while it is an active token of that workspace, and refused with an
// error that stops the start when it was rotated, revoked or expired, when it is a token of
// another workspace, or when the owner workspace was deleted. Nothing is generated then.
//
// Servers starting together on one empty database bootstrap it once: the work runs under a
// database lock, and the servers that wait for it find the store in use.
func (r *Resolver) Bootstrap(ctx context.Context, envToken string) (secret string, created bool, err error) {
	if err := CheckBootstrapToken(envToken); err != nil {
		return "", false, err
	}
	err = r.Store.WithLock(ctx, "bootstrap", func() error {
		secret, created, err = r.bootstrap(ctx, envToken)
		return err
	})
	if err == nil {
		// The JWT signing key is made at the first start (and loaded at every start).
		err = r.EnsureSigningKey(ctx)
	}
	return secret, created, err
}

// CheckBootstrapToken validates an admin token given by environment ("" means none).
func CheckBootstrapToken(envToken string) error {
	if envToken != "" && len(envToken) < MinBootstrapTokenLen {
		return fmt.Errorf("GQLBASE_ADMIN_TOKEN is %d characters long; it must have at least %d (generate one with: openssl rand -hex 32)",
			len(envToken), MinBootstrapTokenLen)
	}
	return nil
}

// Names of the bootstrap's admin tokens (migration 0006 looks for envTokenName).
const (
	generatedTokenName = "bootstrap admin"
	envTokenName       = "bootstrap (GQLBASE_ADMIN_TOKEN)"
)

func (r *Resolver) bootstrap(ctx context.Context, envToken string) (secret string, created bool, err error) {
	rec, err := r.Store.BootstrapRecord(ctx)
	if err != nil {
		return "", false, fmt.Errorf("bootstrap: %w", err)
	}
	if rec == nil {
		// The first start: the store's own owner workspace, whatever else the database holds.
		tok := storage.BootstrapToken{Name: generatedTokenName, FromEnv: envToken != ""}
		secret = envToken
		if tok.FromEnv {
			tok.Name = envTokenName
		} else {
			secret = gqlbase.NewSecret(gqlbase.TokenPrefix)
		}
		tok.Prefix, tok.Hash = gqlbase.DisplayPrefix(secret), gqlbase.HashSecret(secret)
		if _, err := r.Store.Bootstrap(ctx, "Owner", tok); err != nil {
			return "", false, fmt.Errorf("bootstrap: %w", err)
		}
		if tok.FromEnv {
			return "", false, nil
		}
		return secret, true, nil
	}
	if envToken == "" {
		return "", false, nil
	}
	if err := r.checkEnvToken(ctx, rec, envToken); err != nil {
		return "", false, fmt.Errorf("GQLBASE_ADMIN_TOKEN: %w", err)
	}
	return "", false, nil
}

// checkEnvToken makes sure the admin token given by environment is an active token of the
// owner workspace, registering a secret never seen before. It never attaches the secret to
// another workspace, and never registers again a secret once rotated or revoked: each of
// those is an error that stops the start, saying what to do.
func (r *Resolver) checkEnvToken(ctx context.Context, rec *storage.BootstrapRecord, envToken string) error {
	if _, err := r.Store.GetWorkspace(ctx, rec.WorkspaceID); err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return fmt.Errorf("the owner workspace made at this store's first start (workspace %d) was deleted, "+
				"and the admin token belongs to it alone; unset GQLBASE_ADMIN_TOKEN to start "+
				"(the other workspaces keep their own members and tokens)", rec.WorkspaceID)
		}
		return fmt.Errorf("check the owner workspace: %w", err)
	}
	hash := gqlbase.HashSecret(envToken)
	tok, err := r.Store.TokenByHash(ctx, hash)
	if err != nil && gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		return fmt.Errorf("look up the token: %w", err)
	}
	registeredID, registered, err := r.Store.EnvTokenRegistered(ctx, hash)
	if err != nil {
		return err
	}
	switch {
	case tok != nil && tok.WorkspaceID != rec.WorkspaceID:
		return fmt.Errorf("this secret is token %d of workspace %d, not of the owner workspace %d; "+
			"an environment token administers the owner workspace only: revoke token %d and set GQLBASE_ADMIN_TOKEN "+
			"to a token of workspace %d, or unset it", tok.ID, tok.WorkspaceID, rec.WorkspaceID, tok.ID, rec.WorkspaceID)
	case tok != nil && tok.RevokedAt != nil:
		return fmt.Errorf("token %d with this secret was revoked at %s and is not registered again; "+
			"set GQLBASE_ADMIN_TOKEN to a new secret, or unset it", tok.ID, tok.RevokedAt.UTC().Format(time.RFC3339))
	case tok != nil && tok.ExpiresAt != nil && time.Now().After(*tok.ExpiresAt):
		return fmt.Errorf("token %d with this secret expired at %s and is not registered again; "+
			"set GQLBASE_ADMIN_TOKEN to a new secret, or unset it", tok.ID, tok.ExpiresAt.UTC().Format(time.RFC3339))
	case tok != nil:
		// Active: a token's current secret (perhaps rotated through the API and put here) is
		// remembered, so that it too is refused once rotated away.
		return r.Store.RememberEnvToken(ctx, hash, tok.ID)
	case registered:
		return fmt.Errorf("this secret was registered before (token %d) and has since been rotated or its token deleted; "+
			"it is not registered again: set GQLBASE_ADMIN_TOKEN to the token's current secret or a new one, or unset it", registeredID)
	}
	// A secret never seen: a new admin token of the owner workspace, as on the first start.
	return r.Store.RegisterEnvToken(ctx, rec.WorkspaceID, envTokenName, gqlbase.DisplayPrefix(envToken), hash)
}
