package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestReadonlyIDOnlyForThoseWhoMayRegenerateIt: the read-only id is a credential on its own,
// so only principals who may regenerate it (and so end what it grants) can read it, through
// GraphQL and the Airsequel dialect alike; the access log and the metrics never carry it; and
// regenerating it ends the old one at once.
func TestReadonlyIDOnlyForThoseWhoMayRegenerateIt(t *testing.T) {
	t.Parallel()
	srv, logs := loggedServer(t, "info")
	admin := srv.AdminToken
	created := srv.Platform(t, admin, `mutation { createDatabase(input: {name: "main"}) { id readonlyId } }`, nil).OK(t)
	db := testserver.Str(created, "createDatabase", "id")
	ro := testserver.Str(created, "createDatabase", "readonlyId")
	if !strings.HasPrefix(ro, "ro_") {
		t.Fatalf("the admin creating the database gets no read-only id: %v", created)
	}
	srv.Platform(t, admin, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"databaseId": db, "name": "albums", "columns": []any{map[string]any{"name": "title", "type": "TEXT"}}}}).OK(t)

	grant := func(access string) []any { return []any{map[string]any{"databaseId": db, "access": access}} }
	tokens := map[string]string{}
	for name, input := range map[string]map[string]any{
		"reader":                    {"name": "reader", "scopes": []string{"READ"}},
		"editor":                    {"name": "editor", "scopes": []string{"READ", "WRITE", "SCHEMA", "FILES"}},
		"admin reading the db only": {"name": "admin-r", "scopes": []string{"READ", "ADMIN"}, "databases": grant("READ")},
		"admin writing the db":      {"name": "admin-w", "scopes": []string{"READ", "ADMIN"}, "databases": grant("WRITE")},
	} {
		tokens[name], _ = newToken(t, srv, admin, input)
	}
	tokens["bootstrap admin"] = admin
	mayHold := map[string]bool{"bootstrap admin": true, "admin writing the db": true}

	for name, tok := range tokens {
		// A reader still gets every database, with null in place of the id and no error.
		data := srv.Platform(t, tok, `query($id: ID!) { databases { id readonlyId } database(id: $id) { readonlyId } }`,
			map[string]any{"id": db}).OK(t)
		want := any(nil)
		if mayHold[name] {
			want = ro
		}
		if got := testserver.Get(data, "database", "readonlyId"); got != want {
			t.Errorf("%s: database.readonlyId = %v, want %v", name, got, want)
		}
		if got := testserver.Get(data, "databases", 0, "readonlyId"); got != want {
			t.Errorf("%s: databases[0].readonlyId = %v, want %v", name, got, want)
		}
		// The Airsequel dialect follows the same rule.
		status, body := airsequelGet(t, srv, tok, "/api/dbs/"+db)
		if status != http.StatusOK {
			t.Fatalf("%s: GET /api/dbs/%s: %d %v", name, db, status, body)
		}
		if got, ok := body["readonlyId"]; !ok || got != want {
			t.Errorf("%s: Airsequel readonlyId = %v (present %v), want %v", name, got, ok, want)
		}
		if name != "bootstrap admin" && !mayHold[name] {
			if r := srv.Platform(t, tok, `mutation($id: ID!) { regenerateReadonlyId(id: $id) { id } }`, map[string]any{"id": db}); r.ErrorCode(t) != "FORBIDDEN" {
				t.Errorf("%s may regenerate the read-only id it cannot see: %s", name, r.Raw)
			}
		}
	}

	// The id works as the credential; the access log and the metrics do not carry it.
	path := "/readonly/" + ro + "/graphql"
	if data := srv.GraphQL(t, path, "", `{ albums { title } }`, nil).OK(t); jsonOf(data) != `{"albums":[]}` {
		t.Fatalf("read-only endpoint: %s", jsonOf(data))
	}
	// An unclean path is logged before the router redirects it: masked all the same.
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noRedirects.Get(srv.URL + "//readonly/" + ro + "/graphql?query=%7B__typename%7D"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	if metrics := metricsText(t, srv); strings.Contains(metrics, ro) {
		t.Errorf("/metrics carries the read-only id")
	} else if !strings.Contains(metrics, `route="/readonly/{readonlyId}/graphql"`) {
		t.Errorf("/metrics lacks the read-only route's series")
	}
	var masked int
	for _, line := range logs.lines(t) {
		if line["msg"] == "request" && line["path"] == "/readonly/***/graphql" {
			masked++
		}
	}
	if masked == 0 {
		t.Errorf("no access-log line for the read-only endpoint with the id masked")
	}
	if strings.Contains(logs.String(), ro) {
		t.Errorf("the logs carry the read-only id")
	}

	// Regenerating ends the old id for the very next request.
	data := srv.Platform(t, admin, `mutation($id: ID!) { regenerateReadonlyId(id: $id) { readonlyId } }`, map[string]any{"id": db}).OK(t)
	fresh := testserver.Str(data, "regenerateReadonlyId", "readonlyId")
	if r := srv.GraphQL(t, path, "", `{ albums { title } }`, nil); r.Status != http.StatusNotFound || r.Data != nil {
		t.Errorf("the regenerated-away id still answers: %d %s", r.Status, r.Raw)
	}
	srv.GraphQL(t, "/readonly/"+fresh+"/graphql", "", `{ albums { title } }`, nil).OK(t)
}

// airsequelGet sends an Airsequel REST GET with a token and decodes its JSON object.
func airsequelGet(t *testing.T, srv *testserver.Server, token, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %s", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, body
}
