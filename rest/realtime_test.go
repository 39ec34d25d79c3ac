package rest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// subClient reads a subscription's messages on a goroutine of its own, so waits with a
// timeout do not break the connection (a gorilla read that times out cannot be retried).
type subClient struct {
	*wsClient
	msgs chan wsMessage
}

// subscribe starts a subscription over graphql-transport-ws.
func subscribe(t *testing.T, srv *testserver.Server, token, id, query string, vars map[string]any) *subClient {
	t.Helper()
	c := dialWS(t, srv, transportWS, nil)
	payload := map[string]any{}
	if token != "" {
		payload["Authorization"] = "Bearer " + token
	}
	c.init(transportWS, payload)
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(wsMessage{Type: "subscribe", ID: id, Payload: body})
	sc := &subClient{wsClient: c, msgs: make(chan wsMessage, 1000)}
	_ = c.conn.SetReadDeadline(time.Time{}) // init's deadline would end the reader; waits time out in message
	go func() {
		defer close(sc.msgs)
		for {
			var m wsMessage
			_, data, err := c.conn.ReadMessage()
			if err != nil {
				return
			}
			if json.Unmarshal(data, &m) == nil && m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
				sc.msgs <- m
			}
		}
	}()
	return sc
}

// message waits for the next message other than keep-alives.
func (c *subClient) message(wait time.Duration) (wsMessage, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	case <-time.After(wait):
		return wsMessage{}, false
	}
}

// nextEvent waits for the next "next" message and decodes its payload.
func (c *subClient) nextEvent(wait time.Duration) testserver.Response {
	c.t.Helper()
	m, ok := c.message(wait)
	if !ok {
		c.t.Fatalf("no event within %v", wait)
	}
	if m.Type != "next" {
		c.t.Fatalf("got %s (%s), want next", m.Type, m.Payload)
	}
	var body struct {
		Data   map[string]any     `json:"data"`
		Errors []testserver.Error `json:"errors"`
	}
	dec := json.NewDecoder(strings.NewReader(string(m.Payload)))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		c.t.Fatal(err)
	}
	return testserver.Response{Data: body.Data, Errors: body.Errors, Raw: m.Payload}
}

// expectType waits for a message of the given type.
func (c *subClient) expectType(typ string, wait time.Duration) wsMessage {
	c.t.Helper()
	m, ok := c.message(wait)
	if !ok || m.Type != typ {
		c.t.Fatalf("got %q (%s), want %s", m.Type, m.Payload, typ)
	}
	return m
}

// drain discards messages until none arrives for quiet.
func (c *subClient) drain(quiet time.Duration) {
	for {
		if _, ok := c.message(quiet); !ok {
			return
		}
	}
}

// waitSubscribed gives the server time to register a subscription: it writes probe rows until
// an event arrives, then drains what the probes caused.
func (e *dataEnv) waitSubscribed(t *testing.T, c *subClient, table string, probe map[string]any) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.insert(t, table, probe)
		if m, ok := c.message(300 * time.Millisecond); ok && m.Type == "next" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the subscription never delivered a probe event")
		}
	}
	c.drain(300 * time.Millisecond)
}

const rowEventsSub = `subscription($t: ID!, $w: RowFilter, $k: [RowEventKind!]) {
	rowEvents(table: $t, where: $w, kinds: $k) { id kind actor row { id version data } old { id version data } }
}`

