package airsequel

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

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
	Name          string       `json:"name" required:"true"`
	Description   *string      `json:"description,omitempty"`
	ExpirationUtc textUpdate   `json:"expiration_utc,omitempty" doc:"an RFC 3339 time, or null for a token that does not expire"`
	Permissions   []permission `json:"permissions" required:"true"`
	TeamName      *string      `json:"team_name,omitempty"`
}

type patchTokenIn struct {
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
func (a *api) grants(r *http.Request, ws int64, perms []permission) ([]*gqlbase.DatabaseGrantInput, []gqlbase.Scope, error) {
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
			db, err := a.res.DatabaseByNameFor(r.Context(), ws, p.DBID, gqlbase.ScopeRead)
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

func (a *api) encodeToken(r *http.Request, t *gqlbase.Token, secret string) (tokenOut, error) {
	ctx := r.Context()
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

func (a *api) createToken(w http.ResponseWriter, r *http.Request) error {
	var in createTokenIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	ctx := r.Context()
	team := ""
	if in.TeamName != nil {
		team = *in.TeamName
	}
	ws, err := a.res.WorkspaceRef(ctx, team)
	if err != nil {
		return err
	}
	grants, scopes, err := a.grants(r, ws, in.Permissions)
	if err != nil {
		return err
	}
	input := gqlbase.CreateTokenInput{WorkspaceID: &ws, Name: in.Name, Description: in.Description, Scopes: scopes, Databases: grants}
	if input.ExpiresAt, err = expiry(in.ExpirationUtc); err != nil {
		return err
	}
	if input.ExpiresAt == nil {
		never := true
		input.NeverExpires = &never
	}
	created, err := a.res.CreateToken(ctx, input)
	if err != nil {
		return err
	}
	out, err := a.encodeToken(r, created.Token, created.Secret)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func tokenID(r *http.Request) (int64, error) {
	return restkit.PathInt64(r, "tokenId")
}

func (a *api) getToken(w http.ResponseWriter, r *http.Request) error {
	id, err := tokenID(r)
	if err != nil {
		return err
	}
	t, err := a.res.GetToken(r.Context(), id)
	if err != nil {
		return err
	}
	out, err := a.encodeToken(r, t, "")
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) patchToken(w http.ResponseWriter, r *http.Request) error {
	var in patchTokenIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	id, err := tokenID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cur, err := a.res.GetToken(ctx, id)
	if err != nil {
		return err
	}
	if in.TeamName != nil {
		ws, err := a.res.WorkspaceRef(ctx, *in.TeamName)
		if err != nil {
			return err
		}
		if ws != cur.WorkspaceID {
			return gqlbase.BadInput("a token cannot move to another team").WithField("team_name")
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
		if upd.Databases, upd.Scopes, err = a.grants(r, cur.WorkspaceID, in.Permissions); err != nil {
			return err
		}
	}
	if in.ExpirationUtc.Set {
		if upd.ExpiresAt, err = expiry(in.ExpirationUtc); err != nil {
			return err
		}
		if upd.ExpiresAt == nil {
			never := true
			upd.NeverExpires = &never
		}
	}
	t, err := a.res.UpdateToken(ctx, id, upd)
	if err != nil {
		return err
	}
	out, err := a.encodeToken(r, t, "")
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) deleteToken(w http.ResponseWriter, r *http.Request) error {
	id, err := tokenID(r)
	if err != nil {
		return err
	}
	if _, err := a.res.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	return empty(w)
}

func (a *api) listTokens(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ws, err := a.res.WorkspaceRef(ctx, r.PathValue("teamName"))
	if err != nil {
		return err
	}
	tokens, err := a.res.Tokens(ctx, &ws)
	if err != nil {
		return err
	}
	out := tokenListOut{Tokens: []tokenOut{}}
	for _, t := range tokens {
		if t.RevokedAt != nil {
			continue
		}
		e, err := a.encodeToken(r, t, "")
		if err != nil {
			return err
		}
		out.Tokens = append(out.Tokens, e)
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
