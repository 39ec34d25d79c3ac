package resolvers

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
)

// MinBootstrapTokenLen is the shortest admin token accepted from the environment.
const MinBootstrapTokenLen = 32

// Bootstrap prepares a store for use. On an empty store it creates the owner workspace and an
// admin token holding every scope on it, and returns that token's secret (created is true).
// When envToken is set, that value is the admin token: it is registered (on every start, so
// automation can rely on it) and nothing is generated.
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

func (r *Resolver) bootstrap(ctx context.Context, envToken string) (secret string, created bool, err error) {
	n, err := r.Store.CountWorkspaces(ctx)
	if err != nil {
		return "", false, fmt.Errorf("bootstrap: %w", err)
	}
	var ws *gqlbase.Workspace
	if n == 0 {
		if ws, err = r.Store.CreateWorkspace(ctx, "Owner", nil); err != nil {
			return "", false, fmt.Errorf("bootstrap: create owner workspace: %w", err)
		}
	} else if ws, err = r.Store.FirstWorkspace(ctx); err != nil {
		return "", false, fmt.Errorf("bootstrap: %w", err)
	}
	if envToken != "" {
		err := r.Store.EnsureTokenHash(ctx, ws.ID, "bootstrap (GQLBASE_ADMIN_TOKEN)",
			gqlbase.DisplayPrefix(envToken), gqlbase.HashSecret(envToken))
		if err != nil {
			return "", false, fmt.Errorf("bootstrap: register admin token: %w", err)
		}
		return "", false, nil
	}
	if n > 0 {
		return "", false, nil
	}
	secret = gqlbase.NewSecret(gqlbase.TokenPrefix)
	_, err = r.Store.CreateToken(ctx, &gqlbase.Token{
		WorkspaceID: ws.ID, Name: "bootstrap admin", Prefix: gqlbase.DisplayPrefix(secret), Scopes: gqlbase.AllScopes,
	}, gqlbase.HashSecret(secret), nil)
	if err != nil {
		return "", false, fmt.Errorf("bootstrap: create admin token: %w", err)
	}
	return secret, true, nil
}
