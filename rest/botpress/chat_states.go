package botpress

import (
	"context"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// States are JSON payloads named by (type, id, name). expiry is an idle time-to-live in
// milliseconds: every read and write moves expiresAt to now + expiry, and a state past its
// expiresAt is gone (ResourceNotFound, and deleted when met).

func (a *api) bindChatStates(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/states/{type}/{id}/{name}", Summary: "Get state", Op: restkit.Handle(a.getState),
			Description: "Returns a state; reading it extends its expiry. A missing or expired state is ResourceNotFound."},
		restkit.Route{Method: "POST", Path: "/states/{type}/{id}/{name}", Summary: "Set state", Op: restkit.Handle(a.setState),
			Description: "Sets a state's payload (replacing it), with expiry: an idle time-to-live in milliseconds (null: none)."},
		restkit.Route{Method: "POST", Path: "/states/{type}/{id}/{name}/get-or-set", Summary: "Get or set state", Op: restkit.Handle(a.getOrSetState),
			Description: "Returns the state when it exists (meta.created false), else sets it from the body (meta.created true)."},
		restkit.Route{Method: "PATCH", Path: "/states/{type}/{id}/{name}", Summary: "Patch state", Op: restkit.Handle(a.patchState),
			Description: "Merges the body's payload into the state's, key by key (a shallow merge). A missing state is ResourceNotFound."},
		restkit.Route{Method: "POST", Path: "/states/{type}/{id}/{name}/expiry", Summary: "Set state expiry", Op: restkit.Handle(a.setStateExpiry),
			Description: "Sets a state's idle time-to-live in milliseconds (null: it never expires)."},
	)
}

type statePath struct {
	Type string `json:"-" path:"type" enum:"conversation,user,bot,task,integration,workflow" doc:"what the state belongs to"`
	ID   string `json:"-" path:"id" doc:"the id of what it belongs to"`
	Name string `json:"-" path:"name" doc:"the state's name"`
}

func (p statePath) key() string { return p.Type + "/" + p.ID + "/" + p.Name }

var stateTypes = []string{"conversation", "user", "bot", "task", "integration", "workflow"}

// valid checks the path: path parameters are not checked against enum tags by the decoder.
func (p statePath) valid() error {
	if !containsString(stateTypes, p.Type) {
		return gqlbase.BadInput("state type %q is not one of %s", p.Type, strings.Join(stateTypes, ", ")).WithField("type")
	}
	return nil
}

type stateOut struct {
	ID             string         `json:"id"`
	CreatedAt      string         `json:"createdAt"`
	UpdatedAt      string         `json:"updatedAt"`
	BotID          string         `json:"botId"`
	ConversationID *string        `json:"conversationId,omitempty"`
	UserID         *string        `json:"userId,omitempty"`
	Name           string         `json:"name"`
	Type           string         `json:"type"`
	Payload        map[string]any `json:"payload"`
	Expiry         *int64         `json:"expiry,omitempty" doc:"idle time-to-live in milliseconds"`
	ExpiresAt      *string        `json:"expiresAt,omitempty"`
}

type stateEnvelope struct {
	State stateOut `json:"state"`
}

func stateOf(ctx context.Context, row *gqlbase.Row) stateOut {
	v := values(row)
	s := stateOut{ID: idString(row.ID), CreatedAt: formatTime(row.CreatedAt), UpdatedAt: formatTime(row.UpdatedAt),
		Name: str(v["name"]), Type: str(v["type"]), Payload: map[string]any{}}
	if b, ok := ctx.Value(botKey{}).(botRef); ok {
		s.BotID = b.id
	}
	target := str(v["target"])
	switch s.Type {
	case "conversation":
		s.ConversationID = &target
	case "user":
		s.UserID = &target
	}
	if p, ok := v["payload"].(map[string]any); ok {
		s.Payload = p
	}
	if e := refString(v["expiry"]); e != nil {
		if n, err := chatID("expiry", *e); err == nil {
			s.Expiry = &n
		}
	}
	if at := str(v["expiresAt"]); at != "" {
		s.ExpiresAt = &at
	}
	return s
}

