package rest_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// typedEnv is a server with one database for typed API tests.
type typedEnv struct {
	srv   *testserver.Server
	db    string // database id
	path  string // /dbs/<id>/graphql
	stmts *stmtLog
}

// stmtLog records the statements the server's store sends.
type stmtLog struct {
	mu   sync.Mutex
	list []string
}

func (l *stmtLog) add(_ context.Context, q string) {
	l.mu.Lock()
	l.list = append(l.list, q)
	l.mu.Unlock()
}

func (l *stmtLog) reset() {
	l.mu.Lock()
	l.list = nil
	l.mu.Unlock()
}

// matching returns the recorded statements that contain s.
func (l *stmtLog) matching(s string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, q := range l.list {
		if strings.Contains(q, s) {
			out = append(out, q)
		}
	}
	return out
}

func newTypedEnv(t *testing.T) *typedEnv {
	t.Helper()
	log := &stmtLog{}
	srv := testserver.StartWith(t, testserver.Options{OnStatement: log.add})
	data := srv.Platform(t, srv.AdminToken, `mutation { createDatabase(input: {name: "music"}) { id } }`, nil).OK(t)
	db := testserver.Str(data, "createDatabase", "id")
	return &typedEnv{srv: srv, db: db, path: "/dbs/" + db + "/graphql", stmts: log}
}

// table creates a table with columns (platform ColumnInput objects) and returns its id.
func (e *typedEnv) table(t *testing.T, name string, columns ...map[string]any) string {
	t.Helper()
	data := e.srv.Platform(t, e.srv.AdminToken, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"databaseId": e.db, "name": name, "columns": columns}}).OK(t)
	return testserver.Str(data, "createTable", "id")
}

// q runs a typed query with the admin token and fails on errors.
func (e *typedEnv) q(t *testing.T, query string, vars map[string]any) map[string]any {
	t.Helper()
	return e.srv.GraphQL(t, e.path, e.srv.AdminToken, query, vars).OK(t)
}

// qErr runs a typed query that must fail and returns its first error code and message.
func (e *typedEnv) qErr(t *testing.T, query string, vars map[string]any) (string, string) {
	t.Helper()
	r := e.srv.GraphQL(t, e.path, e.srv.AdminToken, query, vars)
	if len(r.Errors) == 0 {
		t.Fatalf("want an error, got %s", r.Raw)
	}
	return r.Errors[0].Code(), r.Errors[0].Message
}

func col(name, typ string, extra ...any) map[string]any {
	m := map[string]any{"name": name, "type": typ}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// music creates genres, albums and tracks (tracks.album → albums, tracks.genre → genres) with
// a few rows, through the typed API.
func (e *typedEnv) music(t *testing.T) (genres, albums, tracks string) {
	t.Helper()
	genres = e.table(t, "genres", col("name", "TEXT", "unique", true))
	albums = e.table(t, "albums", col("title", "TEXT", "nullable", false), col("year", "INTEGER"))
	tracks = e.table(t, "tracks", col("name", "TEXT"), col("album", "LINK", "linkTable", albums),
		col("genre", "LINK", "linkTable", genres), col("ms", "INTEGER"), col("price", "DECIMAL"))
	e.q(t, `mutation {
		insert_genres(objects: [{name: "Rock"}, {name: "Jazz"}]) { affected_rows }
		insert_albums(objects: [{title: "A1", year: 1970}, {title: "A2", year: 1980}, {title: "A3"}]) { affected_rows }
	}`, nil)
	e.q(t, `mutation {
		insert_tracks(objects: [
			{name: "t1", album: 1, genre: 1, ms: 100, price: "0.99"},
			{name: "t2", album: 1, genre: 2, ms: 200, price: "1.10"},
			{name: "t3", album: 2, genre: 1, ms: 300, price: "0.50"},
			{name: "t4", album: 2, ms: 400},
			{name: "t5", ms: 500}
		]) { affected_rows }
	}`, nil)
	return genres, albums, tracks
}
