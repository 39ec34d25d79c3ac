package botpress

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

func (a *api) bindChatConversations(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "POST", Path: "/conversations", Summary: "Create conversation", Op: restkit.Handle(a.createConversation),
			Description: "Creates a conversation of the bot on a channel, with tags."},
		restkit.Route{Method: "GET", Path: "/conversations/{id}", Summary: "Get conversation", Op: restkit.Handle(a.getConversation),
			Description: "Returns a conversation of the bot."},
		restkit.Route{Method: "GET", Path: "/conversations", Summary: "List conversations", Op: restkit.Handle(a.listConversations),
			Description: "Lists the bot's conversations, newest first, 20 per page: tags.<key>=<value> filters by tag, participantIds (repeatable) keeps those every listed user takes part in, channel and integrationName by their values.",
			Params:      []restkit.Param{{Name: "tags.<key>", Description: "only conversations with this tag value (repeatable)"}}},
		restkit.Route{Method: "POST", Path: "/conversations/get-or-create", Summary: "Get or create conversation", Op: restkit.Handle(a.getOrCreateConversation),
			Description: "Returns the newest conversation on the channel whose tags include the body's (or only those named by discriminateByTags), creating it when there is none; meta.created says which."},
		restkit.Route{Method: "PUT", Path: "/conversations/{id}", Summary: "Update conversation", Op: restkit.Handle(a.updateConversation),
			Description: "Changes currentTaskId and tags (an empty tag value unsets the key)."},
		restkit.Route{Method: "DELETE", Path: "/conversations/{id}", Summary: "Delete conversation", Op: restkit.Handle(a.deleteConversation),
			Description: "Deletes a conversation with its messages and participants. Answers {}."},
		restkit.Route{Method: "GET", Path: "/conversations/{id}/participants", Summary: "List participants", Op: restkit.Handle(a.listParticipants),
			Description: "Lists the users taking part in a conversation, newest first, 20 per page."},
		restkit.Route{Method: "POST", Path: "/conversations/{id}/participants", Summary: "Add participant", Op: restkit.Handle(a.addParticipant),
			Description: "Adds a user to a conversation (adding one twice changes nothing) and returns the user."},
		restkit.Route{Method: "GET", Path: "/conversations/{id}/participants/{userId}", Summary: "Get participant", Op: restkit.Handle(a.getParticipant),
			Description: "Returns a user taking part in a conversation; one who does not is ResourceNotFound."},
		restkit.Route{Method: "DELETE", Path: "/conversations/{id}/participants/{userId}", Summary: "Remove participant", Op: restkit.Handle(a.removeParticipant),
			Description: "Removes a user from a conversation. Answers {}."},
	)
}

type conversationOut struct {
	ID            string            `json:"id"`
	CurrentTaskID *string           `json:"currentTaskId,omitempty"`
	CreatedAt     string            `json:"createdAt"`
	UpdatedAt     string            `json:"updatedAt"`
	Channel       string            `json:"channel"`
	Integration   string            `json:"integration"`
	Tags          map[string]string `json:"tags"`
}

func conversationOf(row *gqlbase.Row) conversationOut {
	v := values(row)
	c := conversationOut{ID: idString(row.ID), CreatedAt: formatTime(row.CreatedAt), UpdatedAt: formatTime(row.UpdatedAt),
		Channel: str(v["channel"]), Integration: str(v["integration"]), Tags: tagsOf(v["tags"])}
	if s := str(v["currentTaskId"]); s != "" {
		c.CurrentTaskID = &s
	}
	return c
}

type conversationEnvelope struct {
	Conversation conversationOut `json:"conversation"`
}

type conversationIn struct {
	Channel         string            `json:"channel" required:"true" doc:"the channel the conversation happens on"`
	Tags            map[string]string `json:"tags,omitempty"`
	IntegrationName *string           `json:"integrationName,omitempty" doc:"the integration that created it (default: x-integration-id)"`
}

