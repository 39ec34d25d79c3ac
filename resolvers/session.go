package resolvers

import (
	"context"
	"time"

	"github.com/gqlbase/gqlbase"
)

// signUpEmailRefused is sign-up's one answer for an email it cannot use, malformed and
// already registered alike, given at the point a fresh address would have gone on to succeed:
// the answer then does not say whether an address has an account (log-in answers "wrong email
// or password" for the same reason).
func signUpEmailRefused() error {
	return gqlbase.BadInput("this email address cannot be used to sign up: check it, or log in if it has an account").WithField("email")
}

// SessionLifetime is how long a log-in lasts.
const SessionLifetime = 30 * 24 * time.Hour

func (r *Resolver) newSession(ctx context.Context, user *gqlbase.User) (*gqlbase.AuthPayload, error) {
	secret := gqlbase.NewSecret(gqlbase.SessionPrefix)
	expires := time.Now().Add(SessionLifetime).UTC().Truncate(time.Second)
	if _, err := r.Store.CreateSession(ctx, user.ID, gqlbase.HashSecret(secret), expires); err != nil {
		return nil, err
	}
	return &gqlbase.AuthPayload{Token: secret, ExpiresAt: expires, User: user}, nil
}
