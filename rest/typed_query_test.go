package rest_test

import (
	"testing"
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
