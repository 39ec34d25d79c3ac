package rest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestTypedAPIAcceptsDatabaseName: /dbs/{db}/... takes a database's name as well as its id,
// within the caller's workspace. Another workspace's database and an unknown name both answer
// NOT_FOUND with the same message, so a name says nothing about whether it exists elsewhere; a
// name made of digits is tried as an id first and as a name when no database has that id.
func TestTypedAPIAcceptsDatabaseName(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t) // database "music" of the admin's workspace
	e.table(t, "songs", col("title", "TEXT"))
	e.q(t, `mutation { insert_songs(objects: [{title: "So What"}]) { affected_rows } }`, nil)

	byName := e.srv.GraphQL(t, "/dbs/music/graphql", e.srv.AdminToken, `{ songs { title } }`, nil).OK(t)
	if got := testserver.Str(byName, "songs", 0, "title"); got != "So What" {
		t.Fatalf("by name: title %q", got)
	}
	if r := e.srv.GraphQL(t, "/dbs/"+e.db+"/graphql", e.srv.AdminToken, `{ songs { title } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("by id: %s", r.Raw)
	}

	// A name that is all digits and no database's id.
	digits := e.srv.Platform(t, e.srv.AdminToken, `mutation { createDatabase(input: {name: "987654"}) { id } }`, nil).OK(t)
	digitsID := testserver.Str(digits, "createDatabase", "id")
	r := e.srv.GraphQL(t, "/dbs/987654/graphql", e.srv.AdminToken, `{ __typename }`, nil)
	if len(r.Errors) != 0 {
		t.Fatalf("all-digit name: %s", r.Raw)
	}
	// A name that is another database's id resolves as that id.
	e.srv.Platform(t, e.srv.AdminToken, `mutation($n: String!) { createDatabase(input: {name: $n}) { id } }`,
		map[string]any{"n": e.db}).OK(t)
	if r := e.srv.GraphQL(t, "/dbs/"+e.db+"/graphql", e.srv.AdminToken, `{ songs { title } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("id first: %s", r.Raw)
	}
	if digitsID == "987654" {
		t.Fatal("the database got the id its name spells; the test proves nothing")
	}

	// Another workspace's database named "music" is not found through its name.
	other := signUp(t, e.srv, "other@example.com")
	e.srv.Platform(t, other.session, `mutation($ws: ID!) { createDatabase(input: {name: "theirs", workspaceId: $ws}) { id } }`,
		map[string]any{"ws": other.workspaceID}).OK(t)
	notFound := func(what, path, token, wantMsg string) {
		t.Helper()
		r := e.srv.GraphQL(t, path, token, `{ __typename }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "NOT_FOUND" || r.Errors[0].Message != wantMsg {
			t.Errorf("%s: want NOT_FOUND %q, got %s", what, wantMsg, r.Raw)
		}
	}
	notFound("another workspace's name", "/dbs/theirs/graphql", e.srv.AdminToken, `database "theirs" not found`)
	notFound("unknown name", "/dbs/nosuch/graphql", e.srv.AdminToken, `database "nosuch" not found`)
	notFound("the admin's name, from the other workspace", "/dbs/music/graphql", other.session, `database "music" not found`)

	// The playground's sample query takes the name too.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/dbs/music/playground/default-query", nil)
	req.Header.Set("Authorization", "Bearer "+e.srv.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), "songs") {
		t.Fatalf("default query by name: %d %s", resp.StatusCode, raw)
	}
}
