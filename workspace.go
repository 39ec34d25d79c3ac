package gqlbase

import (
	"net/netip"
	"time"
)

// Workspace is the tenant: members, tokens and databases belong to one.
type Workspace struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// User is a person who logs in with an email and a password.
type User struct {
	ID        int64     `db:"id"`
	Email     string    `db:"email"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// MembershipStatus tells an accepted membership from a pending invitation.
type MembershipStatus string

const (
	MembershipActive  MembershipStatus = "ACTIVE"
	MembershipPending MembershipStatus = "PENDING"
)

// Member is a user's (or an invited email's) membership of a workspace.
type Member struct {
	ID          int64            `db:"id"`
	WorkspaceID int64            `db:"workspace_id"`
	UserID      *int64           `db:"user_id"`
	Email       string           `db:"email"`
	Role        Role             `db:"role"`
	Status      MembershipStatus `db:"status"`
	CreatedAt   time.Time        `db:"created_at"`
}

// Token is an API token. Its secret is shown once, at creation or rotation, and stored only as
// a SHA-256 hash.
type Token struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Description string
	// Prefix is the start of the secret, kept so people can tell their tokens apart.
	Prefix    string
	Scopes    []Scope
	Databases map[int64]DatabaseAccess
	// Permissions, when not nil, restricts the token's row operations per database and table.
	Permissions TokenPermissions
	// AllowedIPs, when not nil, are the networks the token may be used from.
	AllowedIPs []netip.Prefix
	// RateLimit is the token's requests per minute (0: none of its own).
	RateLimit int
	ExpiresAt *time.Time
	// CreatedBy is the user the token acts for (nil: none, as for the bootstrap token), and
	// CreatorRole that user's current role in the workspace ("" when no longer a member).
	CreatedBy   *int64
	CreatorRole Role
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Active reports whether the token can still be used: neither revoked nor expired, and its
// creator (if it has one) still a member of its workspace.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt)) &&
		(t.CreatedBy == nil || t.CreatorRole != "")
}
