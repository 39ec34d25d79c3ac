package resolvers

import (
	"context"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/graph"
)

// SessionLifetime is how long a log-in lasts.
const SessionLifetime = 30 * 24 * time.Hour

func (r *Resolver) newSession(ctx context.Context, user *gqlbase.User) (*graph.AuthPayload, error) {
	secret := gqlbase.NewSecret(gqlbase.SessionPrefix)
	expires := time.Now().Add(SessionLifetime).UTC().Truncate(time.Second)
	if _, err := r.Store.CreateSession(ctx, user.ID, gqlbase.HashSecret(secret), expires); err != nil {
		return nil, err
	}
	return &graph.AuthPayload{Token: secret, ExpiresAt: expires, User: user}, nil
}
