package rest_test

import (
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestTypedRepeatedQueriesFollowTheirVariablesAndTheData: a query asked again with other
// variables, or after the data or the table changed, answers from the current state (the
// compiled statement of a field is reused only for the same document and variables).
func TestTypedRepeatedQueriesFollowTheirVariablesAndTheData(t *testing.T) {
	e := newTypedEnv(t)
	e.music(t)
	query := `query($min: Int!) { tracks(where: {ms: {_gte: $min}}, order_by: {ms: asc}) { name } }`
	names := func(min int) []string {
		var out []string
		for _, r := range testserver.Get(e.q(t, query, map[string]any{"min": min}), "tracks").([]any) {
			out = append(out, testserver.Str(r, "name"))
		}
		return out
	}
	for i := 0; i < 2; i++ { // twice each: the second run takes the cached statement
		if got := names(400); len(got) != 2 || got[0] != "t4" || got[1] != "t5" {
			t.Fatalf("ms >= 400: %v", got)
		}
		if got := names(200); len(got) != 4 || got[0] != "t2" {
			t.Fatalf("ms >= 200: %v", got)
		}
	}
	e.q(t, `mutation { insert_tracks_one(object: {name: "t6", ms: 600}) { id } }`, nil)
	if got := names(400); len(got) != 3 || got[2] != "t6" {
		t.Fatalf("after an insert: %v", got)
	}
	// A new column: the schema is rebuilt, and the same document still runs.
	e.srv.Platform(t, e.srv.AdminToken, `mutation($t: ID!) { addColumn(table: $t, input: {name: "rating", type: INTEGER}) { id } }`,
		map[string]any{"t": tableID(t, e, "tracks")}).OK(t)
	if got := names(400); len(got) != 3 {
		t.Fatalf("after a schema change: %v", got)
	}
}

func tableID(t *testing.T, e *typedEnv, name string) string {
	t.Helper()
	data := e.srv.Platform(t, e.srv.AdminToken, `query($d: ID!, $n: String!) { table(databaseId: $d, name: $n) { id } }`,
		map[string]any{"d": e.db, "n": name}).OK(t)
	return testserver.Str(data, "table", "id")
}
