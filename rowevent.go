package gqlbase

import (
	"bytes"
	"context"
	"encoding/json"
	"time"
)

// RowEventKind is the kind of a row change, as subscriptions name it.
type RowEventKind string

const (
	RowCreated  RowEventKind = "CREATED"
	RowUpdated  RowEventKind = "UPDATED"
	RowDeleted  RowEventKind = "DELETED"
	RowRestored RowEventKind = "RESTORED"
)

// RowEventKindOf maps an outbox event kind to a row event kind ("" for other events).
func RowEventKindOf(k EventKind) RowEventKind {
	switch k {
	case EventRowCreated:
		return RowCreated
	case EventRowUpdated:
		return RowUpdated
	case EventRowDeleted:
		return RowDeleted
	case EventRowRestored:
		return RowRestored
	}
	return ""
}

// RowEvent is a row change delivered to a subscriber. Row is the row after the change (for a
// delete, the row as it was deleted); Old is the row before it (updates and deletes).
type RowEvent struct {
	ID    int64
	Kind  RowEventKind
	Row   *Row
	Old   *Row
	At    time.Time
	Actor string
}

// RowFromFlat builds a Row from a flat row object (system and user columns, as events carry
// it), with the user columns in t's column order.
func RowFromFlat(t *Table, flat map[string]any) *Row {
	if flat == nil {
		return nil
	}
	r := &Row{TableID: t.ID}
	if n, ok := flat[ColID].(json.Number); ok {
		r.ID, _ = n.Int64()
	}
	if n, ok := flat[ColVersion].(json.Number); ok {
		v, _ := n.Int64()
		r.Version = int(v)
	}
	r.CreatedAt = parseTime(flat[ColCreatedAt])
	r.UpdatedAt = parseTime(flat[ColUpdatedAt])
	if s, ok := flat[ColCreatedBy].(string); ok {
		r.CreatedBy = &s
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, c := range t.Columns {
		v, ok := flat[c.Name]
		if !ok {
			continue
		}
		enc, err := json.Marshal(v)
		if err != nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		name, _ := json.Marshal(c.Name)
		b.Write(name)
		b.WriteByte(':')
		b.Write(enc)
	}
	b.WriteByte('}')
	r.Data = b.Bytes()
	return r
}

// ChangedColumns names the user columns the change touched, in the row's column order: for an
// update the columns whose value differs between Old and Row, for any other kind every column
// of the row. Values are compared as the JSON Postgres built, which is canonical per value.
func (e *RowEvent) ChangedColumns() []string {
	out := []string{}
	if e.Row == nil {
		return out
	}
	var after, before map[string]json.RawMessage
	if json.Unmarshal(e.Row.Data, &after) != nil {
		return out
	}
	if e.Kind == RowUpdated && e.Old != nil {
		_ = json.Unmarshal(e.Old.Data, &before)
	}
	for _, name := range columnOrder(e.Row.Data) {
		if before != nil {
			if old, ok := before[name]; ok && bytes.Equal(old, after[name]) {
				continue
			}
		}
		out = append(out, name)
	}
	return out
}

// columnOrder lists the keys of a JSON object in the order they appear.
func columnOrder(obj json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

func parseTime(v any) time.Time {
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// TableEvent is a schema change delivered to a subscriber.
type TableEvent struct {
	*Event
}

type streamEndKey struct{}

// WithStreamEnd returns a context whose event streams report the error they end with to f
// instead of to the client directly: a multiplexed subscription hands the error on to each of
// its members.
func WithStreamEnd(ctx context.Context, f func(error)) context.Context {
	return context.WithValue(ctx, streamEndKey{}, f)
}

// StreamEndFrom returns the function set by WithStreamEnd, or nil.
func StreamEndFrom(ctx context.Context) func(error) {
	f, _ := ctx.Value(streamEndKey{}).(func(error))
	return f
}