func TestRowEventsDeliverCreateUpdateDeleteRestore(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	c := subscribe(t, e.srv, e.token, "s1", rowEventsSub, map[string]any{"t": table})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe", "age": 0})

	id := e.insert(t, table, map[string]any{"name": "Ann", "age": 31})[0]
	ev := c.nextEvent(5 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "CREATED" {
		t.Fatalf("kind %q, want CREATED: %s", k, ev.Raw)
	}
	if n := testserver.Str(ev.Data, "rowEvents", "row", "data", "name"); n != "Ann" {
		t.Fatalf("created row name %q: %s", n, ev.Raw)
	}
	if testserver.Get(ev.Data, "rowEvents", "old") != nil {
		t.Fatalf("a created row has no old state: %s", ev.Raw)
	}

	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {age: 32}) { id } }`, map[string]any{"t": table, "id": id})
	ev = c.nextEvent(5 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "UPDATED" {
		t.Fatalf("kind %q, want UPDATED: %s", k, ev.Raw)
	}
	if a, o := testserver.Str(ev.Data, "rowEvents", "row", "data", "age"), testserver.Str(ev.Data, "rowEvents", "old", "data", "age"); a != "32" || o != "31" {
		t.Fatalf("update: age %s (old %s), want 32 (old 31): %s", a, o, ev.Raw)
	}
	if v := testserver.Str(ev.Data, "rowEvents", "row", "version"); v != "2" {
		t.Fatalf("updated version %s, want 2", v)
	}

	e.ok(t, `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, map[string]any{"t": table, "id": id})
	ev = c.nextEvent(5 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "DELETED" || testserver.Str(ev.Data, "rowEvents", "row", "id") != id {
		t.Fatalf("delete event: %s", ev.Raw)
	}

	e.ok(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": table, "id": id})
	ev = c.nextEvent(5 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "RESTORED" || testserver.Str(ev.Data, "rowEvents", "row", "data", "name") != "Ann" {
		t.Fatalf("restore event: %s", ev.Raw)
	}
}

func TestRowEventsFilterAndKinds(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	// Only rows aged over 30, only creations.
	c := subscribe(t, e.srv, e.token, "s1", rowEventsSub, map[string]any{
		"t": table, "w": map[string]any{"column": "age", "op": "gt", "value": 30}, "k": []string{"CREATED"},
	})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe", "age": 99})
	young := e.insert(t, table, map[string]any{"name": "Young", "age": 20})[0]
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {age: 40}) { id } }`, map[string]any{"t": table, "id": young})
	e.insert(t, table, map[string]any{"name": "Old", "age": 70})
	ev := c.nextEvent(5 * time.Second)
	if n := testserver.Str(ev.Data, "rowEvents", "row", "data", "name"); n != "Old" {
		t.Fatalf("first event after the warm-up is %q, want Old (Young is not over 30 when created, and updates are not subscribed): %s", n, ev.Raw)
	}
}

func TestRowEventsRefusals(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	cases := []struct {
		name, token string
		vars        map[string]any
		code        string
	}{
		{"unknown table", e.token, map[string]any{"t": "999999"}, "NOT_FOUND"},
		{"bad filter column", e.token, map[string]any{"t": table, "w": map[string]any{"column": "nope", "op": "eq", "value": 1}}, "BAD_USER_INPUT"},
		{"no credentials", "", map[string]any{"t": table}, "UNAUTHENTICATED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := subscribe(t, e.srv, tc.token, "x", rowEventsSub, tc.vars)
			ev := c.nextEvent(5 * time.Second)
			if len(ev.Errors) != 1 || ev.Errors[0].Code() != tc.code || ev.Data["rowEvents"] != nil {
				t.Fatalf("want one %s error and no data, got %s", tc.code, ev.Raw)
			}
			c.expectType("complete", 5*time.Second)
		})
	}
}

func TestRevokedTokenEndsSubscription(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	created := e.ok(t, `mutation { createToken(input: {name: "reader", scopes: [READ]}) { token { id } secret } }`, nil)
	secret := testserver.Str(created, "createToken", "secret")
	tokenID := testserver.Str(created, "createToken", "token", "id")
	c := subscribe(t, e.srv, secret, "s1", rowEventsSub, map[string]any{"t": table})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe", "age": 0})

	// Revoke it directly in the database, as another process would: the watcher must notice.
	if _, err := e.srv.Store.DB().Exec(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, tokenID); err != nil {
		t.Fatal(err)
	}
	// The subscription ends with an error message (graphql-transport-ws "error").
	m := c.expectType("error", 5*time.Second)
	var errs []testserver.Error
	if err := json.Unmarshal(m.Payload, &errs); err != nil || len(errs) != 1 || errs[0].Code() != "UNAUTHENTICATED" {
		t.Fatalf("want one UNAUTHENTICATED error, got %s", m.Payload)
	}
	if m.ID != "s1" {
		t.Fatalf("error for operation %q, want s1", m.ID)
	}
}

func TestTableEvents(t *testing.T) {
	e := newDataEnv(t)
	c := subscribe(t, e.srv, e.token, "s1", `subscription($d: ID!) { tableEvents(database: $d) { id kind tableId table { name } } }`,
		map[string]any{"d": e.db})
	var table string
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ { // the first creations may precede the subscription's registration
		table, _ = e.createTable(t, "t"+string(rune('a'+i)), colDef{"name": "name", "type": "TEXT"})
		if m, ok := c.message(500 * time.Millisecond); ok && m.Type == "next" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no table event")
		}
	}
	c.drain(300 * time.Millisecond)
	e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "age", type: INTEGER}) { id } }`, map[string]any{"t": table})
	// A creation of the loop may still be on its way (the drain can end early on a busy
	// machine); the column event is the first one after them.
	for {
		ev := c.nextEvent(5 * time.Second)
		k := testserver.Str(ev.Data, "tableEvents", "kind")
		if k == "table.created" {
			continue
		}
		if k != "column.created" || testserver.Str(ev.Data, "tableEvents", "tableId") != table {
			t.Fatalf("column event: %s", ev.Raw)
		}
		break
	}
}

