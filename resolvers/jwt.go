package resolvers

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// JWT sessions: a log-in that answers a short-lived access token signed with HS256 (claims
// sub: the user id, sid: the session id, iat, exp) and a refresh token that buys the next pair
// once. The session lives in Postgres like an opaque one, so every use of an access token
// still asks (through the 2 s principal cache) whether its session was revoked: a log-out or a
// detected refresh-token reuse stops its access tokens within that window everywhere.

// JWTAccessLifetime is how long an access token works; clients refresh before it ends.
const JWTAccessLifetime = 10 * time.Minute

// RefreshPrefix marks refresh tokens.
const RefreshPrefix = "gqr_"

// jwtKeyName is the signing key's row in signing_keys.
const jwtKeyName = "jwt"

// jwtIssuer is the iss claim of the access tokens gqlbase signs.
const jwtIssuer = "gqlbase"

// jwtSigner holds the signing key once loaded; the key is generated at the first start of a
// store and shared by every process through Postgres.
type jwtSigner struct {
	mu  sync.Mutex
	key []byte
}

func (r *Resolver) jwtKey(ctx context.Context) ([]byte, error) {
	r.jwt.mu.Lock()
	defer r.jwt.mu.Unlock()
	if r.jwt.key != nil {
		return r.jwt.key, nil
	}
	key, err := r.Store.SigningKey(ctx, jwtKeyName, func() ([]byte, error) {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	})
	if err != nil {
		return nil, err
	}
	r.jwt.key = key
	return key, nil
}

// EnsureSigningKey loads the JWT signing key, generating it on a store that has none. Called
// at start, so the first log-in does not pay for it and a broken store is noticed early.
func (r *Resolver) EnsureSigningKey(ctx context.Context) error {
	_, err := r.jwtKey(ctx)
	return err
}

// LooksLikeJWT tells a JWT from gqlbase's opaque secrets by its shape: three base64url parts,
// the first a JSON object ("eyJ" is how `{"` encodes).
func LooksLikeJWT(s string) bool {
	if !strings.HasPrefix(s, "eyJ") || strings.Count(s, ".") != 2 {
		return false
	}
	for _, c := range s {
		if !(c == '.' || c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return true
}

// sessionClaims are the claims of an access token.
type sessionClaims struct {
	SessionID int64 `json:"sid"`
	jwt.RegisteredClaims
}

func (r *Resolver) signAccess(ctx context.Context, userID, sessionID int64, sessionEnd time.Time) (string, time.Time, error) {
	key, err := r.jwtKey(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	exp := now.Add(JWTAccessLifetime)
	if sessionEnd.Before(exp) {
		exp = sessionEnd
	}
	claims := sessionClaims{SessionID: sessionID, RegisteredClaims: jwt.RegisteredClaims{
		Subject: strconv.FormatInt(userID, 10), Issuer: jwtIssuer,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
	}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		return "", time.Time{}, err
	}
	return signed, exp, nil
}

// parseAccess checks an access token's signature (HS256 only: alg none and every other
// algorithm are refused), expiry and claims. The error is caller-facing.
func (r *Resolver) parseAccess(ctx context.Context, token string) (*sessionClaims, int64, error) {
	key, err := r.jwtKey(ctx)
	if err != nil {
		return nil, 0, err
	}
	var claims sessionClaims
	_, err = jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithIssuer(jwtIssuer))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, 0, gqlbase.Unauthenticated("access token expired: refresh it (refreshJwt) or log in again")
	case err != nil:
		return nil, 0, gqlbase.Unauthenticated("invalid access token")
	}
	userID, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || userID <= 0 || claims.SessionID <= 0 {
		return nil, 0, gqlbase.Unauthenticated("invalid access token")
	}
	return &claims, userID, nil
}

// lookUpJWT is lookUpCredential for an access token: its session must still work.
func (r *Resolver) lookUpJWT(ctx context.Context, token string, hash []byte) *gqlbase.Principal {
	reject := func(err error) *gqlbase.Principal {
		e, ok := gqlbase.AsError(err)
		if !ok {
			r.Logger.ErrorContext(ctx, "authenticate jwt", "err", err)
			e = gqlbase.Unauthenticated("could not check credentials")
		}
		return &gqlbase.Principal{Kind: gqlbase.PrincipalAnonymous, AuthError: e}
	}
	claims, userID, err := r.parseAccess(ctx, token)
	if err != nil {
		return reject(err)
	}
	sess, err := r.Store.JWTSession(ctx, claims.SessionID)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound || (err == nil && sess.UserID != userID) {
		return reject(gqlbase.Unauthenticated("session ended: log in again"))
	}
	if err != nil {
		return reject(err)
	}
	if !time.Now().Before(sess.ExpiresAt) {
		return reject(gqlbase.Unauthenticated("session expired: log in again"))
	}
	roles, first, err := r.Store.ActiveRoles(ctx, userID)
	if err != nil {
		return reject(err)
	}
	exp := claims.ExpiresAt.Time
	return &gqlbase.Principal{
		Kind: gqlbase.PrincipalUser, UserID: userID, SessionID: sess.ID, JWT: true,
		WorkspaceID: first, Roles: roles, ExpiresAt: &exp, SecretHash: hash,
	}
}

// LogInJWT is the use case behind the logInJwt mutation (Baserow's token-auth): the log-in
// limits and checks of LogIn, answered with an access and a refresh token.
func (r *Resolver) LogInJWT(ctx context.Context, input gqlbase.LogInInput) (*gqlbase.JWTPayload, error) {
	user, err := r.checkLogIn(ctx, input)
	if err != nil {
		return nil, err
	}
	refresh := gqlbase.NewSecret(RefreshPrefix)
	expires := time.Now().Add(SessionLifetime).UTC().Truncate(time.Second)
	placeholder := gqlbase.HashSecret(gqlbase.NewSecret("unused_"))
	sid, err := r.Store.CreateJWTSession(ctx, user.ID, placeholder, gqlbase.HashSecret(refresh), expires)
	if err != nil {
		return nil, err
	}
	return r.jwtPayload(ctx, user, sid, refresh, expires)
}

func (r *Resolver) jwtPayload(ctx context.Context, user *gqlbase.User, sid int64, refresh string, sessionEnd time.Time) (*gqlbase.JWTPayload, error) {
	access, exp, err := r.signAccess(ctx, user.ID, sid, sessionEnd)
	if err != nil {
		return nil, err
	}
	return &gqlbase.JWTPayload{AccessToken: access, AccessExpiresAt: exp, RefreshToken: refresh,
		RefreshExpiresAt: sessionEnd, SessionID: sid, User: user}, nil
}

// RefreshJWT is the use case behind the refreshJwt mutation: the refresh token is exchanged
// for a new access token and a new refresh token. A refresh token that was exchanged already
// is a stolen or replayed one: the whole session is revoked, and so every token of it.
func (r *Resolver) RefreshJWT(ctx context.Context, refreshToken string) (*gqlbase.JWTPayload, error) {
	refreshToken = strings.TrimSpace(refreshToken)
	if !strings.HasPrefix(refreshToken, RefreshPrefix) {
		return nil, gqlbase.Unauthenticated("invalid refresh token").WithField("refreshToken")
	}
	next := gqlbase.NewSecret(RefreshPrefix)
	sess, outcome, err := r.Store.RotateRefreshToken(ctx, gqlbase.HashSecret(refreshToken), gqlbase.HashSecret(next))
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return nil, gqlbase.Unauthenticated("invalid refresh token").WithField("refreshToken")
	}
	if err != nil {
		return nil, err
	}
	switch outcome {
	case storage.RefreshReused:
		r.sessionEnded()
		return nil, gqlbase.Unauthenticated("this refresh token was used already: its session is revoked, log in again").WithField("refreshToken")
	case storage.RefreshEnded:
		return nil, gqlbase.Unauthenticated("session ended: log in again").WithField("refreshToken")
	}
	user, _, err := r.Store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	return r.jwtPayload(ctx, user, sess.ID, next, sess.ExpiresAt)
}