func (in conversationIn) values(r *restkit.Request) map[string]any {
	integration := r.Header.Get("x-integration-id")
	if in.IntegrationName != nil {
		integration = *in.IntegrationName
	}
	return map[string]any{"channel": in.Channel, "integration": integration, "tags": anyTags(mergeTags(nil, in.Tags))}
}

func (a *api) createConversation(ctx context.Context, r *restkit.Request, in conversationIn) (conversationEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatConversations, gqlbase.ScopeWrite)
	if err != nil {
		return conversationEnvelope{}, err
	}
	rows, err := a.res.InsertRows(ctx, t, []map[string]any{in.values(r)})
	if err != nil {
		return conversationEnvelope{}, err
	}
	return conversationEnvelope{conversationOf(rows[0])}, nil
}

func (a *api) getConversation(ctx context.Context, r *restkit.Request, in idPath) (conversationEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatConversations, gqlbase.ScopeRead)
	if err != nil {
		return conversationEnvelope{}, err
	}
	row, err := a.getChatRow(ctx, t, "conversation", in.ID)
	if err != nil {
		return conversationEnvelope{}, err
	}
	return conversationEnvelope{conversationOf(row)}, nil
}

type listConversationsIn struct {
	listQuery
	Channel         *string `json:"-" query:"channel" doc:"only conversations on this channel"`
	IntegrationName *string `json:"-" query:"integrationName" doc:"only conversations this integration created"`
}

type listConversationsOut struct {
	Conversations []conversationOut `json:"conversations"`
	Meta          listMeta          `json:"meta"`
}

// maxLinked bounds the participations a list reads to filter by participants.
const maxLinked = 1000

func (a *api) listConversations(ctx context.Context, r *restkit.Request, in listConversationsIn) (listConversationsOut, error) {
	t, err := a.chatTableOf(ctx, chatConversations, gqlbase.ScopeRead)
	if err != nil {
		return listConversationsOut{}, err
	}
	where := and(tagsFilter(queryTags(r.URL.Query())))
	if in.Channel != nil && *in.Channel != "" {
		where = and(where, eq("channel", *in.Channel))
	}
	if in.IntegrationName != nil && *in.IntegrationName != "" {
		where = and(where, eq("integration", *in.IntegrationName))
	}
	if users := r.URL.Query()["participantIds"]; len(users) > 0 {
		ids, err := a.conversationsOfAll(ctx, users)
		if err != nil {
			return listConversationsOut{}, err
		}
		where = and(where, opFilter(gqlbase.ColID, gqlbase.OpIn, ids))
	}
	rows, meta, err := a.list(ctx, t, where, in.listQuery)
	if err != nil {
		return listConversationsOut{}, err
	}
	out := listConversationsOut{Conversations: make([]conversationOut, len(rows)), Meta: meta}
	for i, row := range rows {
		out.Conversations[i] = conversationOf(row)
	}
	return out, nil
}

