package rest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// rawSQL runs a query through Airsequel's POST /dbs/{db}/sql as the env's admin and returns
// the response body.
func (e *dataEnv) rawSQL(t *testing.T, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/dbs/"+e.db+"/sql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("raw SQL %q: status %d: %s", query, resp.StatusCode, raw)
	}
	return out
}

func sqlErrors(res map[string]any) string {
	b, _ := json.Marshal(res["errors"])
	if s := string(b); s != "null" && s != "[]" {
		return s
	}
	return ""
}

// TestRawSQLWritesReachRowEventsAndTheStream writes rows through raw SQL and expects each
// change in the table's row history (with the SQL actor), a version bump on update, and the
// event on a rowEvents subscription and on /events/stream.
// rowEventsChangedSub is rowEventsSub with the columns each change touched.
const rowEventsChangedSub = `subscription($t: ID!) {
	rowEvents(table: $t) { id kind actor changedColumns row { id version data } old { id version data } }
}`

func TestRawSQLWritesReachRowEventsAndTheStream(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	c := subscribe(t, e.srv, e.token, "s1", rowEventsChangedSub, map[string]any{"t": table})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe", "age": 0})
	last := e.sqlText(t, `SELECT coalesce(max(id), 0)::text FROM events WHERE table_id = $1`, table)

	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/events/stream?table="+table, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Last-Event-ID", last)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	stream := bufio.NewReader(resp.Body)
	readEvent := func() (kind, data string) {
		for {
			line, err := stream.ReadString('\n')
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && strings.HasPrefix(kind, "row."):
				return kind, data
			case line == "":
				kind, data = "", "" // raw SQL's table.updated (rowsChangedBySQL) is not what this test reads
			}
		}
	}

	// The actor of an API write by the same token, which raw SQL must record too.
	apiID := e.insert(t, table, map[string]any{"name": "api", "age": 1})[0]
	c.nextEvent(5 * time.Second)
	readEvent()
	hist := `query($t: ID!, $id: ID!) { rowHistory(table: $t, id: $id) { version op actor } }`
	apiActor := testserver.Str(e.ok(t, hist, map[string]any{"t": table, "id": apiID}), "rowHistory", 0, "actor")

	res := e.rawSQL(t, `INSERT INTO people (name, age) VALUES ('Ann', 31) RETURNING id`)
	if msg := sqlErrors(res); msg != "" {
		t.Fatalf("insert: %s", msg)
	}
	schema := e.sqlText(t, `SELECT schema_name FROM databases WHERE id = $1`, e.db)
	id := e.sqlText(t, `SELECT id::text FROM "`+schema+`".people WHERE name = 'Ann'`)
	ev := c.nextEvent(5 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "CREATED" || testserver.Str(ev.Data, "rowEvents", "row", "id") != id ||
		testserver.Str(ev.Data, "rowEvents", "row", "data", "name") != "Ann" {
		t.Fatalf("raw SQL insert event: %s", ev.Raw)
	}
	if kind, data := readEvent(); kind != "row.created" || !strings.Contains(data, `"name":"Ann"`) {
		t.Fatalf("stream after insert: %s %s", kind, data)
	}

	if msg := sqlErrors(e.rawSQL(t, `UPDATE people SET age = 32 WHERE id = `+id)); msg != "" {
		t.Fatalf("update: %s", msg)
	}
	ev = c.nextEvent(5 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "UPDATED" || testserver.Str(ev.Data, "rowEvents", "row", "version") != "2" ||
		testserver.Str(ev.Data, "rowEvents", "old", "data", "age") != "31" || testserver.Str(ev.Data, "rowEvents", "row", "data", "age") != "32" {
		t.Fatalf("raw SQL update event: %s", ev.Raw)
	}
	if changed := testserver.Get(ev.Data, "rowEvents", "changedColumns"); fmt.Sprint(changed) != "[age]" {
		t.Errorf("raw SQL update's changedColumns %v, want [age]", changed)
	}
	if kind, data := readEvent(); kind != "row.updated" || !strings.Contains(data, `"age":32`) {
		t.Fatalf("stream after update: %s %s", kind, data)
	}

	versions := e.ok(t, hist, map[string]any{"t": table, "id": id})
	if msg := sqlErrors(e.rawSQL(t, `DELETE FROM people WHERE id = `+id)); msg != "" {
		t.Fatalf("delete: %s", msg)
	}
	ev = c.nextEvent(5 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "DELETED" || testserver.Str(ev.Data, "rowEvents", "row", "id") != id {
		t.Fatalf("raw SQL delete event: %s", ev.Raw)
	}
	if kind, _ := readEvent(); kind != "row.deleted" {
		t.Fatalf("stream after delete: %s", kind)
	}

	var got []string
	list := testserver.Get(versions, "rowHistory").([]any)
	for i := len(list) - 1; i >= 0; i-- {
		got = append(got, testserver.Str(list[i], "op")+"/"+testserver.Str(list[i], "version")+"/"+testserver.Str(list[i], "actor"))
	}
	if want := "CREATE/1/" + apiActor + " UPDATE/2/" + apiActor; strings.Join(got, " ") != want || apiActor == "" {
		t.Errorf("history %q, want %q", strings.Join(got, " "), want)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM row_history WHERE table_id = $1 AND row_id = $2 AND op = 'DELETE' AND actor = $3`,
		table, id, apiActor); n != 1 {
		t.Errorf("%d DELETE history entries by %q, want 1", n, apiActor)
	}
}

// TestRawSQLInvalidSelectIsRefused writes a value that is not one of a select column's
// options through raw SQL: the request fails naming the column, and nothing changes.
func TestRawSQLInvalidSelectIsRefused(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "tasks", colDef{"name": "priority", "type": "SELECT",
		"options": []any{map[string]any{"value": "low"}, map[string]any{"value": "high"}}})
	id := e.insert(t, table, map[string]any{"priority": "low"})[0]
	state := e.dataState(t)
	events := e.eventCount(t)
	msg := sqlErrors(e.rawSQL(t, `UPDATE tasks SET priority = 'urgent'`))
	if !strings.Contains(msg, `column \"priority\"`) || !strings.Contains(msg, "options") {
		t.Errorf("errors %s, want one naming column priority and its options", msg)
	}
	if got := e.dataState(t); got != state {
		t.Errorf("refused SQL changed the data:\n%s\nwas\n%s", got, state)
	}
	if n := e.eventCount(t); n != events {
		t.Errorf("refused SQL wrote %d events", n-events)
	}
	if p := testserver.Str(e.rowData(t, table, id), "priority"); p != "low" {
		t.Errorf("priority %q, want low", p)
	}
}
