package rest_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// revocationDeadline bounds how long a test waits for a change to reach an open socket; the
// server promises 2 s, the margin is for slow machines.
const revocationDeadline = 15 * time.Second

// socketOp runs one query or mutation on the subscription client's socket (its reader
// goroutine owns the connection) and returns its result; messages of other operations are
// kept aside in others.
func (c *subClient) socketOp(id, query string, vars map[string]any, others *[]wsMessage) testserver.Response {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(wsMessage{Type: "subscribe", ID: id, Payload: body})
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, ok := c.message(time.Until(deadline))
		if !ok {
			c.t.Fatalf("no result for %s", id)
		}
		if m.ID != id {
			*others = append(*others, m)
			continue
		}
		var out testserver.Response
		switch m.Type {
		case "next":
			var b struct {
				Data   map[string]any     `json:"data"`
				Errors []testserver.Error `json:"errors"`
			}
			if err := json.Unmarshal(m.Payload, &b); err != nil {
				c.t.Fatal(err)
			}
			out.Data, out.Errors, out.Raw = b.Data, b.Errors, m.Payload
			for m.Type != "complete" { // the operation's complete follows
				if m, ok = c.message(5 * time.Second); !ok {
					c.t.Fatalf("%s did not complete", id)
				}
				if m.ID != id {
					*others = append(*others, m)
				}
			}
		case "error":
			if err := json.Unmarshal(m.Payload, &out.Errors); err != nil {
				c.t.Fatal(err)
			}
			out.Raw = m.Payload
		default:
			c.t.Fatalf("%s answered %s (%s)", id, m.Type, m.Payload)
		}
		return out
	}
}

// refusedUntil repeats an operation until it is refused with code, within the deadline; it
// returns the refusal.
func (c *subClient) refusedUntil(name, query string, vars map[string]any, code string, others *[]wsMessage) testserver.Response {
	c.t.Helper()
	deadline := time.Now().Add(revocationDeadline)
	for i := 0; ; i++ {
		resp := c.socketOp(name+"-"+itoa(i), query, vars, others)
		if len(resp.Errors) > 0 && resp.Errors[0].Code() == code {
			for k, v := range resp.Data {
				if v != nil {
					c.t.Fatalf("%s: refused with data for %s: %s", name, k, resp.Raw)
				}
			}
			return resp
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s still answered %s after %v, want %s", name, resp.Raw, revocationDeadline, code)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// subscriptionEnded waits until subscription id ends with an error and returns its code: a
// graphql-transport-ws "error", or a last "next" carrying the error (the typed API's live
// queries) followed by "complete".
func (c *subClient) subscriptionEnded(id string, seen []wsMessage) string {
	c.t.Helper()
	deadline := time.Now().Add(revocationDeadline)
	for {
		var m wsMessage
		if len(seen) > 0 {
			m, seen = seen[0], seen[1:]
		} else {
			var ok bool
			if m, ok = c.message(time.Until(deadline)); !ok {
				c.t.Fatalf("subscription %s did not end within %v", id, revocationDeadline)
			}
		}
		if m.ID != id {
			continue
		}
		switch m.Type {
		case "error":
			var errs []testserver.Error
			if err := json.Unmarshal(m.Payload, &errs); err != nil || len(errs) == 0 {
				c.t.Fatalf("error message %s", m.Payload)
			}
			return errs[0].Code()
		case "next":
			var b struct {
				Errors []testserver.Error `json:"errors"`
			}
			if json.Unmarshal(m.Payload, &b) == nil && len(b.Errors) > 0 {
				return b.Errors[0].Code()
			}
		case "complete":
			c.t.Fatalf("subscription %s completed without an error", id)
		}
	}
}

func TestSocketRevokedTokenRefusesOperationsAndEndsSubscription(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"})
	secret, tokenID := newToken(t, e.srv, e.token, map[string]any{"name": "app", "scopes": []string{"READ", "WRITE"}})
	c := subscribe(t, e.srv, secret, "s1", rowEventsSub, map[string]any{"t": table})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe"})
	var others []wsMessage
	if resp := c.socketOp("before", `{ me { kind } }`, nil, &others); testserver.Str(resp.Data, "me", "kind") != "TOKEN" {
		t.Fatalf("before revocation: %s", resp.Raw)
	}

	e.ok(t, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tokenID})

	if code := c.subscriptionEnded("s1", others); code != "UNAUTHENTICATED" {
		t.Errorf("subscription ended with %s, want UNAUTHENTICATED", code)
	}
	others = nil
	c.refusedUntil("query", `{ me { kind } }`, nil, "UNAUTHENTICATED", &others)
	c.refusedUntil("mutation", `mutation($t: ID!) { insertRows(table: $t, rows: [{name: "late"}]) { id } }`,
		map[string]any{"t": table}, "UNAUTHENTICATED", &others)
	if n := e.sqlInt(t, `SELECT count(*) FROM events WHERE payload::text LIKE '%late%'`); n != 0 {
		t.Errorf("the refused mutation wrote %d events", n)
	}
}

// A token revoked through another process reaches this one's open socket once the short
// credential cache expires.
func TestSocketRevokedInAnotherProcessIsRefused(t *testing.T) {
	e := newDataEnv(t)
	other := testserver.StartWith(t, testserver.Options{DSN: e.srv.DSN})
	secret, tokenID := newToken(t, e.srv, e.token, map[string]any{"name": "app", "scopes": []string{"READ"}})
	c := subscribe(t, e.srv, secret, "s1", `subscription($d: ID!) { tableEvents(database: $d) { id } }`, map[string]any{"d": e.db})
	var others []wsMessage
	if resp := c.socketOp("before", `{ me { kind } }`, nil, &others); testserver.Str(resp.Data, "me", "kind") != "TOKEN" {
		t.Fatalf("before revocation: %s", resp.Raw)
	}
	other.Platform(t, e.token, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tokenID}).OK(t)
	c.refusedUntil("query", `{ me { kind } }`, nil, "UNAUTHENTICATED", &others)
	if code := c.subscriptionEnded("s1", others); code != "UNAUTHENTICATED" {
		t.Errorf("subscription ended with %s, want UNAUTHENTICATED", code)
	}
}

// sharedTable makes a database and a table in owner's workspace and joins member to it with
// role; it returns the table id and the membership id.
func sharedTable(t *testing.T, srv *testserver.Server, owner, member *account, role string) (table, membership string) {
	t.Helper()
	data := srv.Platform(t, owner.session, `mutation($ws: ID!) { createDatabase(input: {name: "shared", workspaceId: $ws}) { id } }`,
		map[string]any{"ws": owner.workspaceID}).OK(t)
	db := testserver.Str(data, "createDatabase", "id")
	data = srv.Platform(t, owner.session, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"databaseId": db, "name": "notes", "columns": []any{map[string]any{"name": "name", "type": "TEXT"}}}}).OK(t)
	return testserver.Str(data, "createTable", "id"), join(t, srv, owner, owner.workspaceID, member, role)
}