// conversationsOfAll returns the conversations every one of users takes part in.
func (a *api) conversationsOfAll(ctx context.Context, users []string) ([]any, error) {
	parts, err := a.chatTableOf(ctx, chatParticipants, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	ids := make([]any, 0, len(users))
	for _, u := range users {
		id, err := chatID("user", u)
		if err != nil {
			return []any{}, nil // an unknown user takes part in nothing
		}
		ids = append(ids, id)
	}
	rows, err := a.allRows(ctx, parts, opFilter("user", gqlbase.OpIn, ids), maxLinked)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, row := range rows {
		count[fmt.Sprint(values(row)["conversation"])]++
	}
	out := []any{}
	for conv, n := range count {
		if n == len(ids) {
			if id, err := chatID("conversation", conv); err == nil {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

type getOrCreateConversationIn struct {
	conversationIn
	DiscriminateByTags []string `json:"discriminateByTags,omitempty" doc:"the tags that identify the conversation (default: every tag given)"`
}

type getOrCreateConversationOut struct {
	Conversation conversationOut `json:"conversation"`
	Meta         createdMeta     `json:"meta"`
}

func (a *api) getOrCreateConversation(ctx context.Context, r *restkit.Request, in getOrCreateConversationIn) (getOrCreateConversationOut, error) {
	t, err := a.chatTableOf(ctx, chatConversations, gqlbase.ScopeWrite)
	if err != nil {
		return getOrCreateConversationOut{}, err
	}
	row, created, err := a.getOrCreate(ctx, t, in.Tags, in.DiscriminateByTags, eq("channel", in.Channel), in.values(r))
	if err != nil {
		return getOrCreateConversationOut{}, err
	}
	return getOrCreateConversationOut{Conversation: conversationOf(row), Meta: createdMeta{created}}, nil
}

type updateConversationIn struct {
	idPath
	CurrentTaskID *string           `json:"currentTaskId,omitempty"`
	Tags          map[string]string `json:"tags,omitempty" doc:"tag changes; an empty value unsets a key"`
}

func (a *api) updateConversation(ctx context.Context, r *restkit.Request, in updateConversationIn) (conversationEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatConversations, gqlbase.ScopeWrite)
	if err != nil {
		return conversationEnvelope{}, err
	}
	row, err := a.updateChatRow(ctx, t, "conversation", in.ID, func(old map[string]any) map[string]any {
		out := map[string]any{}
		if in.Tags != nil {
			out["tags"] = anyTags(mergeTags(tagsOf(old["tags"]), in.Tags))
		}
		if in.CurrentTaskID != nil {
			out["currentTaskId"] = *in.CurrentTaskID
		}
		return out
	})
	if err != nil {
		return conversationEnvelope{}, err
	}
	return conversationEnvelope{conversationOf(row)}, nil
}

func (a *api) deleteConversation(ctx context.Context, r *restkit.Request, in idPath) (emptyOut, error) {
	t, err := a.chatTableOf(ctx, chatConversations, gqlbase.ScopeWrite)
	if err != nil {
		return emptyOut{}, err
	}
	row, err := a.getChatRow(ctx, t, "conversation", in.ID)
	if err != nil {
		return emptyOut{}, err
	}
	// Its messages and participations go with it.
	for _, ct := range []chatTable{chatMessages, chatParticipants} {
		dep, err := a.chatTableOf(ctx, ct, gqlbase.ScopeWrite)
		if err != nil {
			return emptyOut{}, err
		}
		if _, err := a.res.DeleteRows(ctx, dep.ID, nil, eq("conversation", row.ID)); err != nil {
			return emptyOut{}, err
		}
	}
	if _, err := a.res.DeleteRows(ctx, t.ID, []int64{row.ID}, nil); err != nil {
		return emptyOut{}, err
	}
	return emptyOut{}, nil
}

// participantUserIDs lists the users taking part in a conversation.
func (a *api) participantUserIDs(ctx context.Context, conversation string) ([]any, error) {
	conv, err := chatID("conversation", conversation)
	if err != nil {
		return []any{}, nil
	}
	parts, err := a.chatTableOf(ctx, chatParticipants, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	rows, err := a.allRows(ctx, parts, eq("conversation", conv), maxLinked)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(rows))
	for _, row := range rows {
		if id := refString(values(row)["user"]); id != nil {
			if n, err := chatID("user", *id); err == nil {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

type listParticipantsIn struct {
	idPath
	listQuery
}

type listParticipantsOut struct {
	Participants []userOut `json:"participants"`
	Meta         listMeta  `json:"meta"`
}

func (a *api) listParticipants(ctx context.Context, r *restkit.Request, in listParticipantsIn) (listParticipantsOut, error) {
	if _, err := a.getConversation(ctx, r, in.idPath); err != nil {
		return listParticipantsOut{}, err
	}
	ids, err := a.participantUserIDs(ctx, in.ID)
	if err != nil {
		return listParticipantsOut{}, err
	}
	users, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeRead)
	if err != nil {
		return listParticipantsOut{}, err
	}
	rows, meta, err := a.list(ctx, users, opFilter(gqlbase.ColID, gqlbase.OpIn, ids), in.listQuery)
	if err != nil {
		return listParticipantsOut{}, err
	}
	out := listParticipantsOut{Participants: make([]userOut, len(rows)), Meta: meta}
	for i, row := range rows {
		out.Participants[i] = userOf(row)
	}
	return out, nil
}

type addParticipantIn struct {
	idPath
	UserID string `json:"userId" required:"true" doc:"the user to add"`
}

type participantEnvelope struct {
	Participant userOut `json:"participant"`
}

func (a *api) addParticipant(ctx context.Context, r *restkit.Request, in addParticipantIn) (participantEnvelope, error) {
	conv, user, err := a.conversationAndUser(ctx, r, in.ID, in.UserID)
	if err != nil {
		return participantEnvelope{}, err
	}
	parts, err := a.chatTableOf(ctx, chatParticipants, gqlbase.ScopeWrite)
	if err != nil {
		return participantEnvelope{}, err
	}
	// pair is unique, so adding a participant twice changes nothing.
	row := map[string]any{"conversation": conv, "user": user.ID, "pair": fmt.Sprintf("%d:%d", conv, user.ID)}
	if _, err := a.res.UpsertRows(ctx, parts.ID, []any{row}, "pair"); err != nil {
		return participantEnvelope{}, err
	}
	return participantEnvelope{userOf(user)}, nil
}

func (a *api) conversationAndUser(ctx context.Context, r *restkit.Request, conversation, user string) (int64, *gqlbase.Row, error) {
	c, err := a.getConversation(ctx, r, idPath{conversation})
	if err != nil {
		return 0, nil, err
	}
	users, err := a.chatTableOf(ctx, chatUsers, gqlbase.ScopeRead)
	if err != nil {
		return 0, nil, err
	}
	u, err := a.getChatRow(ctx, users, "user", user)
	if err != nil {
		return 0, nil, err
	}
	id, _ := chatID("conversation", c.Conversation.ID)
	return id, u, nil
}

type participantPath struct {
	idPath
	UserID string `json:"-" path:"userId" doc:"the user"`
}

func (a *api) getParticipant(ctx context.Context, r *restkit.Request, in participantPath) (participantEnvelope, error) {
	conv, user, err := a.conversationAndUser(ctx, r, in.ID, in.UserID)
	if err != nil {
		return participantEnvelope{}, err
	}
	parts, err := a.chatTableOf(ctx, chatParticipants, gqlbase.ScopeRead)
	if err != nil {
		return participantEnvelope{}, err
	}
	rows, err := a.allRows(ctx, parts, eq("pair", fmt.Sprintf("%d:%d", conv, user.ID)), 1)
	if err != nil {
		return participantEnvelope{}, err
	}
	if len(rows) == 0 {
		return participantEnvelope{}, gqlbase.NotFound("user %q does not take part in conversation %q", in.UserID, in.ID)
	}
	return participantEnvelope{userOf(user)}, nil
}

func (a *api) removeParticipant(ctx context.Context, r *restkit.Request, in participantPath) (emptyOut, error) {
	conv, user, err := a.conversationAndUser(ctx, r, in.ID, in.UserID)
	if err != nil {
		return emptyOut{}, err
	}
	parts, err := a.chatTableOf(ctx, chatParticipants, gqlbase.ScopeWrite)
	if err != nil {
		return emptyOut{}, err
	}
	if _, err := a.res.DeleteRows(ctx, parts.ID, nil, eq("pair", fmt.Sprintf("%d:%d", conv, user.ID))); err != nil {
		return emptyOut{}, err
	}
	return emptyOut{}, nil
}
