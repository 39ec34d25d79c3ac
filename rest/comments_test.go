package rest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// --- comments on rows ---

func (e *dataEnv) writerToken(t testing.TB) string {
	t.Helper()
	data := e.ok(t, `mutation { createToken(input: {name: "writer", scopes: [READ, WRITE]}) { secret } }`, nil)
	return testserver.Str(data, "createToken", "secret")
}

func TestCommentsOnRows(t *testing.T) {
	e := newDataEnv(t)
	table, ids := viewsTable(t, e)
	row := ids[0]
	add := func(token, body string) map[string]any {
		data := e.srv.Platform(t, token, `mutation($t: ID!, $r: ID!, $b: String!) { createComment(table: $t, row: $r, body: $b) { id rowId author body } }`,
			map[string]any{"t": table, "r": row, "b": body}).OK(t)
		return testserver.Get(data, "createComment").(map[string]any)
	}
	for i := 1; i <= 5; i++ {
		add(e.token, fmt.Sprintf("note %d", i))
	}
	other := e.writerToken(t)
	theirs := add(other, "from a token")
	// A comment on another row is not listed with this one.
	e.ok(t, `mutation($t: ID!, $r: ID!) { createComment(table: $t, row: $r, body: "elsewhere") { id } }`, map[string]any{"t": table, "r": ids[1]})

	// Newest first, in pages of 4.
	var bodies []string
	var after any
	for pages := 0; ; pages++ {
		data := e.ok(t, `query($t: ID!, $r: ID!, $a: String) { comments(table: $t, row: $r, first: 4, after: $a) { nodes { body } endCursor hasNextPage } }`,
			map[string]any{"t": table, "r": row, "a": after})
		for _, c := range testserver.Get(data, "comments", "nodes").([]any) {
			bodies = append(bodies, testserver.Str(c, "body"))
		}
		if testserver.Get(data, "comments", "hasNextPage") != true {
			break
		}
		after = testserver.Get(data, "comments", "endCursor")
		if pages > 3 {
			t.Fatal("paging does not end")
		}
	}
	if want := []string{"from a token", "note 5", "note 4", "note 3", "note 2", "note 1"}; !slices.Equal(bodies, want) {
		t.Fatalf("comments = %v, want %v", bodies, want)
	}

	// Only the author edits or deletes; the other's attempts change nothing.
	mine := e.ok(t, `query($t: ID!, $r: ID!) { comments(table: $t, row: $r, first: 1) { nodes { id } } }`, map[string]any{"t": table, "r": ids[1]})
	mineID := testserver.Str(mine, "comments", "nodes", 0, "id")
	state := func() string { return e.sqlText(t, `SELECT json_agg(c ORDER BY id)::text FROM row_comments c`) }
	before := state()
	e.refuse(t, other, `mutation($id: ID!) { updateComment(id: $id, body: "hijacked") { id } }`, map[string]any{"id": mineID}, "FORBIDDEN")
	e.refuse(t, other, `mutation($id: ID!) { deleteComment(id: $id) }`, map[string]any{"id": mineID}, "FORBIDDEN")
	e.refuseAdmin(t, `mutation($id: ID!) { updateComment(id: $id, body: "mine now") { id } }`, map[string]any{"id": theirs["id"]}, "FORBIDDEN")
	e.refuseAdmin(t, `mutation($id: ID!) { updateComment(id: $id, body: "  ") { id } }`, map[string]any{"id": mineID}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($t: ID!) { createComment(table: $t, row: 999999, body: "x") { id } }`, map[string]any{"t": table}, "NOT_FOUND")
	e.refuseAdmin(t, `query($t: ID!, $r: ID!) { comments(table: $t, row: $r, after: "zz") { hasNextPage } }`, map[string]any{"t": table, "r": row}, "BAD_USER_INPUT")
	if state() != before {
		t.Fatal("a refused comment change changed comments")
	}
	data := e.srv.Platform(t, other, `mutation($id: ID!) { updateComment(id: $id, body: "edited") { body author } }`, map[string]any{"id": theirs["id"]}).OK(t)
	if testserver.Str(data, "updateComment", "body") != "edited" || testserver.Str(data, "updateComment", "author") != testserver.Str(theirs, "author") {
		t.Fatalf("edit: %v", data)
	}
	e.srv.Platform(t, other, `mutation($id: ID!) { deleteComment(id: $id) }`, map[string]any{"id": theirs["id"]}).OK(t)

	// Each change has its event on the row's table.
	kinds := e.sqlText(t, `SELECT string_agg(kind, ',' ORDER BY id) FROM events WHERE kind LIKE 'comment.%' AND row_id = $1`, row)
	if want := "comment.created,comment.created,comment.created,comment.created,comment.created,comment.created,comment.updated,comment.deleted"; kinds != want {
		t.Fatalf("comment events = %s", kinds)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM events WHERE kind = 'comment.deleted' AND table_id = $1 AND payload->'before'->>'body' = 'edited'`, table); n != 1 {
		t.Fatalf("the delete event does not carry the comment it removed")
	}
}
