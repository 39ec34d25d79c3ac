package storage_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/outbox"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// tasksTable creates a table with a select, a rating and an integer column through the API.
func tasksTable(t *testing.T, st *storage.Store, db *gqlbase.Database) *gqlbase.Table {
	t.Helper()
	tb, err := st.CreateTable(context.Background(), db, &gqlbase.Table{Name: "tasks", Columns: []*gqlbase.Column{
		{Name: "priority", Type: gqlbase.TypeSelect, Nullable: true, Options: []gqlbase.SelectOption{{Value: "low"}, {Value: "high"}}},
		{Name: "stars", Type: gqlbase.TypeRating, Nullable: true, MaxRating: 3},
		{Name: "n", Type: gqlbase.TypeInteger, Nullable: true},
	}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func history(t *testing.T, st *storage.Store, tableID, rowID int64) []*gqlbase.HistoryEntry {
	t.Helper()
	h, err := st.RowHistory(context.Background(), tableID, rowID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// rowEvents are the committed row events of a table, oldest first.
func rowEvents(t *testing.T, st *storage.Store, tableID int64) []*gqlbase.Event {
	t.Helper()
	all, err := outbox.TableEventsAfter(context.Background(), st.DB(), tableID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*gqlbase.Event
	for _, e := range all {
		if strings.HasPrefix(string(e.Kind), "row.") {
			out = append(out, e)
		}
	}
	return out
}

func TestRawSQLWritesGetHistoryVersionsAndEvents(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	tb := tasksTable(t, st, db)

	res := pgtest.RunSQL(t, st, db, `INSERT INTO tasks (priority, n) VALUES ('high', 1) RETURNING id`, false)
	if len(res.Errors) > 0 {
		t.Fatalf("insert: %v", res.Errors)
	}
	var ins struct{ ID int64 }
	if err := json.Unmarshal(res.Rows[0], &ins); err != nil {
		t.Fatal(err)
	}
	if res := pgtest.RunSQL(t, st, db, `UPDATE tasks SET n = 2 WHERE id = `+jsonInt(ins.ID), false); len(res.Errors) > 0 {
		t.Fatalf("update: %v", res.Errors)
	}
	row := getRow(t, st, tb, ins.ID)
	if row.Version != 2 || !row.UpdatedAt.After(row.CreatedAt) {
		t.Errorf("after a raw SQL update: version %d, updated %v, created %v; want version 2, updated later", row.Version, row.UpdatedAt, row.CreatedAt)
	}
	if res := pgtest.RunSQL(t, st, db, `DELETE FROM tasks WHERE id = `+jsonInt(ins.ID), false); len(res.Errors) > 0 {
		t.Fatalf("delete: %v", res.Errors)
	}

	h := history(t, st, tb.ID, ins.ID)
	var got []string
	for i := len(h) - 1; i >= 0; i-- {
		actor := "<nil>"
		if h[i].Actor != nil {
			actor = *h[i].Actor
		}
		got = append(got, h[i].Op+"/"+jsonInt(int64(h[i].Version))+"/"+actor)
	}
	if want := "CREATE/1/test UPDATE/2/test DELETE/2/test"; strings.Join(got, " ") != want {
		t.Errorf("history %q, want %q", strings.Join(got, " "), want)
	}
	trash, err := st.TrashedRows(context.Background(), tb.ID, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(trash) != 1 || trash[0].RowID != ins.ID {
		t.Errorf("trash %+v, want the deleted row", trash)
	}

	evs := rowEvents(t, st, tb.ID)
	got = got[:0]
	for _, e := range evs {
		got = append(got, string(e.Kind)+"/"+e.Actor)
		if e.RowID != ins.ID {
			t.Errorf("event %s of row %d, want row %d", e.Kind, e.RowID, ins.ID)
		}
	}
	if want := "row.created/test row.updated/test row.deleted/test"; strings.Join(got, " ") != want {
		t.Errorf("events %q, want %q", strings.Join(got, " "), want)
	}
	if len(evs) == 3 {
		var before, after struct{ N int64 }
		if err := json.Unmarshal(evs[1].Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(evs[1].After, &after); err != nil {
			t.Fatal(err)
		}
		if before.N != 1 || after.N != 2 {
			t.Errorf("update event before %s after %s", evs[1].Before, evs[1].After)
		}
	}
}

func getRow(t *testing.T, st *storage.Store, tb *gqlbase.Table, id int64) *gqlbase.Row {
	t.Helper()
	m, err := st.GetRows(context.Background(), tb, []int64{id})
	if err != nil || m[id] == nil {
		t.Fatalf("row %d: %v", id, err)
	}
	return m[id]
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestAPIWritesAreRecordedOnce(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	tb := tasksTable(t, st, db)
	ctx := context.Background()
	rows, err := st.InsertRows(ctx, tb, []map[string]any{{"priority": "low", "stars": int64(1), "n": int64(1)}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	id := rows[0].ID
	up, err := st.UpdateRows(ctx, tb, []gqlbase.RowPatch{{ID: id, Values: map[string]any{"n": int64(2)}}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if up[0].Version != 2 {
		t.Errorf("version %d after one update, want 2", up[0].Version)
	}
	if _, err := st.DeleteRows(ctx, tb, []int64{id}, nil, "ann"); err != nil {
		t.Fatal(err)
	}
	if h := history(t, st, tb.ID, id); len(h) != 3 {
		t.Errorf("%d history entries for create, update, delete, want 3", len(h))
	}
	if evs := rowEvents(t, st, tb.ID); len(evs) != 3 {
		t.Errorf("%d row events for create, update, delete, want 3", len(evs))
	}
}

func TestRawSQLInvalidValuesAreRefusedNamingTheColumn(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	tb := tasksTable(t, st, db)
	ctx := context.Background()
	rows, err := st.InsertRows(ctx, tb, []map[string]any{{"priority": "low", "stars": int64(1), "n": int64(1)}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	before := rowEvents(t, st, tb.ID)
	for query, col := range map[string]string{
		`UPDATE tasks SET priority = 'urgent'`:         "priority",
		`INSERT INTO tasks (priority) VALUES ('none')`: "priority",
		`UPDATE tasks SET stars = 4`:                   "stars",
	} {
		res := pgtest.RunSQL(t, st, db, query, false)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], `column "`+col+`"`) {
			t.Errorf("%s: errors %q, want one naming column %q", query, res.Errors, col)
		}
	}
	row := getRow(t, st, tb, rows[0].ID)
	if row.Version != 1 || !strings.Contains(string(row.Data), `"priority":"low"`) {
		t.Errorf("row changed by refused SQL: version %d, %s", row.Version, row.Data)
	}
	if after := rowEvents(t, st, tb.ID); len(after) != len(before) {
		t.Errorf("refused SQL wrote %d events", len(after)-len(before))
	}
	// Options changed through the API hold raw SQL too.
	opts := []gqlbase.SelectOption{{Value: "low"}, {Value: "high"}, {Value: "urgent"}}
	if _, err := st.UpdateColumn(ctx, tb.Column("priority").ID, storage.ColumnPatch{Options: opts}, "ann"); err != nil {
		t.Fatal(err)
	}
	if res := pgtest.RunSQL(t, st, db, `UPDATE tasks SET priority = 'urgent'`, false); len(res.Errors) > 0 {
		t.Errorf("a new option refused: %v", res.Errors)
	}
}

func TestRawSQLCreatedTablesGetWriteTriggers(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	res := pgtest.RunSQL(t, st, db, `CREATE TABLE notes (body text); INSERT INTO notes (body) VALUES ('hi')`, false)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	tb, err := st.TableByName(context.Background(), db.ID, "notes")
	if err != nil {
		t.Fatal(err)
	}
	evs := rowEvents(t, st, tb.ID)
	if len(evs) != 1 || evs[0].Kind != gqlbase.EventRowCreated {
		t.Fatalf("events %+v, want one row.created", evs)
	}
	if h := history(t, st, tb.ID, evs[0].RowID); len(h) != 1 || h[0].Op != "CREATE" {
		t.Errorf("history %+v, want one CREATE", h)
	}
}

// TestStartGivesExistingTablesTheirRules opens a store on a database whose table lost its
// column CHECK and a trigger and still has a trigger of an earlier version of the rules (as
// tables made before them do): the start adds today's back and drops the old one (which would
// record every insert twice), without failing on a value that the CHECK would refuse.
func TestStartGivesExistingTablesTheirRules(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	tb := tasksTable(t, st, db)
	ctx := context.Background()
	tbl := `"` + db.Schema + `".tasks`
	for _, stmt := range []string{
		`ALTER TABLE ` + tbl + ` DROP CONSTRAINT ck_` + jsonInt(tb.Column("priority").ID),
		`DROP TRIGGER gqlbase_sql_v2_insert ON ` + tbl,
		`CREATE TRIGGER gqlbase_sql_insert AFTER INSERT ON ` + tbl +
			` REFERENCING NEW TABLE AS gqlbase_new FOR EACH STATEMENT EXECUTE FUNCTION public.gqlbase_sql_rows()`,
		`INSERT INTO ` + tbl + ` (priority) VALUES ('legacy')`,
	} {
		if _, err := st.DB().ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	st2, err := storage.Open(ctx, st.DSN(), storage.Options{})
	if err != nil {
		t.Fatalf("start over a table without its rules: %v", err)
	}
	defer st2.Close()
	res := pgtest.RunSQL(t, st2, db, `INSERT INTO tasks (priority) VALUES ('urgent')`, false)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], `column "priority"`) {
		t.Errorf("errors %q, want the CHECK back", res.Errors)
	}
	before := len(rowEvents(t, st2, tb.ID))
	if res := pgtest.RunSQL(t, st2, db, `INSERT INTO tasks (priority) VALUES ('high')`, false); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if n := len(rowEvents(t, st2, tb.ID)) - before; n != 1 {
		t.Errorf("%d events for a raw SQL insert after the start, want 1 (today's trigger back, the old one gone)", n)
	}
}
