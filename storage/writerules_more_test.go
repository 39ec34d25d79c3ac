package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// A raw SQL TRUNCATE is recorded as the deletion of every row: history, trash and one
// row.deleted event per row, so subscribers and other processes' caches learn of it.
func TestRawSQLTruncateIsRecordedAsDeletes(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	tb := tasksTable(t, st, db)
	rows, err := st.InsertRows(context.Background(), tb, []map[string]any{
		{"priority": "low", "stars": nil, "n": int64(1)}, {"priority": "high", "stars": nil, "n": int64(2)},
	}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if res := pgtest.RunSQL(t, st, db, `TRUNCATE tasks`, false); len(res.Errors) > 0 {
		t.Fatalf("truncate: %v", res.Errors)
	}
	for _, r := range rows {
		h := history(t, st, tb.ID, r.ID)
		if len(h) != 2 || h[0].Op != "DELETE" || h[0].Actor == nil || *h[0].Actor != "test" {
			t.Errorf("history of row %d after TRUNCATE: %+v, want CREATE then DELETE by test", r.ID, h)
		}
	}
	trash, err := st.TrashedRows(context.Background(), tb.ID, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(trash) != 2 {
		t.Errorf("%d rows in the trash after TRUNCATE of 2, want 2", len(trash))
	}
	var kinds []string
	for _, e := range rowEvents(t, st, tb.ID) {
		kinds = append(kinds, string(e.Kind))
	}
	if want := "row.created row.created row.deleted row.deleted"; strings.Join(kinds, " ") != want {
		t.Errorf("events %q, want %q", strings.Join(kinds, " "), want)
	}
	if _, err := st.RestoreRow(context.Background(), tb, rows[0].ID, "ann"); err != nil {
		t.Errorf("restore a truncated row: %v", err)
	}
}

// A row's id names it in history, trash, links and events, so no writer may change it: the
// update is refused whole, even where the identity column would allow it (SET id = DEFAULT) or
// no longer is one.
func TestNoWriterChangesARowsID(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	tb := tasksTable(t, st, db)
	rows, err := st.InsertRows(context.Background(), tb, []map[string]any{{"priority": "low", "stars": nil, "n": int64(1)}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	id := rows[0].ID
	for _, q := range []string{
		`UPDATE tasks SET id = DEFAULT, n = 5`,
		`ALTER TABLE tasks ALTER COLUMN id DROP IDENTITY; UPDATE tasks SET id = id + 100, n = 5`,
	} {
		res := pgtest.RunSQL(t, st, db, q, false)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "id of a row cannot change") {
			t.Errorf("%s: errors %q, want the id change refused", q, res.Errors)
		}
	}
	got := getRow(t, st, tb, id)
	if got.Version != 1 {
		t.Errorf("row %d has version %d after refused updates, want 1", id, got.Version)
	}
	if h := history(t, st, tb.ID, id); len(h) != 1 {
		t.Errorf("%d history entries after refused updates, want 1 (the insert)", len(h))
	}
}

// The API's own writes are recorded by the same triggers, with the API's actor, and a restore
// is recorded as a restore.
func TestAPIWritesAreRecordedByTheTriggersWithTheirActor(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	tb := tasksTable(t, st, db)
	ctx := context.Background()
	rows, err := st.InsertRows(ctx, tb, []map[string]any{{"priority": "low", "stars": nil, "n": int64(1)}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	id := rows[0].ID
	if _, err := st.UpdateRows(ctx, tb, []gqlbase.RowPatch{{ID: id, Values: map[string]any{"n": int64(2)}}}, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeleteRows(ctx, tb, []int64{id}, nil, "cy"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RestoreRow(ctx, tb, id, "dee"); err != nil {
		t.Fatal(err)
	}
	// A later insert in another transaction is a creation again.
	if _, err := st.InsertRows(ctx, tb, []map[string]any{{"priority": "high", "stars": nil, "n": int64(3)}}, "eve"); err != nil {
		t.Fatal(err)
	}
	h := history(t, st, tb.ID, id)
	var got []string
	for i := len(h) - 1; i >= 0; i-- {
		got = append(got, h[i].Op+"/"+*h[i].Actor)
	}
	if want := "CREATE/ann UPDATE/bob DELETE/cy RESTORE/dee"; strings.Join(got, " ") != want {
		t.Errorf("history %q, want %q", strings.Join(got, " "), want)
	}
	var evs []string
	for _, e := range rowEvents(t, st, tb.ID) {
		evs = append(evs, string(e.Kind)+"/"+e.Actor)
	}
	if want := "row.created/ann row.updated/bob row.deleted/cy row.restored/dee row.created/eve"; strings.Join(evs, " ") != want {
		t.Errorf("events %q, want %q", strings.Join(evs, " "), want)
	}
}

// When Postgres itself changes rows for a write (a LINK's ON DELETE SET NULL), the changed
// rows get their version, history and event too: their readers' caches must learn of it.
func TestRowsChangedByALinksSetNullAreRecorded(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	ctx := context.Background()
	people, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "people", Columns: []*gqlbase.Column{
		{Name: "name", Type: gqlbase.TypeText, Nullable: true},
	}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "tasks", Columns: []*gqlbase.Column{
		{Name: "owner", Type: gqlbase.TypeLink, Nullable: true, LinkTableID: &people.ID},
	}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.InsertRows(ctx, people, []map[string]any{{"name": "Ann"}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	tk, err := st.InsertRows(ctx, tasks, []map[string]any{{"owner": p[0].ID}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeleteRows(ctx, people, []int64{p[0].ID}, nil, "bob"); err != nil {
		t.Fatal(err)
	}
	row := getRow(t, st, tasks, tk[0].ID)
	if row.Version != 2 || !strings.Contains(string(row.Data), `"owner":null`) {
		t.Errorf("linking row after its target's delete: version %d, data %s; want version 2, owner null", row.Version, row.Data)
	}
	evs := rowEvents(t, st, tasks.ID)
	if len(evs) != 2 || evs[1].Kind != gqlbase.EventRowUpdated || evs[1].Actor != "bob" {
		t.Errorf("events of the linking table %+v, want its creation then an update by bob", evs)
	}
}
