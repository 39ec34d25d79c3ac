package gqlbase

import "time"

// Inputs and results of the operations on workspaces, tokens, accounts and invitations.

type CreateWorkspaceInput struct {
	Name string `json:"name"`
}

type CreateTokenInput struct {
	// Defaults to the caller's workspace.
	WorkspaceID *int64  `json:"workspaceId,omitempty"`
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	Scopes      []Scope `json:"scopes"`
	// Restricts the token to these databases.
	Databases []*DatabaseGrantInput `json:"databases,omitempty"`
	// Expiry time. Without expiresAt, expiresInDays or neverExpires, a token expires in 90 days.
	ExpiresAt     *time.Time `json:"expiresAt,omitempty"`
	ExpiresInDays *int       `json:"expiresInDays,omitempty"`
	NeverExpires  *bool      `json:"neverExpires,omitempty"`
	// Permissions restricts the token's row operations (Baserow's shape); nil: unchanged or none.
	Permissions map[string]any `json:"permissions,omitempty"`
	// AllowedIPs are the networks (CIDR) the token may be used from.
	AllowedIPs []string `json:"allowedIps,omitempty"`
	// RateLimit is the token's requests per minute.
	RateLimit *int `json:"rateLimit,omitempty"`
}

type UpdateTokenInput struct {
	Name *string `json:"name,omitempty"`
	// Description replaces the token's description ("" removes it).
	Description *string `json:"description,omitempty"`
	Scopes      []Scope `json:"scopes,omitempty"`
	// Replaces the database restriction; an empty list removes it.
	Databases    []*DatabaseGrantInput `json:"databases,omitempty"`
	ExpiresAt    *time.Time            `json:"expiresAt,omitempty"`
	NeverExpires *bool                 `json:"neverExpires,omitempty"`
	// Permissions restricts the token's row operations (Baserow's shape); nil: unchanged or none.
	Permissions map[string]any `json:"permissions,omitempty"`
	// AllowedIPs are the networks (CIDR) the token may be used from.
	AllowedIPs []string `json:"allowedIps,omitempty"`
	// RateLimit is the token's requests per minute.
	RateLimit *int `json:"rateLimit,omitempty"`
}

type DatabaseGrantInput struct {
	DatabaseID int64          `json:"databaseId"`
	Access     DatabaseAccess `json:"access"`
}

type DatabaseGrant struct {
	DatabaseID int64          `json:"databaseId"`
	Access     DatabaseAccess `json:"access"`
}

type TokenWithSecret struct {
	Token *Token `json:"token"`
	// Send as Authorization: Bearer <secret>. Shown once.
	Secret string `json:"secret"`
}

type SignUpInput struct {
	Email string `json:"email"`
	// 8 to 256 characters.
	Password string  `json:"password"`
	Name     *string `json:"name,omitempty"`
	// Name of the workspace created for the user; defaults to the user's name or email.
	WorkspaceName *string `json:"workspaceName,omitempty"`
}

type LogInInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type ChangePasswordInput struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

type AuthPayload struct {
	// Session bearer token: send it as Authorization: Bearer <token>. Shown once.
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      *User     `json:"user"`
}

type InvitationWithSecret struct {
	// The pending membership.
	Member *Member `json:"member"`
	// What acceptInvitation takes. Shown once: only its hash is stored.
	Secret string `json:"secret"`
}