func TestEventStreamResumesFromLastEventID(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	e.insert(t, table, map[string]any{"name": "a", "age": 1})
	e.insert(t, table, map[string]any{"name": "b", "age": 2})
	e.insert(t, table, map[string]any{"name": "c", "age": 3})
	var ids []string
	for _, s := range strings.Split(e.sqlText(t, `SELECT string_agg(id::text, ',' ORDER BY id) FROM events WHERE table_id = $1 AND kind = 'row.created'`, table), ",") {
		ids = append(ids, s)
	}
	if len(ids) != 3 {
		t.Fatalf("events: %v", ids)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/events/stream?table="+table, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Last-Event-ID", ids[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	readEvent := func() (id, kind, data string) {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "id: "):
				id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && kind != "":
				return
			}
		}
	}
	for _, want := range ids[1:] {
		id, kind, _ := readEvent()
		if id != want || kind != "row.created" {
			t.Fatalf("replayed event %s %s, want %s row.created", id, kind, want)
		}
	}
	// Then live: a new write arrives on the open stream.
	e.insert(t, table, map[string]any{"name": "d", "age": 4})
	_, kind, data := readEvent()
	if kind != "row.created" || !strings.Contains(data, `"name":"d"`) {
		t.Fatalf("live event %s %s", kind, data)
	}
}

func TestEventStreamRefusals(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"})
	for _, tc := range []struct {
		query, token string
		status       int
	}{
		{"table=" + table, "", http.StatusUnauthorized},
		{"table=" + table, "nope", http.StatusUnauthorized},
		{"table=999999", e.token, http.StatusNotFound},
		{"table=abc", e.token, http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/events/stream?"+tc.query, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s with token %q: status %d, want %d", tc.query, tc.token, resp.StatusCode, tc.status)
		}
	}
}

