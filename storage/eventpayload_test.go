package storage_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/outbox"
)

// Finding: a large value in a row was copied into every outbox event of the row, besides its
// history. Events keep a reference to the history instead, and read back whole.
func TestLargeValuesAreNotCopiedIntoEvents(t *testing.T) {
	f := newTenantFixture(t, storage.Options{})
	ctx := context.Background()
	big := strings.Repeat("x", 1<<20)
	start, err := outbox.LastEventID(ctx, f.st.DB())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.st.InsertRows(ctx, f.tbl, []map[string]any{{"note": big}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.UpdateRows(ctx, f.tbl, []gqlbase.RowPatch{{ID: rows[0].ID, Values: map[string]any{"note": big + "y"}}}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DeleteRows(ctx, f.tbl, []int64{rows[0].ID}, nil, "test"); err != nil {
		t.Fatal(err)
	}
	var largest int
	if err := f.admin.QueryRow(`SELECT max(octet_length(payload::text)) FROM events WHERE row_id = $1`, rows[0].ID).Scan(&largest); err != nil {
		t.Fatal(err)
	}
	if largest > 1024 {
		t.Errorf("an event stores %d bytes of payload for a row with a 1 MiB value", largest)
	}
	events, err := outbox.EventsAfter(ctx, f.st.DB(), start, 10)
	if err != nil {
		t.Fatal(err)
	}
	note := func(raw json.RawMessage) string {
		var v struct{ Note string }
		if raw == nil {
			return "<none>"
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v.Note
	}
	var got []string
	for _, e := range events {
		if e.RowID == rows[0].ID {
			got = append(got, string(e.Kind)+":"+short(note(e.Before))+">"+short(note(e.After)))
		}
	}
	want := "row.created:<none>>x1048576 row.updated:x1048576>x1048576y row.deleted:x1048576y><none>"
	if strings.Join(got, " ") != want {
		t.Errorf("events read back as %v, want %s", got, want)
	}
}

// short names a long run of x by its length: "x1048576", "x1048576y".
func short(s string) string {
	if strings.HasPrefix(s, "xxxx") {
		n := len(s) - len(strings.TrimLeft(s, "x"))
		return "x" + strconv.Itoa(n) + strings.TrimLeft(s, "x")
	}
	return s
}

// Row writes run as the database's role, and the events they add record the transaction of
// the write (the column's default, which that role may use like any other).
func TestRowEventsRecordTheTransactionOfTheWrite(t *testing.T) {
	f := newTenantFixture(t, storage.Options{})
	ctx := context.Background()
	rows, err := f.st.InsertRows(ctx, f.tbl, []map[string]any{{"note": "a"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var same bool
	err = f.admin.QueryRow(`SELECT (e.xid::text::numeric % 4294967296) = r.xmin::text::numeric
		FROM events e, `+f.table+` r WHERE e.row_id = $1 AND r.id = $1`, rows[0].ID).Scan(&same)
	if err != nil {
		t.Fatal(err)
	}
	if !same {
		t.Error("the row's event records another transaction than the one that wrote the row")
	}
}
