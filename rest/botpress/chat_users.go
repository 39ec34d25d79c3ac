package botpress

import (
	"context"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

func (a *api) bindChatUsers(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "POST", Path: "/users", Summary: "Create user", Op: restkit.Handle(a.createUser),
			Description: "Creates a user of the bot (x-bot-id); tags with an empty value are left out."},
		restkit.Route{Method: "GET", Path: "/users/{id}", Summary: "Get user", Op: restkit.Handle(a.getUser),
			Description: "Returns a user of the bot with its name, picture URL and tags."},
		restkit.Route{Method: "GET", Path: "/users", Summary: "List users", Op: restkit.Handle(a.listUsers),
			Description: "Lists the bot's users, newest first, 20 per page: tags.<key>=<value> filters by tag, conversationId keeps the participants of a conversation.",
			Params:      []restkit.Param{{Name: "tags.<key>", Description: "only users with this tag value (repeatable)"}}},
		restkit.Route{Method: "POST", Path: "/users/get-or-create", Summary: "Get or create user", Op: restkit.Handle(a.getOrCreateUser),
			Description: "Returns the newest user whose tags include the body's (or only those named by discriminateByTags), creating it when there is none; meta.created says which. Concurrent calls with the same tags create one user."},
		restkit.Route{Method: "PUT", Path: "/users/{id}", Summary: "Update user", Op: restkit.Handle(a.updateUser),
			Description: "Changes the fields given; a tag given an empty value is unset, other tags are kept."},
		restkit.Route{Method: "DELETE", Path: "/users/{id}", Summary: "Delete user", Op: restkit.Handle(a.deleteUser),
			Description: "Deletes a user and its participations. Answers {}."},
	)
}

