package rest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/e2e"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// token creates a token of the admin's workspace.
func (e *typedEnv) token(t *testing.T, input map[string]any) string {
	t.Helper()
	data := e.srv.Platform(t, e.srv.AdminToken, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": input}).OK(t)
	return testserver.Str(data, "createToken", "secret")
}

func TestTypedAccess(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	const read = `{ albums(limit: 1) { title } }`
	const write = `mutation { insert_genres_one(object: {name: "Blues"}) { id } }`

	// No credentials, a bad token, an unknown database.
	for _, c := range []struct {
		path, token string
		status      int
		code        string
	}{
		{e.path, "", http.StatusUnauthorized, "UNAUTHENTICATED"},
		{e.path, "gqb_nope", http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"/dbs/999999/graphql", e.srv.AdminToken, http.StatusNotFound, "NOT_FOUND"},
		{"/dbs/abc/graphql", e.srv.AdminToken, http.StatusNotFound, "NOT_FOUND"},
		{"/readonly/ro_nope/graphql", "", http.StatusNotFound, "NOT_FOUND"},
	} {
		r := e.srv.GraphQL(t, c.path, c.token, read, nil)
		if r.Status != c.status || len(r.Errors) != 1 || r.Errors[0].Code() != c.code {
			t.Errorf("%s with %q: %d %s, want %d %s", c.path, c.token, r.Status, r.Raw, c.status, c.code)
		}
	}

	// A token restricted to another database is refused.
	other := testserver.Str(e.srv.Platform(t, e.srv.AdminToken, `mutation { createDatabase(input: {name: "other"}) { id } }`, nil).OK(t), "createDatabase", "id")
	elsewhere := e.token(t, map[string]any{"name": "elsewhere", "scopes": []string{"READ", "WRITE"},
		"databases": []any{map[string]any{"databaseId": other, "access": "WRITE"}}})
	if r := e.srv.GraphQL(t, e.path, elsewhere, read, nil); r.Status != http.StatusForbidden || r.Errors[0].Code() != "FORBIDDEN" {
		t.Errorf("token of another database: %s", r.Raw)
	}

	// Read-only tokens see a schema without mutations.
	for name, tok := range map[string]string{
		"read scope": e.token(t, map[string]any{"name": "reader", "scopes": []string{"READ"}}),
		"read access to the database": e.token(t, map[string]any{"name": "dbreader", "scopes": []string{"READ", "WRITE"},
			"databases": []any{map[string]any{"databaseId": e.db, "access": "READ"}}}),
	} {
		if data := e.srv.GraphQL(t, e.path, tok, read, nil).OK(t); jsonOf(data) != `{"albums":[{"title":"A1"}]}` {
			t.Errorf("%s: read gave %s", name, jsonOf(data))
		}
		r := e.srv.GraphQL(t, e.path, tok, write, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: a mutation answered %s", name, r.Raw)
		}
		data := e.srv.GraphQL(t, e.path, tok, `{ __schema { mutationType { name } subscriptionType { name } } }`, nil).OK(t)
		if got := jsonOf(data); got != `{"__schema":{"mutationType":null,"subscriptionType":{"name":"Subscription"}}}` {
			t.Errorf("%s: %s", name, got)
		}
	}
	writer := e.token(t, map[string]any{"name": "writer", "scopes": []string{"READ", "WRITE"}})
	e.srv.GraphQL(t, e.path, writer, write, nil).OK(t)

	// The read-only id alone grants reading, and nothing else.
	data := e.srv.Platform(t, e.srv.AdminToken, `query($id: ID!) { database(id: $id) { readonlyId } }`, map[string]any{"id": e.db}).OK(t)
	ro := "/readonly/" + testserver.Str(data, "database", "readonlyId") + "/graphql"
	if data := e.srv.GraphQL(t, ro, "", read, nil).OK(t); jsonOf(data) != `{"albums":[{"title":"A1"}]}` {
		t.Errorf("read-only endpoint: %s", jsonOf(data))
	}
	for _, tok := range []string{"", e.srv.AdminToken} {
		r := e.srv.GraphQL(t, ro, tok, write, nil)
		if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "mutation") {
			t.Errorf("read-only endpoint took a mutation (token %q): %s", tok, r.Raw)
		}
	}
	// Regenerating the read-only id ends the old one.
	e.srv.Platform(t, e.srv.AdminToken, `mutation($id: ID!) { regenerateReadonlyId(id: $id) { id } }`, map[string]any{"id": e.db}).OK(t)
	if r := e.srv.GraphQL(t, ro, "", read, nil); r.Status != http.StatusNotFound {
		t.Errorf("old read-only id: %s", r.Raw)
	}
}

