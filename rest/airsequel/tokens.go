package airsequel

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// bindTokens adds the routes of API tokens.
func (a *api) bindTokens(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "POST", Path: "/api/tokens", Summary: "Create token", Op: restkit.Handle(a.createToken),
			Description: "Creates a gqlbase token of the team restricted to the databases in permissions (read scope, and write when any permission writes). " +
				"The answer's body is the secret, shown only here."},
		restkit.Route{Method: "GET", Path: "/api/tokens/{tokenId}", Summary: "Get token", Op: restkit.Handle(a.getToken),
			Description: "Returns one token: name, description, expiry and permissions; body holds only the secret's first characters."},
		restkit.Route{Method: "PATCH", Path: "/api/tokens/{tokenId}", Summary: "Update token", Op: restkit.Handle(a.patchToken),
			Description: "Changes a token's name, description, expiry or permissions (which replace the old ones) and returns it."},
		restkit.Route{Method: "DELETE", Path: "/api/tokens/{tokenId}", Summary: "Revoke token", Op: restkit.Handle(a.deleteToken),
			Description: "Revokes the token: requests made with it are refused from now on. Answers {}."},
		restkit.Route{Method: "GET", Path: "/api/teams/{teamName}/tokens", Summary: "List team tokens", Op: restkit.Handle(a.listTokens),
			Description: "Lists the tokens of the team (a workspace) that are not revoked, without their secrets."},
	)
}

// tokenPath is the {tokenId} of a route.
type tokenPath struct {
	Token int64 `json:"-" path:"tokenId" doc:"the token's id"`
}

// id is the token id, NOT_FOUND unless it is positive (as a path value that is no integer).
func (p tokenPath) id() (int64, error) {
	if p.Token <= 0 {
		return 0, gqlbase.NotFound("tokenId %q not found", fmt.Sprint(p.Token))
	}
	return p.Token, nil
}

type teamPath struct {
	Team string `json:"-" path:"teamName" doc:"a team (workspace) name or id"`
}

type permission struct {
	DBID string `json:"db_id" required:"true" doc:"a database id (or a database name of the team)"`
	Name string `json:"name" required:"true" doc:"read or write"`
}

type permissionOut struct {
	DBID   string `json:"db_id"`
	DBName string `json:"db_name"`
	Name   string `json:"name"`
}

type createTokenIn struct {
	Name          string       `json:"name" required:"true" doc:"the token's name"`
	Description   *string      `json:"description,omitempty"`
	ExpirationUtc textUpdate   `json:"expiration_utc,omitempty" doc:"an RFC 3339 time, or null for a token that does not expire"`
	Permissions   []permission `json:"permissions" required:"true"`
	TeamName      *string      `json:"team_name,omitempty" doc:"a team (workspace) name or id (default: the caller's)"`
}

type patchTokenIn struct {
	tokenPath
	Name          *string      `json:"name,omitempty"`
	Description   textUpdate   `json:"description,omitempty"`
	ExpirationUtc textUpdate   `json:"expiration_utc,omitempty"`
	TeamName      *string      `json:"team_name,omitempty" doc:"must be the token's team"`
	Permissions   []permission `json:"permissions,omitempty" doc:"replaces the token's permissions"`
}

type tokenOut struct {
	Body          string          `json:"body" doc:"the secret when the token is created, else its first characters"`
	CreatedUtc    string          `json:"created_utc"`
	Description   *string         `json:"description"`
	ExpirationUtc *string         `json:"expiration_utc"`
	ID            int64           `json:"id"`
	Name          string          `json:"name"`
	Permissions   []permissionOut `json:"permissions"`
}

type tokenListOut struct {
	Tokens []tokenOut `json:"tokens"`
}

// grants turns permissions into database grants and the scopes they need.
func (a *api) grants(ctx context.Context, ws int64, perms []permission) ([]*gqlbase.DatabaseGrantInput, []gqlbase.Scope, error) {
	if len(perms) == 0 {
		return nil, nil, gqlbase.BadInput("a token needs at least one permission {db_id, name: read|write}").WithField("permissions")
	}
	access := map[int64]gqlbase.DatabaseAccess{}
	scopes := []gqlbase.Scope{gqlbase.ScopeRead}
	for i, p := range perms {
		var acc gqlbase.DatabaseAccess
		switch p.Name {
		case "read":
			acc = gqlbase.AccessRead
		case "write":
			acc = gqlbase.AccessWrite
			if len(scopes) == 1 {
				scopes = append(scopes, gqlbase.ScopeWrite)
			}
		default:
			return nil, nil, gqlbase.BadInput("permissions[%d].name must be read or write", i).WithField("permissions")
		}
		id, err := strconv.ParseInt(p.DBID, 10, 64)
		if err != nil {
			db, err := a.res.DatabaseByNameFor(ctx, ws, p.DBID, gqlbase.ScopeRead)
			if err != nil {
				return nil, nil, err
			}
			id = db.ID
		}
		if access[id] != gqlbase.AccessWrite {
			access[id] = acc
		}
	}
	ids := make([]int64, 0, len(access))
	for id := range access {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]*gqlbase.DatabaseGrantInput, len(ids))
	for i, id := range ids {
		out[i] = &gqlbase.DatabaseGrantInput{DatabaseID: id, Access: access[id]}
	}
	return out, scopes, nil
}

