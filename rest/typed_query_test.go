package rest_test

import (
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

func TestTypedNestedQueryIsOneStatement(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	const query = `{
		albums(order_by: {id: asc}) {
			title
			tracks_by_album(order_by: [{ms: desc}]) { name genre_rel { name __typename } }
			tracks_by_album_aggregate { aggregate { count sum { ms price } } }
		}
	}`
	e.q(t, query, nil) // warm the schema cache
	e.stmts.reset()
	data := e.q(t, query, nil)
	want := `{"albums":[` +
		`{"title":"A1","tracks_by_album":[{"genre_rel":{"__typename":"genres_row","name":"Jazz"},"name":"t2"},{"genre_rel":{"__typename":"genres_row","name":"Rock"},"name":"t1"}],"tracks_by_album_aggregate":{"aggregate":{"count":2,"sum":{"ms":300,"price":"2.09"}}}},` +
		`{"title":"A2","tracks_by_album":[{"genre_rel":null,"name":"t4"},{"genre_rel":{"__typename":"genres_row","name":"Rock"},"name":"t3"}],"tracks_by_album_aggregate":{"aggregate":{"count":2,"sum":{"ms":700,"price":"0.50"}}}},` +
		`{"title":"A3","tracks_by_album":[],"tracks_by_album_aggregate":{"aggregate":{"count":0,"sum":{"ms":null,"price":null}}}}]}`
	if got := jsonOf(data); got != want {
		t.Errorf("nested query:\n got %s\nwant %s", got, want)
	}
	if n := len(e.stmts.matching(`"db_` + e.db + `"`)); n != 1 {
		t.Errorf("the 3-level query sent %d statements on the database's tables, want 1: %q", n, e.stmts.matching(`"db_`))
	}
}

func TestTypedFiltersOrderAndAggregates(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	names := func(data map[string]any, field string) string {
		var out []string
		for _, r := range data[field].([]any) {
			out = append(out, r.(map[string]any)["name"].(string))
		}
		return strings.Join(out, ",")
	}
	cases := []struct{ args, want string }{
		{`where: {ms: {_gt: 150, _lte: 400}}, order_by: {ms: desc}`, "t4,t3,t2"},
		{`filter: {name: {_in: ["t1", "t5"]}}`, "t1,t5"},
		{`where: {name: {_nin: ["t1", "t5"]}}, order_by: [{name: DESC}]`, "t4,t3,t2"},
		{`where: {genre: {_eq: null}}`, "t4,t5"},
		{`where: {genre: {_is_null: false}}, order_by: [{genre: asc}, {ms: desc}]`, "t3,t1,t2"},
		{`where: {price: {_neq: "0.99"}}`, "t2,t3,t4,t5"},
		{`where: {name: {_like: "t%"}, _not: {name: {_ilike: "T1"}}}, limit: 2, offset: 1`, "t3,t4"},
		{`where: {_or: [{ms: {_lt: 150}}, {ms: {_gt: 450}}]}`, "t1,t5"},
		{`where: {_and: [{ms: {_gt: 100}}, {ms: {_lt: 400}}]}`, "t2,t3"},
		{`where: {_or: []}`, ""},
		{`where: {album_rel: {title: {_eq: "A2"}}}`, "t3,t4"},
		{`where: {genre_rel: {name: {_eq: "Rock"}}, album_rel: {year: {_lt: 1975}}}`, "t1"},
		{`where: {_not: {album_rel: {}}}`, "t5"},
		{`order_by: {price: desc_nulls_last}`, "t2,t1,t3,t4,t5"},
		{`order_by: {price: asc_nulls_first}`, "t4,t5,t3,t1,t2"},
		{`where: {id: {_in: ["2", "4"]}}`, "t2,t4"},
		{`distinct_on: [album], order_by: [{album: asc}, {ms: desc}]`, "t2,t4,t5"},
		{`order_by: [{album_rel: {title: desc}}, {ms: asc}]`, "t5,t3,t4,t1,t2"},
		{`order_by: {genre_rel: {name: asc_nulls_first}, name: desc}`, "t5,t4,t2,t3,t1"},
	}
	for _, c := range cases {
		data := e.q(t, `{ tracks(`+c.args+`) { name } }`, nil)
		if got := names(data, "tracks"); got != c.want {
			t.Errorf("tracks(%s) = %s, want %s", c.args, got, c.want)
		}
	}
	// Array relationships filter their parent (EXISTS).
	data := e.q(t, `{ albums(where: {tracks_by_album: {genre_rel: {name: {_eq: "Jazz"}}}}) { title } }`, nil)
	if got := jsonOf(data); got != `{"albums":[{"title":"A1"}]}` {
		t.Errorf("albums with a jazz track: %s", got)
	}
	// Variables work for every argument.
	data = e.q(t, `query($w: tracks_bool_exp, $o: [tracks_order_by!], $l: Int) { tracks(where: $w, order_by: $o, limit: $l) { name } }`,
		map[string]any{"w": map[string]any{"ms": map[string]any{"_gte": 200}}, "o": []any{map[string]any{"ms": "desc"}}, "l": 2})
	if got := names(data, "tracks"); got != "t5,t4" {
		t.Errorf("with variables: %s", got)
	}
	data = e.q(t, `query($o: [tracks_order_by!]) { tracks(order_by: $o) { name } }`,
		map[string]any{"o": []any{map[string]any{"album_rel": map[string]any{"year": "desc_nulls_last"}}, map[string]any{"name": "desc"}}})
	if got := names(data, "tracks"); got != "t4,t3,t2,t1,t5" {
		t.Errorf("order through a relationship from variables: %s", got)
	}
	// Aggregates and nodes.
	data = e.q(t, `{ tracks_aggregate(where: {album: {_is_null: false}}) {
		aggregate { count c2: count(columns: [genre]) c3: count(columns: [genre], distinct: true) sum { ms } avg { ms price } min { ms name price created_at } max { ms name } }
		nodes { name }
	} }`, nil)
	want := `{"tracks_aggregate":{"aggregate":{"avg":{"ms":250,"price":"0.86333333333333333333"},"c2":3,"c3":2,"count":4,` +
		`"max":{"ms":400,"name":"t4"},"min":{"created_at":` + jsonOf(testserverGet(data, "tracks_aggregate", "aggregate", "min", "created_at")) +
		`,"ms":100,"name":"t1","price":"0.50"},"sum":{"ms":1000}},"nodes":[{"name":"t1"},{"name":"t2"},{"name":"t3"},{"name":"t4"}]}}`
	if got := jsonOf(data); got != want {
		t.Errorf("aggregate:\n got %s\nwant %s", got, want)
	}
	// by_pk, and the order of keys follows the query.
	r := e.srv.GraphQL(t, e.path, e.srv.AdminToken, `{ b: tracks_by_pk(id: 3) { price name id __typename } missing: tracks_by_pk(id: 99) { id } }`, nil)
	if got := string(r.Raw); got != `{"data":{"b":{"price":"0.50","name":"t3","id":"3","__typename":"tracks_row"},"missing":null}}` {
		t.Errorf("by_pk: %s", got)
	}
	// Errors name what is wrong.
	for q, wantCode := range map[string]string{
		`{ tracks(where: {nope: {_eq: 1}}) { id } }`:              "GRAPHQL_VALIDATION_FAILED",
		`{ tracks(where: {ms: {_eq: "x"}}) { id } }`:              "GRAPHQL_VALIDATION_FAILED",
		`{ tracks(where: {ms: {_like: "1%"}}) { id } }`:           "GRAPHQL_VALIDATION_FAILED",
		`{ tracks(limit: -1) { id } }`:                            "BAD_USER_INPUT",
		`{ tracks(where: {name: {_is_null: null}}) { id } }`:      "BAD_USER_INPUT",
		`{ tracks(order_by: {name: sideways}) { id } }`:           "GRAPHQL_VALIDATION_FAILED",
		`{ tracks_by_pk(id: "abc") { id } }`:                      "BAD_USER_INPUT",
		`query($w: tracks_bool_exp) { tracks(where: $w) { id } }`: "BAD_USER_INPUT",
		`{ tracks { nope } }`:                                     "GRAPHQL_VALIDATION_FAILED",
		`{ tracks(where: {album_rel: {nope: {_eq: 1}}}) { id } }`: "GRAPHQL_VALIDATION_FAILED",
	} {
		vars := map[string]any{"w": map[string]any{"price": map[string]any{"_eq": "abc"}}}
		if code, msg := e.qErr(t, q, vars); code != wantCode {
			t.Errorf("%s: code %s (%s), want %s", q, code, msg, wantCode)
		}
	}
}

func testserverGet(v any, path ...any) any { return testserver.Get(v, path...) }