// TestScaleOutAcrossServers runs two servers on one database, as two gqlbase processes on
// one Postgres: a subscriber on A receives a row written through B, and A's cache serves the
// new value of a row B changed right after the event.
func TestScaleOutAcrossServers(t *testing.T) {
	a := testserver.Start(t)
	b := testserver.StartWith(t, testserver.Options{DSN: a.DSN})
	e := &dataEnv{srv: a, token: a.AdminToken}
	e.db = e.createDatabase(t, "main")
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	id := e.insert(t, table, map[string]any{"name": "Ann", "age": 30})[0]
	rowQuery := `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { version data } }`
	vars := map[string]any{"t": table, "id": id}
	// Warm A's cache with the row.
	a.Platform(t, a.AdminToken, rowQuery, vars).OK(t)

	c := subscribe(t, a, a.AdminToken, "s1", rowEventsSub, map[string]any{"t": table})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe", "age": 0})

	// Write through B.
	b.Platform(t, b.AdminToken, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {age: 31}) { id } }`, vars).OK(t)
	ev := c.nextEvent(10 * time.Second)
	if k := testserver.Str(ev.Data, "rowEvents", "kind"); k != "UPDATED" || testserver.Str(ev.Data, "rowEvents", "row", "data", "age") != "31" {
		t.Fatalf("A's subscriber got %s", ev.Raw)
	}
	// The event reached A, so A's cache has dropped the stale row.
	got := a.Platform(t, a.AdminToken, rowQuery, vars).OK(t)
	if age := testserver.Str(got, "row", "data", "age"); age != "31" {
		t.Fatalf("A serves age %s after B's update, want 31", age)
	}
	b.Platform(t, b.AdminToken, `mutation($r: [JSON!]!) { insertRows(table: "`+table+`", rows: $r) { id } }`,
		map[string]any{"r": []any{map[string]any{"name": "Bob", "age": 5}}}).OK(t)
	ev = c.nextEvent(10 * time.Second)
	if testserver.Str(ev.Data, "rowEvents", "kind") != "CREATED" || testserver.Str(ev.Data, "rowEvents", "row", "data", "name") != "Bob" {
		t.Fatalf("A's subscriber got %s for B's insert", ev.Raw)
	}
}

// TestMultiplexedSubscriptionsShareOneRunButNotCredentials: two tokens with the same access
// share one execution of the same subscription; revoking one ends only its own.
func TestMultiplexedSubscriptionsShareOneRunButNotCredentials(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	created := e.ok(t, `mutation { createToken(input: {name: "twin", scopes: [READ, WRITE, SCHEMA, FILES, ADMIN]}) { token { id } secret } }`, nil)
	twin := testserver.Str(created, "createToken", "secret")
	vars := map[string]any{"t": table}
	a := subscribe(t, e.srv, e.token, "a", rowEventsSub, vars)
	b := subscribe(t, e.srv, twin, "b", rowEventsSub, vars)
	other := subscribe(t, e.srv, e.token, "o", rowEventsSub, map[string]any{"t": table, "k": []string{"UPDATED"}})
	waitFor(t, 10*time.Second, func() bool { _, n := e.srv.API.Subscriptions(); return n == 3 }, func() string { return "subscriptions not registered" })
	if running, _ := e.srv.API.Subscriptions(); running != 2 {
		t.Fatalf("%d executions for two identical subscriptions and a different one, want 2", running)
	}
	e.insert(t, table, map[string]any{"name": "Ann", "age": 1})
	for _, c := range []*subClient{a, b} {
		if n := testserver.Str(c.nextEvent(5*time.Second).Data, "rowEvents", "row", "data", "name"); n != "Ann" {
			t.Fatalf("member got %q", n)
		}
	}
	if _, err := e.srv.Store.DB().Exec(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, testserver.Str(created, "createToken", "token", "id")); err != nil {
		t.Fatal(err)
	}
	m := b.expectType("error", 5*time.Second)
	if !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Fatalf("revoked member ended with %s", m.Payload)
	}
	e.insert(t, table, map[string]any{"name": "Bob", "age": 2})
	if n := testserver.Str(a.nextEvent(5*time.Second).Data, "rowEvents", "row", "data", "name"); n != "Bob" {
		t.Fatalf("the other member stopped receiving: got %q", n)
	}
	if _, ok := other.message(300 * time.Millisecond); ok {
		t.Fatal("the UPDATED-only subscription received a creation")
	}
}

func TestExpiringTokenEndsSubscription(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	expires := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
	created := e.ok(t, `mutation($at: Time!) { createToken(input: {name: "short", scopes: [READ], expiresAt: $at}) { secret } }`,
		map[string]any{"at": expires})
	c := subscribe(t, e.srv, testserver.Str(created, "createToken", "secret"), "s1", rowEventsSub, map[string]any{"t": table})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe", "age": 0})
	// The token expires 3 s after creation; the subscription must end within 5 s of that.
	m := c.expectType("error", 10*time.Second)
	if !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Fatalf("subscription of an expired token ended with %s", m.Payload)
	}
}

// TestMultiplexedMembersGetEveryEventIntact: many members of one group, a burst of writes;
// each member must receive every event with its own data intact (the group's response is
// shared by goroutines that marshal it at once).
func TestMultiplexedMembersGetEveryEventIntact(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	const members, writes = 12, 40
	vars := map[string]any{"t": table, "k": []string{"CREATED"}}
	clients := make([]*subClient, members)
	for i := range clients {
		clients[i] = subscribe(t, e.srv, e.token, "m", rowEventsSub, vars)
	}
	waitFor(t, 10*time.Second, func() bool { _, n := e.srv.API.Subscriptions(); return n == members }, func() string { return "members not registered" })
	for i := 0; i < writes; i++ {
		e.insert(t, table, map[string]any{"name": fmt.Sprintf("row %02d", i), "age": i})
	}
	for m, c := range clients {
		for i := 0; i < writes; i++ {
			ev := c.nextEvent(10 * time.Second)
			if got, want := testserver.Str(ev.Data, "rowEvents", "row", "data", "name"), fmt.Sprintf("row %02d", i); got != want {
				t.Fatalf("member %d, event %d: %q, want %q (%s)", m, i, got, want, ev.Raw)
			}
		}
	}
}
