package rest_test

import (
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestEmptyOrMatchesNothingEverywhere: an empty or matches no row and an empty and every row,
// in the typed API (_or, _and, also under _not and through relationships and in mutations),
// in the platform API (or, and) and in the in-memory evaluator subscriptions use.
func TestEmptyOrMatchesNothingEverywhere(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	_, _, tracksID := e.music(t)
	names := func(where string) string {
		t.Helper()
		data := e.q(t, `{ tracks(where: `+where+`) { name } }`, nil)
		var out string
		for _, r := range data["tracks"].([]any) {
			out += r.(map[string]any)["name"].(string)
		}
		return out
	}
	for where, want := range map[string]string{
		`{_or: []}`:                               "",
		`{_and: []}`:                              "t1t2t3t4t5",
		`{_not: {_or: []}}`:                       "t1t2t3t4t5",
		`{_not: {_and: []}}`:                      "",
		`{_or: [], name: {_eq: "t1"}}`:            "",
		`{_and: [], name: {_eq: "t1"}}`:           "t1",
		`{album_rel: {_or: []}}`:                  "",
		`{_or: [{_or: []}, {name: {_eq: "t2"}}]}`: "t2",
	} {
		if got := names(where); got != want {
			t.Errorf("typed tracks(where: %s) = %q, want %q", where, got, want)
		}
	}
	// A variable gives the same answer as a literal.
	data := e.q(t, `query($w: tracks_bool_exp) { tracks(where: $w) { name } }`, map[string]any{"w": map[string]any{"_or": []any{}}})
	if n := len(data["tracks"].([]any)); n != 0 {
		t.Errorf("typed _or: [] from a variable matched %d rows", n)
	}
	// A mutation whose where is an empty or changes nothing.
	data = e.q(t, `mutation { update_tracks(where: {_or: []}, _set: {name: "x"}) { affected_rows } }`, nil)
	if got := testserver.Str(data, "update_tracks", "affected_rows"); got != "0" {
		t.Errorf("update_tracks(where: {_or: []}) changed %s rows", got)
	}

	// The platform API.
	platform := func(where map[string]any) int {
		t.Helper()
		data := e.srv.Platform(t, e.srv.AdminToken, `query($t: ID!, $w: RowFilter) { rows(table: $t, where: $w) { nodes { id } } }`,
			map[string]any{"t": tracksID, "w": where}).OK(t)
		return len(testserver.Get(data, "rows", "nodes").([]any))
	}
	if n := platform(map[string]any{"or": []any{}}); n != 0 {
		t.Errorf("platform rows(where: {or: []}) matched %d rows, want none", n)
	}
	if n := platform(map[string]any{"and": []any{}}); n != 5 {
		t.Errorf("platform rows(where: {and: []}) matched %d rows, want all 5", n)
	}

	// In memory, as subscriptions evaluate filters.
	table := &gqlbase.Table{Name: "tracks", Columns: []*gqlbase.Column{{Name: "name", Type: gqlbase.TypeText, Nullable: true}}}
	row := map[string]any{"id": "1", "name": "t1"}
	for _, c := range []struct {
		f    *gqlbase.Filter
		want bool
	}{
		{&gqlbase.Filter{Or: []*gqlbase.Filter{}}, false},
		{&gqlbase.Filter{And: []*gqlbase.Filter{}}, true},
		{&gqlbase.Filter{Not: &gqlbase.Filter{Or: []*gqlbase.Filter{}}}, true},
	} {
		b, err := gqlbase.BindFilter(c.f, table)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Match(row); got != c.want {
			t.Errorf("in memory, %s matches: %v, want %v", jsonOf(c.f), got, c.want)
		}
	}
}
