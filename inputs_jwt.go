package gqlbase

import "time"

// Results of the JWT session operations.

// JWTPayload is what a JWT log-in or refresh answers: a short-lived signed access token and
// the refresh token that buys the next one (each refresh token works once).
type JWTPayload struct {
	// Send as Authorization: JWT <accessToken> (or Bearer).
	AccessToken     string    `json:"accessToken"`
	AccessExpiresAt time.Time `json:"accessExpiresAt"`
	// Exchange it once with refreshJwt; presenting it again after that revokes the session.
	RefreshToken     string    `json:"refreshToken"`
	RefreshExpiresAt time.Time `json:"refreshExpiresAt"`
	SessionID        int64     `json:"sessionId"`
	User             *User     `json:"user"`
}

// JWTVerification is what verifying an access token tells.
type JWTVerification struct {
	SessionID int64     `json:"sessionId"`
	ExpiresAt time.Time `json:"expiresAt"`
	IssuedAt  time.Time `json:"issuedAt"`
	User      *User     `json:"user"`
}
