package gqlbase

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
)

// Prefixes make secrets recognisable in logs, configs and secret scanners.
const (
	TokenPrefix   = "gqb_"
	SessionPrefix = "gqs_"
)

// NewSecret returns prefix followed by 256 random bits in base32 (52 characters).
func NewSecret(prefix string) string {
	return prefix + rand.Text() + rand.Text()
}

// HashSecret is how secrets are stored: SHA-256, never the secret itself. Secrets carry 256
// bits of entropy, so a fast hash is enough.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// SecretsEqual compares two secrets in constant time.
func SecretsEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// DisplayPrefix is the part of a secret that may be shown again after creation.
func DisplayPrefix(secret string) string {
	if len(secret) > 12 {
		return secret[:12]
	}
	return secret
}

type principalKey struct{}

// WithPrincipal returns a context that carries p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or an anonymous one.
func PrincipalFrom(ctx context.Context) *Principal {
	if p, ok := ctx.Value(principalKey{}).(*Principal); ok && p != nil {
		return p
	}
	return Anonymous()
}

type requestIDKey struct{}

// WithRequestID returns a context that carries the id of the request being served.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
