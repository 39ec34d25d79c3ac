package gqlbase

import (
	"slices"
	"time"
)

// Scope is one right a principal may hold on a workspace.
type Scope string

const (
	ScopeRead   Scope = "read"
	ScopeWrite  Scope = "write"
	ScopeSchema Scope = "schema"
	ScopeFiles  Scope = "files"
	ScopeAdmin  Scope = "admin"
)

// AllScopes lists every scope, in a stable order.
var AllScopes = []Scope{ScopeRead, ScopeWrite, ScopeSchema, ScopeFiles, ScopeAdmin}

// ParseScope checks that s names a scope.
func ParseScope(s string) (Scope, error) {
	for _, sc := range AllScopes {
		if string(sc) == s {
			return sc, nil
		}
	}
	return "", BadInput("unknown scope %q (want one of read, write, schema, files, admin)", s).WithField("scopes")
}

// Role is a member's role in a workspace.
type Role string

const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleOwner, RoleAdmin, RoleEditor, RoleViewer:
		return r, nil
	}
	return "", BadInput("unknown role %q (want one of owner, admin, editor, viewer)", s).WithField("role")
}

// Scopes returns what a member with this role may do.
func (r Role) Scopes() []Scope {
	switch r {
	case RoleOwner, RoleAdmin:
		return AllScopes
	case RoleEditor:
		return []Scope{ScopeRead, ScopeWrite, ScopeSchema, ScopeFiles}
	case RoleViewer:
		return []Scope{ScopeRead}
	}
	return nil
}

// PrincipalKind says how a request authenticated.
type PrincipalKind string

const (
	PrincipalAnonymous PrincipalKind = "ANONYMOUS"
	PrincipalUser      PrincipalKind = "USER"
	PrincipalToken     PrincipalKind = "TOKEN"
	// PrincipalReadonly is a caller holding only a database's read-only id.
	PrincipalReadonly PrincipalKind = "READONLY"
)

// DatabaseAccess is what a token restricted to a database may do there.
type DatabaseAccess string

const (
	AccessRead  DatabaseAccess = "read"
	AccessWrite DatabaseAccess = "write"
)

// Principal is who a request acts as. Every resolver asks it before doing anything.
type Principal struct {
	Kind      PrincipalKind
	UserID    int64
	TokenID   int64
	SessionID int64
	// WorkspaceID is the workspace the principal acts in by default: a token's own workspace,
	// or a user's first workspace.
	WorkspaceID int64
	// Scopes are a token's scopes on its workspace. Users get theirs from Roles.
	Scopes []Scope
	// Roles maps each workspace a user is an active member of to the user's role there.
	Roles map[int64]Role
	// Databases, when not nil, restricts a token to these databases.
	Databases map[int64]DatabaseAccess
	ExpiresAt *time.Time
	// SecretHash is the hash of the credential presented (token or session), so long-lived
	// connections can tell when it stops being valid (revoked, rotated, logged out).
	SecretHash []byte
	// AuthError is set when credentials were presented but rejected: it is the error every
	// resolver that needs a principal returns, so the caller learns why (expired, revoked, ...).
	AuthError *Error
}

// Anonymous is the principal of a request without credentials.
func Anonymous() *Principal { return &Principal{Kind: PrincipalAnonymous} }

// Authenticated reports whether the principal may be used at all.
func (p *Principal) Authenticated() error {
	if p == nil {
		return Unauthenticated("authentication required: send Authorization: Bearer <token>")
	}
	if p.AuthError != nil {
		return p.AuthError
	}
	if p.Kind == PrincipalAnonymous {
		return Unauthenticated("authentication required: send Authorization: Bearer <token>")
	}
	if p.ExpiresAt != nil && time.Now().After(*p.ExpiresAt) {
		return Unauthenticated("credentials expired")
	}
	return nil
}

// ScopesIn returns what the principal may do in a workspace.
func (p *Principal) ScopesIn(workspaceID int64) []Scope {
	if p == nil {
		return nil
	}
	switch p.Kind {
	case PrincipalUser:
		return p.Roles[workspaceID].Scopes()
	case PrincipalToken, PrincipalReadonly:
		if workspaceID == p.WorkspaceID {
			return p.Scopes
		}
	}
	return nil
}

// MemberOf reports whether the principal belongs to the workspace at all.
func (p *Principal) MemberOf(workspaceID int64) bool {
	if p.Kind == PrincipalUser {
		_, ok := p.Roles[workspaceID]
		return ok
	}
	return p.WorkspaceID == workspaceID && p.Kind != PrincipalAnonymous
}

// Require checks that the principal is authenticated and holds scope in the workspace.
// A workspace the principal does not belong to answers NOT_FOUND, so ids do not leak.
func (p *Principal) Require(workspaceID int64, scope Scope) error {
	if err := p.Authenticated(); err != nil {
		return err
	}
	if !p.MemberOf(workspaceID) {
		return NotFound("workspace %d not found", workspaceID)
	}
	if !slices.Contains(p.ScopesIn(workspaceID), scope) {
		return Forbidden("this operation needs the %q scope", scope)
	}
	return nil
}

// RequireDatabase is Require plus the token's database restriction: reading needs read or
// write access to the database, anything else needs write access.
func (p *Principal) RequireDatabase(workspaceID, databaseID int64, scope Scope) error {
	if err := p.Require(workspaceID, scope); err != nil {
		return err
	}
	if p.Databases == nil {
		return nil
	}
	access, ok := p.Databases[databaseID]
	if !ok {
		return Forbidden("this token has no access to database %d", databaseID)
	}
	if scope != ScopeRead && access != AccessWrite {
		return Forbidden("this token has read-only access to database %d", databaseID)
	}
	return nil
}

// CanReadDatabase reports whether the principal may read the database (for filtering lists).
func (p *Principal) CanReadDatabase(workspaceID, databaseID int64) bool {
	return p.RequireDatabase(workspaceID, databaseID, ScopeRead) == nil
}
