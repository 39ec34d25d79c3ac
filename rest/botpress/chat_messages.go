package botpress

import (
	"context"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

func (a *api) bindChatMessages(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "POST", Path: "/messages", Summary: "Create message", Op: restkit.Handle(a.createMessage),
			Description: "Creates a message of a user in a conversation. Its direction is incoming when an integration sends it (x-integration-id), outgoing otherwise."},
		restkit.Route{Method: "POST", Path: "/messages/get-or-create", Summary: "Get or create message", Op: restkit.Handle(a.getOrCreateMessage),
			Description: "Returns the newest message of the conversation whose tags include the body's (or only those named by discriminateByTags), creating it when there is none; meta.created says which."},
		restkit.Route{Method: "GET", Path: "/messages/{id}", Summary: "Get message", Op: restkit.Handle(a.getMessage),
			Description: "Returns a message with its payload, direction, user, conversation and tags."},
		restkit.Route{Method: "PUT", Path: "/messages/{id}", Summary: "Update message", Op: restkit.Handle(a.updateMessage),
			Description: "Changes a message's tags (an empty value unsets the key) and, when given, its payload."},
		restkit.Route{Method: "GET", Path: "/messages", Summary: "List messages", Op: restkit.Handle(a.listMessages),
			Description: "Lists messages, newest first, 20 per page: conversationId keeps one conversation's, tags.<key>=<value> filters by tag, afterDate and beforeDate by creation date.",
			Params:      []restkit.Param{{Name: "tags.<key>", Description: "only messages with this tag value (repeatable)"}}},
		restkit.Route{Method: "DELETE", Path: "/messages/{id}", Summary: "Delete message", Op: restkit.Handle(a.deleteMessage),
			Description: "Deletes a message. Answers {}."},
	)
}

type messageOut struct {
	ID             string            `json:"id"`
	CreatedAt      string            `json:"createdAt"`
	UpdatedAt      string            `json:"updatedAt"`
	Type           string            `json:"type"`
	Payload        map[string]any    `json:"payload"`
	Direction      string            `json:"direction" doc:"incoming or outgoing"`
	UserID         string            `json:"userId"`
	ConversationID string            `json:"conversationId"`
	Tags           map[string]string `json:"tags"`
	Origin         *string           `json:"origin,omitempty"`
}

func messageOf(row *gqlbase.Row) messageOut {
	v := values(row)
	m := messageOut{ID: idString(row.ID), CreatedAt: formatTime(row.CreatedAt), UpdatedAt: formatTime(row.UpdatedAt),
		Type: str(v["type"]), Direction: str(v["direction"]), Tags: tagsOf(v["tags"]), Payload: map[string]any{}}
	if p, ok := v["payload"].(map[string]any); ok {
		m.Payload = p
	}
	if s := refString(v["user"]); s != nil {
		m.UserID = *s
	}
	if s := refString(v["conversation"]); s != nil {
		m.ConversationID = *s
	}
	if s := str(v["origin"]); s != "" {
		m.Origin = &s
	}
	return m
}

type messageEnvelope struct {
	Message messageOut `json:"message"`
}

type messageIn struct {
	Payload        map[string]any    `json:"payload" required:"true"`
	UserID         string            `json:"userId" required:"true"`
	ConversationID string            `json:"conversationId" required:"true"`
	Type           string            `json:"type" required:"true" doc:"text, image, choice, ..."`
	Tags           map[string]string `json:"tags,omitempty"`
	Origin         *string           `json:"origin,omitempty" enum:"synthetic"`
	Schedule       map[string]any    `json:"schedule,omitempty" doc:"accepted; messages are created at once"`
}

// values checks the message's conversation and user and returns its row.
func (a *api) messageValues(ctx context.Context, r *restkit.Request, in messageIn) (map[string]any, error) {
	conv, user, err := a.conversationAndUser(ctx, r, in.ConversationID, in.UserID)
	if err != nil {
		return nil, err
	}
	direction := "outgoing"
	if r.Header.Get("x-integration-id") != "" {
		direction = "incoming"
	}
	v := map[string]any{"conversation": conv, "user": user.ID, "type": in.Type, "payload": in.Payload,
		"direction": direction, "tags": anyTags(mergeTags(nil, in.Tags))}
	if in.Origin != nil {
		v["origin"] = *in.Origin
	}
	return v, nil
}