type userOut struct {
	ID         string            `json:"id"`
	CreatedAt  string            `json:"createdAt"`
	UpdatedAt  string            `json:"updatedAt"`
	Tags       map[string]string `json:"tags"`
	Name       *string           `json:"name,omitempty"`
	PictureURL *string           `json:"pictureUrl,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

func userOf(row *gqlbase.Row) userOut {
	v := values(row)
	u := userOut{ID: idString(row.ID), CreatedAt: formatTime(row.CreatedAt), UpdatedAt: formatTime(row.UpdatedAt), Tags: tagsOf(v["tags"])}
	if s := str(v["name"]); s != "" {
		u.Name = &s
	}
	if s := str(v["pictureUrl"]); s != "" {
		u.PictureURL = &s
	}
	if attrs := tagsOf(v["attributes"]); len(attrs) > 0 {
		u.Attributes = attrs
	}
	return u
}

type userEnvelope struct {
	User userOut `json:"user"`
}

type userIn struct {
	Tags            map[string]string `json:"tags,omitempty" doc:"tags of the user; an empty value unsets a key"`
	Name            *string           `json:"name,omitempty"`
	PictureURL      *string           `json:"pictureUrl,omitempty"`
	Attributes      map[string]string `json:"attributes,omitempty"`
	IntegrationName *string           `json:"integrationName,omitempty" doc:"accepted and ignored"`
}

func (in userIn) values(old map[string]any) map[string]any {
	out := map[string]any{}
	if old == nil || in.Tags != nil {
		out["tags"] = anyTags(mergeTags(tagsOf(old["tags"]), in.Tags))
	}
	if in.Name != nil {
		out["name"] = *in.Name
	}
	if in.PictureURL != nil {
		out["pictureUrl"] = *in.PictureURL
	}
	if in.Attributes != nil {
		out["attributes"] = anyTags(mergeTags(tagsOf(old["attributes"]), in.Attributes))
	}
	return out
}

type idPath struct {
	ID string `json:"-" path:"id" doc:"the id"`
}

func (a *api) createUser(ctx context.Context, r *restkit.Request, in userIn) (userEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeWrite)
	if err != nil {
		return userEnvelope{}, err
	}
	rows, err := a.res.InsertRows(ctx, t, []map[string]any{in.values(nil)})
	if err != nil {
		return userEnvelope{}, err
	}
	return userEnvelope{userOf(rows[0])}, nil
}

func (a *api) getUser(ctx context.Context, r *restkit.Request, in idPath) (userEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeRead)
	if err != nil {
		return userEnvelope{}, err
	}
	row, err := a.getChatRow(ctx, t, "user", in.ID)
	if err != nil {
		return userEnvelope{}, err
	}
	return userEnvelope{userOf(row)}, nil
}

type listUsersIn struct {
	listQuery
	ConversationID *string `json:"-" query:"conversationId" doc:"only the participants of this conversation"`
}

type listUsersOut struct {
	Users []userOut `json:"users"`
	Meta  listMeta  `json:"meta"`
}

func (a *api) listUsers(ctx context.Context, r *restkit.Request, in listUsersIn) (listUsersOut, error) {
	t, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeRead)
	if err != nil {
		return listUsersOut{}, err
	}
	where := tagsFilter(queryTags(r.URL.Query()))
	if in.ConversationID != nil && *in.ConversationID != "" {
		ids, err := a.participantUserIDs(ctx, *in.ConversationID)
		if err != nil {
			return listUsersOut{}, err
		}
		where = and(where, opFilter(gqlbase.ColID, gqlbase.OpIn, ids))
	}
	rows, meta, err := a.list(ctx, t, where, in.listQuery)
	if err != nil {
		return listUsersOut{}, err
	}
	out := listUsersOut{Users: make([]userOut, len(rows)), Meta: meta}
	for i, row := range rows {
		out.Users[i] = userOf(row)
	}
	return out, nil
}

type getOrCreateUserIn struct {
	userIn
	DiscriminateByTags []string `json:"discriminateByTags,omitempty" doc:"the tags that identify the user (default: every tag given)"`
}

type getOrCreateUserOut struct {
	User userOut     `json:"user"`
	Meta createdMeta `json:"meta"`
}

type createdMeta struct {
	Created bool `json:"created"`
}

func (a *api) getOrCreateUser(ctx context.Context, r *restkit.Request, in getOrCreateUserIn) (getOrCreateUserOut, error) {
	t, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeWrite)
	if err != nil {
		return getOrCreateUserOut{}, err
	}
	row, created, err := a.getOrCreate(ctx, t, in.Tags, in.DiscriminateByTags, nil, in.values(nil))
	if err != nil {
		return getOrCreateUserOut{}, err
	}
	return getOrCreateUserOut{User: userOf(row), Meta: createdMeta{created}}, nil
}

// getOrCreate finds the newest row of t whose tags include the discriminating ones and that
// matches also, or creates one from values. Creations serialise on the discriminating tags
// (an upsert keyed by dedupe), so concurrent calls create one row.
func (a *api) getOrCreate(ctx context.Context, t *gqlbase.Table, tags map[string]string, by []string, also *gqlbase.Filter, values map[string]any) (*gqlbase.Row, bool, error) {
	disc := discriminating(tags, by)
	find := func() (*gqlbase.Row, error) {
		one := 1
		conn, err := a.res.ListRows(ctx, t, gqlbase.ListParams{Where: and(tagsFilter(disc), also), First: &one,
			OrderBy: []*gqlbase.Sort{{Column: gqlbase.ColID, Direction: gqlbase.SortDesc}}})
		if err != nil || len(conn.Nodes) == 0 {
			return nil, err
		}
		return conn.Nodes[0], nil
	}
	if row, err := find(); row != nil || err != nil {
		return row, false, err
	}
	values["dedupe"] = dedupeKey(disc, nil)
	res, err := a.res.UpsertRows(ctx, t.ID, []any{values}, "dedupe")
	if err != nil {
		return nil, false, err
	}
	if len(res.Inserted) == 1 {
		return res.Inserted[0], true, nil
	}
	row, err := find()
	if row == nil && err == nil {
		return nil, false, gqlbase.Conflict("the item was changed while it was being created; try again")
	}
	return row, false, err
}

type updateUserIn struct {
	idPath
	userIn
}

func (a *api) updateUser(ctx context.Context, r *restkit.Request, in updateUserIn) (userEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeWrite)
	if err != nil {
		return userEnvelope{}, err
	}
	row, err := a.updateChatRow(ctx, t, "user", in.ID, in.userIn.values)
	if err != nil {
		return userEnvelope{}, err
	}
	return userEnvelope{userOf(row)}, nil
}

// updateChatRow reads a row, computes its change from its values and writes it.
func (a *api) updateChatRow(ctx context.Context, t *gqlbase.Table, kind, id string, change func(old map[string]any) map[string]any) (*gqlbase.Row, error) {
	row, err := a.getChatRow(ctx, t, kind, id)
	if err != nil {
		return nil, err
	}
	patch := change(values(row))
	if len(patch) == 0 {
		return row, nil
	}
	out, err := a.res.UpdateRowsByID(ctx, t, []gqlbase.RowPatch{{ID: row.ID, Values: patch}})
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, gqlbase.NotFound("%s %q not found", kind, id)
	}
	return out[0], nil
}

type emptyOut struct{}

func (a *api) deleteUser(ctx context.Context, r *restkit.Request, in idPath) (emptyOut, error) {
	t, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeWrite)
	if err != nil {
		return emptyOut{}, err
	}
	row, err := a.getChatRow(ctx, t, "user", in.ID)
	if err != nil {
		return emptyOut{}, err
	}
	parts, err := a.chatTableOf(ctx, chatParticipants, gqlbase.ScopeWrite)
	if err != nil {
		return emptyOut{}, err
	}
	if _, err := a.res.DeleteRows(ctx, parts.ID, nil, eq("user", row.ID)); err != nil {
		return emptyOut{}, err
	}
	if _, err := a.res.DeleteRows(ctx, t.ID, []int64{row.ID}, nil); err != nil {
		return emptyOut{}, err
	}
	return emptyOut{}, nil
}