func TestTypedReservedWordsQuotesAndUnicode(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	parent := e.table(t, "parents", col("user", "TEXT", "label", `Ünïcødé "label" with 'quotes' ✓`, "description", `a "quoted" ∂escription\`))
	e.table(t, "things",
		col("select", "TEXT", "label", `"; DROP TABLE things; --`), col("order", "INTEGER"), col("from", "LINK", "linkTable", parent),
		col("user", "DECIMAL", "unique", true), col("group", "JSON"), col("true", "BOOLEAN"), col("_and", "TEXT"))
	e.q(t, `mutation {
		insert_parents(objects: [{user: "ü1"}, {user: "p\"2"}]) { affected_rows }
		insert_things(objects: [
			{select: "a'b", order: 2, from: 1, user: "1.5", group: {k: "v"}, true: true, _and: "x"},
			{select: "c\"d", order: 1, from: 2, user: "2.5", group: [1], true: false},
			{select: "ünï", order: 3, user: "3"}
		]) { affected_rows }
	}`, nil)
	data := e.q(t, `{
		things(where: {select: {_like: "%'%"}, order: {_gte: 1}, user: {_lt: "2"}, from_rel: {user: {_eq: "ü1"}}}, order_by: [{order: desc}, {select: asc}]) {
			select order user group true _and from from_rel { user things_by_from { select } }
		}
		things_aggregate(distinct_on: [order], order_by: {order: asc}) { aggregate { count(columns: [select], distinct: true) max { order user select } sum { order user } } }
		parents(order_by: {user: desc}) { user things_by_from_aggregate(where: {true: {_eq: false}}) { aggregate { count } } }
	}`, nil)
	want := `{"parents":[{"things_by_from_aggregate":{"aggregate":{"count":0}},"user":"ü1"},{"things_by_from_aggregate":{"aggregate":{"count":1}},"user":"p\"2"}],` +
		`"things":[{"_and":"x","from":1,"from_rel":{"things_by_from":[{"select":"a'b"}],"user":"ü1"},"group":{"k":"v"},"order":2,"select":"a'b","true":true,"user":"1.5"}],` +
		`"things_aggregate":{"aggregate":{"count":3,"max":{"order":3,"select":"ünï","user":"3"},"sum":{"order":6,"user":"7.0"}}}}`
	if got := jsonOf(data); got != want {
		t.Errorf("reserved words:\n got %s\nwant %s", got, want)
	}
	// Upsert on the unique column named user, update through a reserved word.
	data = e.q(t, `mutation {
		insert_things(objects: [{user: "3", select: "upd"}], on_conflict: {constraint: things_user_key, update_columns: [select]}) { returning { select order } }
		update_things(where: {order: {_eq: 1}}, _inc: {order: 10}) { returning { order } }
		delete_things(where: {select: {_eq: "c\"d"}}) { affected_rows }
	}`, nil)
	if got := jsonOf(data); got != `{"delete_things":{"affected_rows":1},"insert_things":{"returning":[{"order":3,"select":"upd"}]},"update_things":{"returning":[{"order":11}]}}` {
		t.Errorf("writes through reserved words: %s", got)
	}
	// The labels reach introspection intact.
	data = e.q(t, `{ __type(name: "parents_row") { fields { name description } } }`, nil)
	if got := jsonOf(testserver.Get(data, "__type", "fields", 1)); got != `{"description":"Ünïcødé \"label\" with 'quotes' ✓: a \"quoted\" ∂escription\\","name":"user"}` {
		t.Errorf("field description: %s", got)
	}
}

func TestTypedIntrospectionWithGraphQLJS(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	e.table(t, "weird", col("select", "TEXT", "label", `"quoted" ✓`), col("null", "INTEGER"), col("tags", "MULTI_SELECT",
		"options", []any{map[string]any{"value": "a"}}), col("files", "FILE"), col("at", "DATETIME"), col("day", "DATE"),
		col("u", "UUID"), col("j", "JSON"), col("r", "RATING"), col("n", "NUMBER"), col("b", "BOOLEAN"), col("me", "LINK"))
	docs := []string{
		`{ albums { title tracks_by_album(where: {genre_rel: {name: {_eq: "x"}}}) { name genre_rel { name } } tracks_by_album_aggregate { aggregate { count } } } }`,
		`mutation { insert_tracks(objects: [{name: "x"}], on_conflict: {constraint: tracks_pkey, update_columns: [name]}) { affected_rows } update_tracks_by_pk(id: 1, _set: {name: "y"}) { affected_rows returning { id } } }`,
		`subscription { tracks(limit: 1) { name } }`,
		`{ weird { select null tags files at day u j r n b me me_rel { id } weird_by_me { id } } }`,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := e2e.Run(ctx, t, "typed-introspection.mjs", append([]string{e.srv.URL + e.path, e.srv.AdminToken}, docs...)...)
	var res struct {
		SchemaErrors       []string   `json:"schemaErrors"`
		DocumentErrors     [][]string `json:"documentErrors"`
		QueryFields        []string   `json:"queryFields"`
		MutationFields     []string   `json:"mutationFields"`
		SubscriptionFields []string   `json:"subscriptionFields"`
		SDL                string     `json:"sdl"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("script output: %v: %s", err, out)
	}
	if len(res.SchemaErrors) > 0 {
		t.Errorf("validateSchema: %q", res.SchemaErrors)
	}
	for i, errs := range res.DocumentErrors {
		if len(errs) > 0 {
			t.Errorf("document %d does not validate: %q", i, errs)
		}
	}
	for _, want := range []string{"albums", "albums_by_pk", "albums_aggregate", "tracks", "genres", "weird"} {
		if !strings.Contains(","+strings.Join(res.QueryFields, ",")+",", ","+want+",") {
			t.Errorf("query fields %q lack %s", res.QueryFields, want)
		}
	}
	for _, want := range []string{"insert_tracks", "insert_tracks_one", "update_tracks", "update_tracks_by_pk", "delete_tracks", "delete_tracks_by_pk"} {
		if !strings.Contains(","+strings.Join(res.MutationFields, ",")+",", ","+want+",") {
			t.Errorf("mutation fields %q lack %s", res.MutationFields, want)
		}
	}
	if len(res.SubscriptionFields) != 12 {
		t.Errorf("subscription fields: %q", res.SubscriptionFields)
	}
	for _, want := range []string{`"quoted" ✓`, "scalar Decimal", "tracks_by_album(", "genre_rel: genres_row", "enum order_by"} {
		if !strings.Contains(res.SDL, want) {
			t.Errorf("SDL lacks %q", want)
		}
	}
}

func TestTypedPlaygroundAndDefaultQuery(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	get := func(path, accept, token string) (int, string, string) {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		req.Header.Set("Accept", accept)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	status, ctype, body := get(e.path, "text/html,application/xhtml+xml", "")
	if !strings.HasPrefix(ctype, "text/html") && !strings.HasPrefix(ctype, "text/plain") {
		t.Errorf("IDE page: %d %s", status, ctype)
	}
	if status == http.StatusOK && !strings.Contains(body, e.path) {
		t.Errorf("the IDE page does not point at %s", e.path)
	}
	// A GET with a query is GraphQL over HTTP.
	status, _, body = get(e.path+"?query=%7Bgenres%7Bname%7D%7D", "application/json", e.srv.AdminToken)
	if status != http.StatusOK || body != `{"data":{"genres":[{"name":"Rock"},{"name":"Jazz"}]}}` {
		t.Errorf("GET query: %d %s", status, body)
	}
	status, ctype, body = get("/dbs/"+e.db+"/playground/default-query", "*/*", e.srv.AdminToken)
	if status != http.StatusOK || !strings.HasPrefix(ctype, "text/plain") || !strings.Contains(body, "genres(limit: 10)") {
		t.Fatalf("default query: %d %s %s", status, ctype, body)
	}
	e.q(t, body, nil)
	if status, _, _ := get("/dbs/"+e.db+"/playground/default-query", "*/*", ""); status != http.StatusUnauthorized {
		t.Errorf("default query without a token: %d", status)
	}
}

func TestTypedSchemaFollowsTableChanges(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	genres, _, _ := e.music(t)
	e.q(t, `{ genres { name } }`, nil)
	e.srv.Platform(t, e.srv.AdminToken, `mutation($t: ID!) { addColumn(table: $t, input: {name: "mood", type: TEXT}) { id } }`,
		map[string]any{"t": genres}).OK(t)
	if got := jsonOf(e.q(t, `{ genres(limit: 1) { name mood } }`, nil)); got != `{"genres":[{"mood":null,"name":"Rock"}]}` {
		t.Errorf("after addColumn: %s", got)
	}
	e.table(t, "later", col("y", "TEXT"))
	e.q(t, `mutation { insert_later_one(object: {y: "z"}) { y } }`, nil)
	e.srv.Platform(t, e.srv.AdminToken, `mutation($t: ID!) { updateTable(id: $t, input: {name: "styles"}) { id } }`,
		map[string]any{"t": genres}).OK(t)
	if got := jsonOf(e.q(t, `{ styles(limit: 1) { name } }`, nil)); got != `{"styles":[{"name":"Rock"}]}` {
		t.Errorf("after rename: %s", got)
	}
	if code, _ := e.qErr(t, `{ genres { name } }`, nil); code != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("the old name still answers: %s", code)
	}
}