func (a *api) createMessage(ctx context.Context, r *restkit.Request, in messageIn) (messageEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatMessages, gqlbase.ScopeWrite)
	if err != nil {
		return messageEnvelope{}, err
	}
	v, err := a.messageValues(ctx, r, in)
	if err != nil {
		return messageEnvelope{}, err
	}
	rows, err := a.res.InsertRows(ctx, t, []map[string]any{v})
	if err != nil {
		return messageEnvelope{}, err
	}
	return messageEnvelope{messageOf(rows[0])}, nil
}

type getOrCreateMessageIn struct {
	messageIn
	DiscriminateByTags []string `json:"discriminateByTags,omitempty"`
}

type getOrCreateMessageOut struct {
	Message messageOut  `json:"message"`
	Meta    createdMeta `json:"meta"`
}

func (a *api) getOrCreateMessage(ctx context.Context, r *restkit.Request, in getOrCreateMessageIn) (getOrCreateMessageOut, error) {
	t, err := a.chatTableOf(ctx, chatMessages, gqlbase.ScopeWrite)
	if err != nil {
		return getOrCreateMessageOut{}, err
	}
	v, err := a.messageValues(ctx, r, in.messageIn)
	if err != nil {
		return getOrCreateMessageOut{}, err
	}
	row, created, err := a.getOrCreate(ctx, t, in.Tags, in.DiscriminateByTags, eq("conversation", v["conversation"]), v)
	if err != nil {
		return getOrCreateMessageOut{}, err
	}
	return getOrCreateMessageOut{Message: messageOf(row), Meta: createdMeta{created}}, nil
}

func (a *api) getMessage(ctx context.Context, r *restkit.Request, in idPath) (messageEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatMessages, gqlbase.ScopeRead)
	if err != nil {
		return messageEnvelope{}, err
	}
	row, err := a.getChatRow(ctx, t, "message", in.ID)
	if err != nil {
		return messageEnvelope{}, err
	}
	return messageEnvelope{messageOf(row)}, nil
}

type updateMessageIn struct {
	idPath
	Tags    map[string]string `json:"tags,omitempty" doc:"tag changes; an empty value unsets a key"`
	Payload map[string]any    `json:"payload,omitempty"`
}

func (a *api) updateMessage(ctx context.Context, r *restkit.Request, in updateMessageIn) (messageEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatMessages, gqlbase.ScopeWrite)
	if err != nil {
		return messageEnvelope{}, err
	}
	row, err := a.updateChatRow(ctx, t, "message", in.ID, func(old map[string]any) map[string]any {
		out := map[string]any{}
		if in.Tags != nil {
			out["tags"] = anyTags(mergeTags(tagsOf(old["tags"]), in.Tags))
		}
		if in.Payload != nil {
			out["payload"] = in.Payload
		}
		return out
	})
	if err != nil {
		return messageEnvelope{}, err
	}
	return messageEnvelope{messageOf(row)}, nil
}

type listMessagesIn struct {
	listQuery
	ConversationID *string `json:"-" query:"conversationId" doc:"only this conversation's messages"`
}

type listMessagesOut struct {
	Messages []messageOut `json:"messages"`
	Meta     listMeta     `json:"meta"`
}

func (a *api) listMessages(ctx context.Context, r *restkit.Request, in listMessagesIn) (listMessagesOut, error) {
	t, err := a.chatTableOf(ctx, chatMessages, gqlbase.ScopeRead)
	if err != nil {
		return listMessagesOut{}, err
	}
	where := and(tagsFilter(queryTags(r.URL.Query())))
	if in.ConversationID != nil && *in.ConversationID != "" {
		conv, err := chatID("conversation", *in.ConversationID)
		if err != nil {
			return listMessagesOut{}, err
		}
		where = and(where, eq("conversation", conv))
	}
	rows, meta, err := a.list(ctx, t, where, in.listQuery)
	if err != nil {
		return listMessagesOut{}, err
	}
	out := listMessagesOut{Messages: make([]messageOut, len(rows)), Meta: meta}
	for i, row := range rows {
		out.Messages[i] = messageOf(row)
	}
	return out, nil
}

func (a *api) deleteMessage(ctx context.Context, r *restkit.Request, in idPath) (emptyOut, error) {
	t, err := a.chatTableOf(ctx, chatMessages, gqlbase.ScopeWrite)
	if err != nil {
		return emptyOut{}, err
	}
	row, err := a.getChatRow(ctx, t, "message", in.ID)
	if err != nil {
		return emptyOut{}, err
	}
	if _, err := a.res.DeleteRows(ctx, t.ID, []int64{row.ID}, nil); err != nil {
		return emptyOut{}, err
	}
	return emptyOut{}, nil
}
