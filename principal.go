package gqlbase

import (
	"net/netip"
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
	// JWT is set when the session was presented as a signed access token.
	JWT bool
	// WorkspaceID is the workspace the principal acts in by default: a token's own workspace,
	// or a user's first workspace.
	WorkspaceID int64
	// Scopes are a token's scopes on its workspace. Users get theirs from Roles.
	Scopes []Scope
	// Roles maps each workspace a user is an active member of to the user's role there.
	Roles map[int64]Role
	// Databases, when not nil, restricts a token to these databases.
	Databases map[int64]DatabaseAccess
	// Permissions, when not nil, restricts a token's row operations per database and table
	// (RequireRows).
	Permissions TokenPermissions
	// AllowedIPs, when not nil, are the networks a token may be used from.
	AllowedIPs []netip.Prefix
	// RateLimit is how many requests a minute a token may make (0: no limit of its own).
	RateLimit int
	ExpiresAt *time.Time
	// Role is the role a token acts with in its workspace: its creator's role there when the
	// request authenticated (Scopes are already cut down to it), or RoleOwner for a token made
	// without a creator (the bootstrap token). Users get theirs from Roles.
	Role Role
	// FunctionID is set when a server function acts (a token-like principal with the
	// function's rights, on its database only); the actor it writes is function:<id>.
	FunctionID int64
	// CreatorID is the user a token acts for (0: none). A token it makes acts for that user too.
	CreatorID int64
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

// RoleIn returns the role the principal acts with in a workspace ("" when it has none).
func (p *Principal) RoleIn(workspaceID int64) Role {
	if p == nil {
		return ""
	}
	switch p.Kind {
	case PrincipalUser:
		return p.Roles[workspaceID]
	case PrincipalToken:
		if workspaceID == p.WorkspaceID {
			return p.Role
		}
	}
	return ""
}

// Require checks that the principal is authenticated and holds scope in the workspace.
// A workspace the principal does not belong to answers NOT_FOUND, so ids do not leak.
//
// The admin scope on a workspace is the administration of the workspace as a whole, so
// Require(ws, ScopeAdmin) is RequireWorkspace(ws, ScopeAdmin): a principal restricted to some
// databases holds admin only over those databases (RequireDatabase).
func (p *Principal) Require(workspaceID int64, scope Scope) error {
	if scope == ScopeAdmin {
		return p.RequireWorkspace(workspaceID, scope)
	}
	return p.require(workspaceID, scope)
}

// RequireWorkspace is Require for what concerns the workspace as a whole rather than some of
// its databases: members, invitations, environment variables, settings, other tokens,
// deletion. A principal restricted to some databases may do none of it, or the restriction
// would be a formality (it could list and rotate unrestricted tokens, for one).
func (p *Principal) RequireWorkspace(workspaceID int64, scope Scope) error {
	if err := p.require(workspaceID, scope); err != nil {
		return err
	}
	if p.Databases != nil {
		return Forbidden("a token restricted to some databases cannot act on the workspace as a whole")
	}
	return nil
}

// RequireScope is Require without the workspace-level rule of the admin scope, for operations
// whose reach is bounded otherwise: creating a token, which Covers keeps within the caller's
// own database restriction.
func (p *Principal) RequireScope(workspaceID int64, scope Scope) error {
	return p.require(workspaceID, scope)
}

// RequireOwner checks that the principal administers the workspace with the owner role: only
// owners make or unmake owners, transfer ownership or delete a workspace. A token qualifies
// only while its creator is an owner.
func (p *Principal) RequireOwner(workspaceID int64, action string) error {
	if err := p.RequireWorkspace(workspaceID, ScopeAdmin); err != nil {
		return err
	}
	if p.RoleIn(workspaceID) != RoleOwner {
		return Forbidden("only an owner can %s", action)
	}
	return nil
}

func (p *Principal) require(workspaceID int64, scope Scope) error {
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
	if err := p.require(workspaceID, scope); err != nil {
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

// Rights is what a credential grants in one workspace.
type Rights struct {
	Scopes []Scope
	// Databases, when not nil, restricts the credential to these databases.
	Databases map[int64]DatabaseAccess
	// Permissions, AllowedIPs and RateLimit are a fine-grained token's restrictions (nil, 0: none).
	Permissions TokenPermissions
	AllowedIPs  []netip.Prefix
	RateLimit   int
	// ExpiresAt is when the credential stops working (nil: never).
	ExpiresAt *time.Time
	// Role is the role the credential acts with when it manages members: it decides whether it
	// may make owners, for one.
	Role Role
}

// roleRank orders roles by what they may do; "" (no role) ranks below every role.
func roleRank(r Role) int {
	switch r {
	case RoleOwner:
		return 4
	case RoleAdmin:
		return 3
	case RoleEditor:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Covers is the one definition of "rights are a subset": it returns nil when everything asked
// grants, held grants too, and otherwise a FORBIDDEN error naming the first excess. asked is
// covered when its scopes are among held's, its role ranks no higher, its database
// restriction is at least as narrow (held unrestricted, or asked restricted to databases held,
// write only where held has write) and it expires no later (held never expires, or asked
// expires at or before held).
func (held Rights) Covers(asked Rights) error {
	for _, s := range asked.Scopes {
		if !slices.Contains(held.Scopes, s) {
			return Forbidden("the %q scope is beyond the caller's own rights", s).WithField("scopes")
		}
	}
	if roleRank(asked.Role) > roleRank(held.Role) {
		return Forbidden("acting as %s is beyond the caller's own role (%s)", asked.Role, roleOrNone(held.Role))
	}
	if held.Databases != nil {
		if asked.Databases == nil {
			return Forbidden("access to every database is beyond the caller's own, which is restricted to some databases").WithField("databases")
		}
		for id, access := range asked.Databases {
			have, ok := held.Databases[id]
			if !ok || (access == AccessWrite && have != AccessWrite) {
				return Forbidden("%s access to database %d is beyond the caller's own", access, id).WithField("databases")
			}
		}
	}
	if !CoversPermissions(held.Permissions, asked.Permissions) {
		return Forbidden("these row permissions are beyond the caller's own").WithField("permissions")
	}
	if !coversNetworks(held.AllowedIPs, asked.AllowedIPs) {
		return Forbidden("use from these networks is beyond the caller's own IP allowlist").WithField("allowedIps")
	}
	if held.RateLimit > 0 && (asked.RateLimit == 0 || asked.RateLimit > held.RateLimit) {
		return Forbidden("a rate limit above the caller's own (%d a minute) is beyond its rights", held.RateLimit).WithField("rateLimit")
	}
	if held.ExpiresAt != nil {
		if asked.ExpiresAt == nil {
			return Forbidden("never expiring is beyond the caller's own expiry (%s)", held.ExpiresAt.UTC().Format(time.RFC3339)).WithField("expiresAt")
		}
		if asked.ExpiresAt.After(*held.ExpiresAt) {
			return Forbidden("expiring at %s is beyond the caller's own expiry (%s)",
				asked.ExpiresAt.UTC().Format(time.RFC3339), held.ExpiresAt.UTC().Format(time.RFC3339)).WithField("expiresAt")
		}
	}
	return nil
}

func roleOrNone(r Role) string {
	if r == "" {
		return "none"
	}
	return string(r)
}

// RightsIn returns what the principal grants in a workspace. A user's rights do not expire:
// they come from the membership, which outlives any one session, and the tokens a user makes
// act for the user (their rights follow the user's role), not for the session that made them.
func (p *Principal) RightsIn(workspaceID int64) Rights {
	if p == nil {
		return Rights{}
	}
	switch p.Kind {
	case PrincipalUser:
		return Rights{Scopes: p.ScopesIn(workspaceID), Role: p.Roles[workspaceID]}
	case PrincipalToken, PrincipalReadonly:
		if workspaceID == p.WorkspaceID {
			return Rights{Scopes: p.Scopes, Databases: p.Databases, ExpiresAt: p.ExpiresAt, Role: p.RoleIn(workspaceID),
				Permissions: p.Permissions, AllowedIPs: p.AllowedIPs, RateLimit: p.RateLimit}
		}
	}
	return Rights{}
}

// Covers checks that the principal holds every right asked for in the workspace (see
// Rights.Covers).
func (p *Principal) Covers(workspaceID int64, asked Rights) error {
	return p.RightsIn(workspaceID).Covers(asked)
}

// Rights returns what the token grants now: its stored scopes cut down to what its creator's
// current role allows, acting with that role. A token without a creator (the bootstrap token)
// acts as an owner with its stored scopes. A token whose creator left its workspace grants
// nothing.
func (t *Token) Rights() Rights {
	role := RoleOwner
	if t.CreatedBy != nil {
		role = t.CreatorRole
	}
	allowed := role.Scopes()
	var scopes []Scope
	for _, s := range t.Scopes {
		if slices.Contains(allowed, s) {
			scopes = append(scopes, s)
		}
	}
	return Rights{Scopes: scopes, Databases: t.Databases, ExpiresAt: t.ExpiresAt, Role: role,
		Permissions: t.Permissions, AllowedIPs: t.AllowedIPs, RateLimit: t.RateLimit}
}
