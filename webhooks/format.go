package webhooks

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Message is what a formatter turns into a request body: one event for one webhook.
type Message struct {
	// ID is the webhook-id header: the same on every attempt and replay of one delivery, so
	// receivers can drop duplicates.
	ID      string
	Event   *gqlbase.Event
	Webhook *Webhook
	// Test is set for testWebhook's call, whose Event is made up.
	Test bool
}

// Formatter builds a dialect's body for a message. Dialects add theirs with
// Options.Formatters; a webhook names its formatter in Format.
type Formatter interface {
	ContentType() string
	Format(m Message) ([]byte, error)
}

// FormatPlatform is the name of gqlbase's own format.
const FormatPlatform = "platform"

// PlatformFormatter is gqlbase's own body, the shape the Standard Webhooks specification
// suggests:
//
//	{"type": "row.created", "timestamp": "2026-01-02T03:04:05.123Z",
//	 "data": {"eventId": "12", "workspaceId": "1", "databaseId": "2", "tableId": "3",
//	          "rowId": "4", "actor": "user:1", "before": null, "after": {...}}}
//
// ids are decimal strings, as in the GraphQL API; before and after are the row (system and
// user columns) or, for schema events, the table or column, null where there is none. A
// testWebhook call has type "webhook.test".
type PlatformFormatter struct{}

// ContentType implements Formatter.
func (PlatformFormatter) ContentType() string { return "application/json" }

// Format implements Formatter.
func (PlatformFormatter) Format(m Message) ([]byte, error) {
	ev := m.Event
	id := func(v int64) *string {
		if v == 0 {
			return nil
		}
		s := strconv.FormatInt(v, 10)
		return &s
	}
	raw := func(r json.RawMessage) json.RawMessage {
		if len(r) == 0 {
			return json.RawMessage("null")
		}
		return r
	}
	typ := string(ev.Kind)
	if m.Test {
		typ = "webhook.test"
	}
	body, err := json.Marshal(map[string]any{
		"type":      typ,
		"timestamp": ev.CreatedAt.UTC().Format(time.RFC3339Nano),
		"data": map[string]any{
			"eventId":     id(ev.ID),
			"workspaceId": id(ev.WorkspaceID),
			"databaseId":  id(ev.DatabaseID),
			"tableId":     id(ev.TableID),
			"rowId":       id(ev.RowID),
			"actor":       ev.Actor,
			"before":      raw(ev.Before),
			"after":       raw(ev.After),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webhooks: platform format: %w", err)
	}
	return body, nil
}