func TestSocketRemovedMemberIsRefused(t *testing.T) {
	srv := testserver.Start(t)
	ann, bob := signUp(t, srv, "ann@example.com"), signUp(t, srv, "bob@example.com")
	table, membership := sharedTable(t, srv, ann, bob, "EDITOR")
	c := subscribe(t, srv, bob.session, "s1", rowEventsSub, map[string]any{"t": table})
	const read = `query($id: ID!) { workspace(id: $id) { name } }`
	var others []wsMessage
	if resp := c.socketOp("before", read, map[string]any{"id": ann.workspaceID}, &others); len(resp.Errors) > 0 {
		t.Fatalf("before removal: %s", resp.Raw)
	}
	// The subscription runs: an insert by ann reaches bob.
	waitForEvent(t, srv, ann.session, table, c, &others)

	srv.Platform(t, ann.session, `mutation($id: ID!) { removeMember(memberId: $id) }`, map[string]any{"id": membership}).OK(t)

	if code := c.subscriptionEnded("s1", others); code != "FORBIDDEN" {
		t.Errorf("subscription ended with %s, want FORBIDDEN (access changed)", code)
	}
	others = nil
	c.refusedUntil("query", read, map[string]any{"id": ann.workspaceID}, "NOT_FOUND", &others)
	// The session itself still works for bob's own workspace.
	if resp := c.socketOp("own", read, map[string]any{"id": bob.workspaceID}, &others); len(resp.Errors) > 0 {
		t.Errorf("bob's own workspace: %s", resp.Raw)
	}
}

func TestSocketRoleChangedToViewerRefusesMutation(t *testing.T) {
	srv := testserver.Start(t)
	ann, bob := signUp(t, srv, "ann@example.com"), signUp(t, srv, "bob@example.com")
	table, membership := sharedTable(t, srv, ann, bob, "EDITOR")
	c := subscribe(t, srv, bob.session, "s1", `subscription($t: ID!) { rowEvents(table: $t) { id } }`, map[string]any{"t": table})
	const insert = `mutation($t: ID!) { insertRows(table: $t, rows: [{name: "x"}]) { id } }`
	var others []wsMessage
	if resp := c.socketOp("before", insert, map[string]any{"t": table}, &others); len(resp.Errors) > 0 {
		t.Fatalf("an editor's insert: %s", resp.Raw)
	}
	srv.Platform(t, ann.session, `mutation($id: ID!) { updateMemberRole(memberId: $id, role: VIEWER) { role } }`,
		map[string]any{"id": membership}).OK(t)
	c.refusedUntil("mutation", insert, map[string]any{"t": table}, "FORBIDDEN", &others)
	// Reading is still allowed to a viewer.
	if resp := c.socketOp("read", `query($t: ID!) { rows(table: $t) { totalCount } }`, map[string]any{"t": table}, &others); len(resp.Errors) > 0 {
		t.Errorf("a viewer's read: %s", resp.Raw)
	}
}