// findState returns the live state of a key (nil when there is none), deleting an expired one.
func (a *api) findState(ctx context.Context, t *gqlbase.Table, p statePath) (*gqlbase.Row, error) {
	rows, err := a.allRows(ctx, t, eq("key", p.key()), 1)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	row := rows[0]
	if at, err := time.Parse(time.RFC3339Nano, str(values(row)["expiresAt"])); err == nil && !at.After(time.Now()) {
		if _, err := a.res.DeleteRows(ctx, t.ID, []int64{row.ID}, nil); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return row, nil
}

func stateMissing(p statePath) error {
	return gqlbase.NotFound("state %q of %s %q not found (or expired)", p.Name, p.Type, p.ID)
}

// touch moves a state's expiresAt to now + its expiry (reads and writes extend an idle state).
func touch(v map[string]any, expiry any) {
	ms, ok := expiry.(int64)
	if f, isF := expiry.(float64); isF {
		ms, ok = int64(f), true
	}
	if !ok || ms <= 0 {
		v["expiresAt"] = nil
		return
	}
	v["expiresAt"] = time.Now().Add(time.Duration(ms) * time.Millisecond).UTC().Format(time.RFC3339Nano)
}

func (a *api) getState(ctx context.Context, r *restkit.Request, in statePath) (stateEnvelope, error) {
	if err := in.valid(); err != nil {
		return stateEnvelope{}, err
	}
	t, err := a.chatTableOf(ctx, chatStates, gqlbase.ScopeWrite)
	if err != nil {
		return stateEnvelope{}, err
	}
	row, err := a.findState(ctx, t, in)
	if err != nil {
		return stateEnvelope{}, err
	}
	if row == nil {
		return stateEnvelope{}, stateMissing(in)
	}
	if exp := values(row)["expiry"]; exp != nil {
		patch := map[string]any{}
		touch(patch, exp)
		out, err := a.res.UpdateRowsByID(ctx, t, []gqlbase.RowPatch{{ID: row.ID, Values: patch}})
		if err != nil {
			return stateEnvelope{}, err
		}
		row = out[0]
	}
	return stateEnvelope{stateOf(ctx, row)}, nil
}

type setStateIn struct {
	statePath
	Payload map[string]any `json:"payload" doc:"the state's content"`
	Expiry  *int64         `json:"expiry,omitempty" doc:"idle time-to-live in milliseconds"`
}

// maxStateExpiry bounds an idle time-to-live (a year).
const maxStateExpiry = int64(366 * 24 * time.Hour / time.Millisecond)

func (in setStateIn) values() (map[string]any, error) {
	if in.Payload == nil {
		return nil, gqlbase.BadInput("payload must be an object").WithField("payload")
	}
	v := map[string]any{"key": in.key(), "type": in.Type, "target": in.ID, "name": in.Name, "payload": in.Payload, "expiry": nil}
	if in.Expiry != nil {
		if *in.Expiry < 0 || *in.Expiry > maxStateExpiry {
			return nil, gqlbase.BadInput("expiry must be between 0 and %d milliseconds", maxStateExpiry).WithField("expiry")
		}
		if *in.Expiry > 0 {
			v["expiry"] = *in.Expiry
		}
	}
	touch(v, v["expiry"])
	return v, nil
}

func (a *api) setState(ctx context.Context, r *restkit.Request, in setStateIn) (stateEnvelope, error) {
	if err := in.statePath.valid(); err != nil {
		return stateEnvelope{}, err
	}
	t, err := a.chatTableOf(ctx, chatStates, gqlbase.ScopeWrite)
	if err != nil {
		return stateEnvelope{}, err
	}
	v, err := in.values()
	if err != nil {
		return stateEnvelope{}, err
	}
	res, err := a.res.UpsertRows(ctx, t.ID, []any{v}, "key")
	if err != nil {
		return stateEnvelope{}, err
	}
	return stateEnvelope{stateOf(ctx, append(res.Inserted, res.Updated...)[0])}, nil
}

type getOrSetStateOut struct {
	State stateOut    `json:"state"`
	Meta  createdMeta `json:"meta"`
}

func (a *api) getOrSetState(ctx context.Context, r *restkit.Request, in setStateIn) (getOrSetStateOut, error) {
	if err := in.statePath.valid(); err != nil {
		return getOrSetStateOut{}, err
	}
	t, err := a.chatTableOf(ctx, chatStates, gqlbase.ScopeWrite)
	if err != nil {
		return getOrSetStateOut{}, err
	}
	if row, err := a.findState(ctx, t, in.statePath); err != nil || row != nil {
		if err != nil {
			return getOrSetStateOut{}, err
		}
		got, err := a.getState(ctx, r, in.statePath)
		return getOrSetStateOut{State: got.State}, err
	}
	set, err := a.setState(ctx, r, in)
	return getOrSetStateOut{State: set.State, Meta: createdMeta{true}}, err
}

type patchStateIn struct {
	statePath
	Payload map[string]any `json:"payload" required:"true" doc:"keys to set in the state's payload"`
}

func (a *api) patchState(ctx context.Context, r *restkit.Request, in patchStateIn) (stateEnvelope, error) {
	if err := in.statePath.valid(); err != nil {
		return stateEnvelope{}, err
	}
	t, err := a.chatTableOf(ctx, chatStates, gqlbase.ScopeWrite)
	if err != nil {
		return stateEnvelope{}, err
	}
	row, err := a.findState(ctx, t, in.statePath)
	if err != nil {
		return stateEnvelope{}, err
	}
	if row == nil {
		return stateEnvelope{}, stateMissing(in.statePath)
	}
	old := values(row)
	payload := map[string]any{}
	if p, ok := old["payload"].(map[string]any); ok {
		payload = p
	}
	for k, v := range in.Payload {
		payload[k] = v
	}
	patch := map[string]any{"payload": payload}
	touch(patch, old["expiry"])
	out, err := a.res.UpdateRowsByID(ctx, t, []gqlbase.RowPatch{{ID: row.ID, Values: patch}})
	if err != nil {
		return stateEnvelope{}, err
	}
	return stateEnvelope{stateOf(ctx, out[0])}, nil
}

type setExpiryIn struct {
	statePath
	Expiry *int64 `json:"expiry" doc:"idle time-to-live in milliseconds; null: never expires"`
}

func (a *api) setStateExpiry(ctx context.Context, r *restkit.Request, in setExpiryIn) (stateEnvelope, error) {
	if err := in.statePath.valid(); err != nil {
		return stateEnvelope{}, err
	}
	t, err := a.chatTableOf(ctx, chatStates, gqlbase.ScopeWrite)
	if err != nil {
		return stateEnvelope{}, err
	}
	row, err := a.findState(ctx, t, in.statePath)
	if err != nil {
		return stateEnvelope{}, err
	}
	if row == nil {
		return stateEnvelope{}, stateMissing(in.statePath)
	}
	patch := map[string]any{"expiry": nil}
	if in.Expiry != nil {
		if *in.Expiry < 0 || *in.Expiry > maxStateExpiry {
			return stateEnvelope{}, gqlbase.BadInput("expiry must be between 0 and %d milliseconds", maxStateExpiry).WithField("expiry")
		}
		if *in.Expiry > 0 {
			patch["expiry"] = *in.Expiry
		}
	}
	touch(patch, patch["expiry"])
	out, err := a.res.UpdateRowsByID(ctx, t, []gqlbase.RowPatch{{ID: row.ID, Values: patch}})
	if err != nil {
		return stateEnvelope{}, err
	}
	return stateEnvelope{stateOf(ctx, out[0])}, nil
}
