package resolvers

import (
	"context"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// invitationPrefix makes invitation secrets recognisable in mail, logs and secret scanners,
// like the prefixes of token and session secrets.
const invitationPrefix = "gqi_"

// InviteMember is the use case behind the inviteMember mutation; REST dialects call it too.
func (r *Resolver) InviteMember(ctx context.Context, workspaceID int64, email string, role gqlbase.Role) (*gqlbase.InvitationWithSecret, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Require(workspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	if err := requireOwnerToGrantOwner(p, workspaceID, role); err != nil {
		return nil, err
	}
	email, err := checkEmail(email)
	if err != nil {
		return nil, err
	}
	// The secret, not the address, is what joins: only its hash is kept, and it is shown
	// here once, for the inviter to deliver.
	secret := gqlbase.NewSecret(invitationPrefix)
	ctx = audited(ctx, workspaceID, "member.invite", "member", 0, map[string]any{"email": email, "role": role})
	m, err := r.Store.Invite(ctx, workspaceID, email, role, gqlbase.HashSecret(secret))
	if err != nil {
		return nil, err
	}
	return &gqlbase.InvitationWithSecret{Member: m, Secret: secret}, nil
}

// AcceptInvitation is the use case behind the acceptInvitation mutation; REST dialects call it too.
func (r *Resolver) AcceptInvitation(ctx context.Context, secret string) (*gqlbase.Member, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p, err := principalOrError(gqlbase.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	if p.Kind != gqlbase.PrincipalUser {
		return nil, gqlbase.Forbidden("invitations are accepted by a logged-in user; an API token belongs to one workspace")
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, gqlbase.BadInput("secret must not be empty").WithField("secret")
	}
	return r.Store.AcceptInvitation(ctx, gqlbase.HashSecret(secret), p.UserID)
}