func expiry(t textUpdate) (*time.Time, error) {
	if t.Value == nil {
		return nil, nil
	}
	at, err := time.Parse(time.RFC3339, *t.Value)
	if err != nil {
		return nil, gqlbase.BadInput("expiration_utc must be an RFC 3339 time such as 2030-01-02T03:04:05Z").WithField("expiration_utc")
	}
	return &at, nil
}

func (a *api) encodeToken(ctx context.Context, t *gqlbase.Token, secret string) (tokenOut, error) {
	out := tokenOut{Body: secret, CreatedUtc: t.CreatedAt.UTC().Format(time.RFC3339), ID: t.ID, Name: t.Name, Permissions: []permissionOut{}}
	if secret == "" {
		out.Body = t.Prefix + "…"
	}
	if t.ExpiresAt != nil {
		s := t.ExpiresAt.UTC().Format(time.RFC3339)
		out.ExpirationUtc = &s
	}
	if t.Description != "" {
		out.Description = &t.Description
	}
	ids := make([]int64, 0, len(t.Databases))
	for id := range t.Databases {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		name := ""
		if db, err := a.res.GetDatabase(ctx, id); err == nil {
			name = db.Name
		}
		out.Permissions = append(out.Permissions, permissionOut{DBID: fmt.Sprint(id), DBName: name, Name: string(t.Databases[id])})
	}
	return out, nil
}

func (a *api) createToken(ctx context.Context, r *restkit.Request, in createTokenIn) (tokenOut, error) {
	team := ""
	if in.TeamName != nil {
		team = *in.TeamName
	}
	ws, err := a.res.WorkspaceRef(ctx, team)
	if err != nil {
		return tokenOut{}, err
	}
	grants, scopes, err := a.grants(ctx, ws, in.Permissions)
	if err != nil {
		return tokenOut{}, err
	}
	input := gqlbase.CreateTokenInput{WorkspaceID: &ws, Name: in.Name, Description: in.Description, Scopes: scopes, Databases: grants}
	if input.ExpiresAt, err = expiry(in.ExpirationUtc); err != nil {
		return tokenOut{}, err
	}
	if input.ExpiresAt == nil {
		never := true
		input.NeverExpires = &never
	}
	created, err := a.res.CreateToken(ctx, input)
	if err != nil {
		return tokenOut{}, err
	}
	return a.encodeToken(ctx, created.Token, created.Secret)
}

func (a *api) getToken(ctx context.Context, r *restkit.Request, in tokenPath) (tokenOut, error) {
	id, err := in.id()
	if err != nil {
		return tokenOut{}, err
	}
	t, err := a.res.GetToken(r.Context(), id)
	if err != nil {
		return tokenOut{}, err
	}
	return a.encodeToken(ctx, t, "")
}

func (a *api) patchToken(ctx context.Context, r *restkit.Request, in patchTokenIn) (tokenOut, error) {
	id, err := in.id()
	if err != nil {
		return tokenOut{}, err
	}
	cur, err := a.res.GetToken(ctx, id)
	if err != nil {
		return tokenOut{}, err
	}
	if in.TeamName != nil {
		ws, err := a.res.WorkspaceRef(ctx, *in.TeamName)
		if err != nil {
			return tokenOut{}, err
		}
		if ws != cur.WorkspaceID {
			return tokenOut{}, gqlbase.BadInput("a token cannot move to another team").WithField("team_name")
		}
	}
	upd := gqlbase.UpdateTokenInput{Name: in.Name}
	if in.Description.Set {
		d := ""
		if in.Description.Value != nil {
			d = *in.Description.Value
		}
		upd.Description = &d
	}
	if in.Permissions != nil {
		if upd.Databases, upd.Scopes, err = a.grants(ctx, cur.WorkspaceID, in.Permissions); err != nil {
			return tokenOut{}, err
		}
	}
	if in.ExpirationUtc.Set {
		if upd.ExpiresAt, err = expiry(in.ExpirationUtc); err != nil {
			return tokenOut{}, err
		}
		if upd.ExpiresAt == nil {
			never := true
			upd.NeverExpires = &never
		}
	}
	t, err := a.res.UpdateToken(ctx, id, upd)
	if err != nil {
		return tokenOut{}, err
	}
	return a.encodeToken(ctx, t, "")
}

func (a *api) deleteToken(ctx context.Context, r *restkit.Request, in tokenPath) (done, error) {
	id, err := in.id()
	if err != nil {
		return done{}, err
	}
	if _, err := a.res.RevokeToken(r.Context(), id); err != nil {
		return done{}, err
	}
	return done{}, nil
}

func (a *api) listTokens(ctx context.Context, r *restkit.Request, in teamPath) (tokenListOut, error) {
	ws, err := a.res.WorkspaceRef(ctx, in.Team)
	if err != nil {
		return tokenListOut{}, err
	}
	tokens, err := a.res.Tokens(ctx, &ws)
	if err != nil {
		return tokenListOut{}, err
	}
	out := tokenListOut{Tokens: []tokenOut{}}
	for _, t := range tokens {
		if t.RevokedAt != nil {
			continue
		}
		e, err := a.encodeToken(ctx, t, "")
		if err != nil {
			return tokenListOut{}, err
		}
		out.Tokens = append(out.Tokens, e)
	}
	return out, nil
}
