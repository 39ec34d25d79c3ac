package botpress

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// NewChat returns the Botpress Chat dialect: a bot's users, conversations, participants,
// messages, events and states, under /v1/chat, with the Tables dialect's authentication and
// error envelope.
func NewChat(deps Deps) *restkit.Dialect {
	a := newAPI(deps)
	d := &restkit.Dialect{
		Name:  "botpress-chat",
		Title: "Botpress Chat API",
		Description: "The /v1/chat routes of the Botpress API, for @botpress/client (apiUrl = this server). " +
			"x-bot-id names the database that holds the bot's chat tables (created on first use).",
		Prefix:       "/v1/chat",
		Authenticate: a.authenticate,
		Decode:       restkit.DecodeOptions{MaxBytes: restkit.DefaultMaxBody, Unknown: restkit.IgnoreUnknown, AllowEmpty: true},
		Headers: []restkit.Param{
			{Name: "x-bot-id", In: "header", Required: true, Description: "the bot: names the gqlbase database that holds its chat tables"},
			{Name: "x-workspace-id", In: "header", Description: "a numeric gqlbase workspace id of the caller's (default: the token's workspace)"},
			{Name: "x-integration-id", In: "header", Description: "the integration calling: messages it creates are incoming"},
		},
		ErrorBody:  errorBody{},
		WriteError: a.writeError,
	}
	a.bindChatUsers(d)
	a.bindChatConversations(d)
	a.bindChatMessages(d)
	a.bindChatEvents(d)
	a.bindChatStates(d)
	a.bindChatExtras(d)
	return d
}

func (a *api) bindChatExtras(d *restkit.Dialect) {
	na := func(method, path, what string) restkit.Route {
		return restkit.Route{Method: method, Path: path, Summary: what + " (not available)", NotImplemented: true,
			Description: "Answers 501 in Botpress's error envelope: " + what + " is not available in gqlbase.", Handle: restkit.NotImplemented(what)}
	}
	d.Add(
		restkit.Route{Method: "GET", Path: "/tags/{key}/values", Summary: "List tag values", Op: restkit.Handle(a.listTagValues),
			Description: "Lists the distinct values of one tag key among the bot's users, conversations or messages (type), in order, 20 per page; it reads the newest 1,000 items."},
		restkit.Route{Method: "POST", Path: "/analytics", Summary: "Track analytics", Op: restkit.Handle(a.accepted),
			Description: "Accepted and not recorded: gqlbase keeps no analytics. Answers {}."},
		restkit.Route{Method: "POST", Path: "/observations", Summary: "Capture observation", Op: restkit.Handle(a.accepted),
			Description: "Accepted and not recorded: gqlbase keeps no observations. Answers {}."},
		restkit.Route{Method: "POST", Path: "/actions", Summary: "Call action", Op: restkit.Handle(a.callAction),
			Description: "Runs the server function of the bot's database named type (write scope) with input, and answers {output}. " +
				"A function that fails is 400 Runtime with the reason; a type no function has is 501: integration actions are not available in gqlbase."},
		na("POST", "/integrations/configure", "configureIntegration (integrations)"),
		na("POST", "/initialize-incoming-message", "initializeIncomingMessage"),
		na("POST", "/messages/import-messages", "importMessages"),
		na("POST", "/workflows", "workflows"),
		na("GET", "/workflows", "workflows"),
		na("POST", "/workflows/get-or-create", "workflows"),
		na("GET", "/workflows/{id}", "workflows"),
		na("PUT", "/workflows/{id}", "workflows"),
		na("DELETE", "/workflows/{id}", "workflows"),
	)
}

func (a *api) accepted(ctx context.Context, r *restkit.Request, _ map[string]any) (emptyOut, error) {
	return emptyOut{}, nil
}

type tagValuesIn struct {
	Key       string  `json:"-" path:"key" doc:"the tag key"`
	Type      string  `json:"-" query:"type" required:"true" enum:"user,conversation,message" doc:"whose tags to read"`
	NextToken *string `json:"-" query:"nextToken" doc:"the meta.nextToken of the previous page"`
	PageSize  *int    `json:"-" query:"pageSize" doc:"values per page, 1 to 100 (default 20)"`
}

type tagValue struct {
	Value string `json:"value"`
}

type tagValuesOut struct {
	Tags []tagValue `json:"tags"`
	Meta listMeta   `json:"meta"`
}

func (a *api) listTagValues(ctx context.Context, r *restkit.Request, in tagValuesIn) (tagValuesOut, error) {
	ct := map[string]chatTable{"user": chatUsers, "conversation": chatConversations, "message": chatMessages}[in.Type]
	t, err := a.chatTableOf(ctx, ct, gqlbase.ScopeRead)
	if err != nil {
		return tagValuesOut{}, err
	}
	rows, err := a.allRows(ctx, t, nil, maxLinked)
	if err != nil {
		return tagValuesOut{}, err
	}
	seen := map[string]bool{}
	var all []string
	for _, row := range rows {
		if v, ok := tagsOf(values(row)["tags"])[in.Key]; ok && !seen[v] {
			seen[v] = true
			all = append(all, v)
		}
	}
	sort.Strings(all)
	page, meta, err := pageOf(all, listQuery{NextToken: in.NextToken, PageSize: in.PageSize})
	if err != nil {
		return tagValuesOut{}, err
	}
	out := tagValuesOut{Tags: make([]tagValue, len(page)), Meta: meta}
	for i, v := range page {
		out.Tags[i] = tagValue{v}
	}
	return out, nil
}

type callActionIn struct {
	Type  string         `json:"type" required:"true" doc:"the action: the name of a server function of the bot's database"`
	Input map[string]any `json:"input" required:"true" doc:"the function's input"`
}

type callActionOut struct {
	Output any `json:"output"`
}

// callAction runs the function of the bot's database named by type: an action of the bot
// itself rather than of an integration, which gqlbase does not have.
func (a *api) callAction(ctx context.Context, r *restkit.Request, in callActionIn) (callActionOut, error) {
	db, err := a.bot(ctx, gqlbase.ScopeWrite, false)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return callActionOut{}, gqlbase.Errorf(gqlbase.CodeNotImplemented, "callAction: the bot has no function named %q (integration actions are not available in gqlbase)", in.Type)
	}
	if err != nil {
		return callActionOut{}, err
	}
	f, err := a.res.FunctionByNameFor(ctx, db.ID, in.Type, gqlbase.ScopeWrite)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return callActionOut{}, gqlbase.Errorf(gqlbase.CodeNotImplemented, "callAction: the bot has no function named %q (integration actions are not available in gqlbase)", in.Type)
	}
	if err != nil {
		return callActionOut{}, err
	}
	input, err := json.Marshal(in.Input)
	if err != nil {
		return callActionOut{}, gqlbase.BadInput("input: %v", err).WithField("input")
	}
	run, err := a.res.RunLoadedFunction(ctx, f, input, "http")
	if err != nil {
		return callActionOut{}, err
	}
	if run.Error != nil {
		e := gqlbase.BadInput("action %q failed: %s", in.Type, *run.Error)
		e.Reason = gqlbase.ReasonFunctionFailed
		return callActionOut{}, e
	}
	var out any
	if len(run.Output) > 0 {
		if err := json.Unmarshal(run.Output, &out); err != nil {
			return callActionOut{}, fmt.Errorf("callAction: decode output: %w", err)
		}
	}
	return callActionOut{Output: out}, nil
}