// waitForEvent inserts rows as token until the subscription delivers one.
func waitForEvent(t *testing.T, srv *testserver.Server, token, table string, c *subClient, others *[]wsMessage) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		srv.Platform(t, token, `mutation($t: ID!) { insertRows(table: $t, rows: [{name: "probe"}]) { id } }`, map[string]any{"t": table}).OK(t)
		if m, ok := c.message(300 * time.Millisecond); ok {
			if m.Type == "next" {
				c.drain(300 * time.Millisecond)
				return
			}
			*others = append(*others, m)
		}
		if time.Now().After(deadline) {
			t.Fatal("the subscription never delivered an event")
		}
	}
}

// dialSub opens a graphql-transport-ws socket on path with a reader goroutine.
func dialSub(t *testing.T, srv *testserver.Server, path string, initPayload map[string]any) *subClient {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, Subprotocols: []string{transportWS}}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+path, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	c := &wsClient{t: t, conn: conn}
	c.init(transportWS, initPayload)
	sc := &subClient{wsClient: c, msgs: make(chan wsMessage, 1000)}
	_ = c.conn.SetReadDeadline(time.Time{}) // init's deadline would end the reader; waits time out in message
	go func() {
		defer close(sc.msgs)
		for {
			var m wsMessage
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if json.Unmarshal(data, &m) == nil && m.Type != "ping" && m.Type != "pong" {
				sc.msgs <- m
			}
		}
	}()
	return sc
}

func TestReadonlySocketEndsOnRegeneratedID(t *testing.T) {
	e := newTypedEnv(t)
	e.table(t, "notes", map[string]any{"name": "name", "type": "TEXT"})
	data := e.srv.Platform(t, e.srv.AdminToken, `query($id: ID!) { database(id: $id) { readonlyId } }`, map[string]any{"id": e.db}).OK(t)
	c := dialSub(t, e.srv, "/readonly/"+testserver.Str(data, "database", "readonlyId")+"/graphql", map[string]any{})
	body, _ := json.Marshal(map[string]any{"query": `subscription { notes_aggregate { aggregate { count } } }`})
	c.send(wsMessage{Type: "subscribe", ID: "s1", Payload: body})
	if m, ok := c.message(10 * time.Second); !ok || m.Type != "next" || m.ID != "s1" {
		t.Fatalf("first live result: %v %s", ok, m.Payload)
	}
	var others []wsMessage
	if resp := c.socketOp("before", `{ notes { name } }`, nil, &others); len(resp.Errors) > 0 {
		t.Fatalf("before regeneration: %s", resp.Raw)
	}

	e.srv.Platform(t, e.srv.AdminToken, `mutation($id: ID!) { regenerateReadonlyId(id: $id) { readonlyId } }`, map[string]any{"id": e.db}).OK(t)

	if code := c.subscriptionEnded("s1", others); code != "UNAUTHENTICATED" {
		t.Errorf("live query ended with %s, want UNAUTHENTICATED", code)
	}
	others = nil
	c.refusedUntil("query", `{ notes { name } }`, nil, "UNAUTHENTICATED", &others)
}

func TestTypedSocketRevokedTokenIsRefused(t *testing.T) {
	e := newTypedEnv(t)
	e.table(t, "notes", map[string]any{"name": "name", "type": "TEXT"})
	secret, tokenID := newToken(t, e.srv, e.srv.AdminToken, map[string]any{"name": "app", "scopes": []string{"READ", "WRITE"}})
	c := dialSub(t, e.srv, e.path, map[string]any{"Authorization": "Bearer " + secret})
	body, _ := json.Marshal(map[string]any{"query": `subscription { notes { name } }`})
	c.send(wsMessage{Type: "subscribe", ID: "s1", Payload: body})
	if m, ok := c.message(10 * time.Second); !ok || m.Type != "next" || m.ID != "s1" {
		t.Fatalf("first live result: %v %s", ok, m.Payload)
	}
	var others []wsMessage
	const insert = `mutation { insert_notes_one(object: {name: "x"}) { name } }`
	if resp := c.socketOp("before", insert, nil, &others); len(resp.Errors) > 0 {
		t.Fatalf("before revocation: %s", resp.Raw)
	}
	e.srv.Platform(t, e.srv.AdminToken, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tokenID}).OK(t)
	if code := c.subscriptionEnded("s1", others); code != "UNAUTHENTICATED" {
		t.Errorf("live query ended with %s, want UNAUTHENTICATED", code)
	}
	others = nil
	c.refusedUntil("query", `{ notes { name } }`, nil, "UNAUTHENTICATED", &others)
	c.refusedUntil("mutation", insert, nil, "UNAUTHENTICATED", &others)
}

func TestSocketLoggedOutSessionIsRefused(t *testing.T) {
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	c := dialSub(t, srv, "/graphql", map[string]any{"Authorization": "Bearer " + ann.session})
	var others []wsMessage
	if resp := c.socketOp("before", `{ me { user { email } } }`, nil, &others); testserver.Str(resp.Data, "me", "user", "email") != ann.email {
		t.Fatalf("before log-out: %s", resp.Raw)
	}
	srv.Platform(t, ann.session, `mutation { logOut }`, nil).OK(t)
	c.refusedUntil("query", `{ me { user { email } } }`, nil, "UNAUTHENTICATED", &others)
}