// VerifyJWT is the use case behind the verifyJwt mutation (Baserow's token-verify): it tells
// whether an access token works now (signature, expiry, session not revoked) and for whom.
func (r *Resolver) VerifyJWT(ctx context.Context, token string) (*gqlbase.JWTVerification, error) {
	token = strings.TrimSpace(token)
	if !LooksLikeJWT(token) {
		return nil, gqlbase.Unauthenticated("invalid access token").WithField("token")
	}
	p := r.lookUpJWT(ctx, token, gqlbase.HashSecret(token))
	if p.AuthError != nil {
		return nil, p.AuthError.WithField("token")
	}
	claims, _, err := r.parseAccess(ctx, token)
	if err != nil {
		return nil, err
	}
	user, _, err := r.Store.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return &gqlbase.JWTVerification{SessionID: p.SessionID, ExpiresAt: claims.ExpiresAt.Time,
		IssuedAt: claims.IssuedAt.Time, User: user}, nil
}

// LogOutJWT is the use case behind the logOutJwt mutation (Baserow's token-blacklist): it
// revokes the session of a refresh token (current or already rotated), or without one the
// JWT session the request authenticated with. Its access tokens stop working within the
// principal cache window in every process, open subscriptions included.
func (r *Resolver) LogOutJWT(ctx context.Context, refreshToken *string) (bool, error) {
	defer r.sessionEnded()
	if refreshToken == nil {
		p, err := principalOrError(gqlbase.PrincipalFrom(ctx))
		if err != nil {
			return false, err
		}
		if !p.JWT {
			return false, gqlbase.BadInput("logOutJwt without a refresh token ends the JWT session the request authenticated with; this request did not use one").WithField("refreshToken")
		}
		return true, r.Store.RevokeSession(ctx, p.SessionID)
	}
	sess, err := r.Store.SessionOfRefreshToken(ctx, gqlbase.HashSecret(strings.TrimSpace(*refreshToken)))
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return false, gqlbase.Unauthenticated("invalid refresh token").WithField("refreshToken")
	}
	if err != nil {
		return false, err
	}
	return true, r.Store.RevokeSession(ctx, sess.ID)
}

// sessionEnded clears what this process remembers of credentials after a session ended.
func (r *Resolver) sessionEnded() { r.ForgetPrincipals() }
