package rest_test

import (
	"context"
	"strings"
	"testing"
)

func (e *typedEnv) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.srv.Store.DB().GetContext(context.Background(), &n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTypedMutations(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	genres, _, tracks := e.music(t)
	check := func(query, want string) {
		t.Helper()
		if got := jsonOf(e.q(t, query, nil)); got != want {
			t.Errorf("%s\n got %s\nwant %s", query, got, want)
		}
	}
	// insert with nested returning
	check(`mutation { insert_tracks(objects: [{name: "n1", album: 2, ms: 10}]) { affected_rows returning { id name album_rel { title } } } }`,
		`{"insert_tracks":{"affected_rows":1,"returning":[{"album_rel":{"title":"A2"},"id":"6","name":"n1"}]}}`)
	check(`mutation { insert_tracks_one(object: {name: "n2"}) { id name ms } }`,
		`{"insert_tracks_one":{"id":"7","ms":null,"name":"n2"}}`)
	// validation is the platform's: a required column, a bad decimal, a system column
	for q, want := range map[string]string{
		`mutation { insert_albums_one(object: {year: 1}) { id } }`:                          `column "title" is required`,
		`mutation { insert_tracks_one(object: {price: "x1"}) { id } }`:                      `column "price"`,
		`mutation { insert_tracks(objects: [{name: "a"}, {album: 99}]) { affected_rows } }`: `column "album": the linked row does not exist`,
		`mutation { insert_tracks_one(object: {id: 3, name: "x"}) { id } }`:                 `id is generated`,
	} {
		code, msg := e.qErr(t, q, nil)
		if code != "BAD_USER_INPUT" || !strings.Contains(msg, want) {
			t.Errorf("%s: %s %q, want BAD_USER_INPUT containing %q", q, code, msg, want)
		}
	}
	// upsert on a unique column: nothing to update ignores the conflict
	check(`mutation { insert_genres(objects: [{name: "Rock"}, {name: "Pop"}], on_conflict: {constraint: genres_name_key, update_columns: []}) { affected_rows returning { id name } } }`,
		`{"insert_genres":{"affected_rows":1,"returning":[{"id":"3","name":"Pop"}]}}`)
	// upsert by id with a where that only some rows match
	check(`mutation { insert_tracks(objects: [{id: 1, name: "t1b"}, {id: 3, name: "t3b"}, {name: "new"}],
		on_conflict: {constraint: tracks_pkey, update_columns: [name], where: {ms: {_lt: 200}}}) { affected_rows returning { name } } }`,
		`{"insert_tracks":{"affected_rows":2,"returning":[{"name":"t1b"},{"name":"new"}]}}`)
	check(`{ tracks_by_pk(id: 3) { name } }`, `{"tracks_by_pk":{"name":"t3"}}`)
	// update with _set and _inc, and Airsequel's names
	check(`mutation { update_tracks(where: {album: {_eq: 1}}, _set: {genre: 2}, _inc: {ms: 5, price: "0.01"}) { affected_rows returning { id ms price genre } } }`,
		`{"update_tracks":{"affected_rows":2,"returning":[{"genre":2,"id":"1","ms":105,"price":"1.00"},{"genre":2,"id":"2","ms":205,"price":"1.11"}]}}`)
	check(`mutation { update_tracks(filter: {name: {_eq: "t5"}}, set: {name: "t5b"}) { affected_rows } }`,
		`{"update_tracks":{"affected_rows":1}}`)
	// by_pk: Hasura's row and Airsequel's {affected_rows, returning}
	check(`mutation { update_tracks_by_pk(pk_columns: {id: 4}, _set: {name: "t4b"}) { id name version } }`,
		`{"update_tracks_by_pk":{"id":"4","name":"t4b","version":2}}`)
	check(`mutation { update_tracks_by_pk(id: 4, _inc: {ms: 1}) { affected_rows returning { ms } } }`,
		`{"update_tracks_by_pk":{"affected_rows":1,"returning":[{"ms":401}]}}`)
	check(`mutation { update_tracks_by_pk(id: 404, _set: {name: "x"}) { id } }`, `{"update_tracks_by_pk":null}`)
	if code, _ := e.qErr(t, `mutation { update_tracks(_set: {name: "x"}) { affected_rows } }`, nil); code != "BAD_USER_INPUT" {
		t.Errorf("update without where: %s", code)
	}
	if code, _ := e.qErr(t, `mutation { update_tracks(where: {}, _set: {ms: 1}, _inc: {ms: 1}) { affected_rows } }`, nil); code != "BAD_USER_INPUT" {
		t.Errorf("_set and _inc of one column: %s", code)
	}
	// delete returns the rows as they were
	check(`mutation { delete_tracks(where: {album_rel: {title: {_eq: "A2"}}}) { affected_rows returning { name album_rel { title } } } }`,
		`{"delete_tracks":{"affected_rows":3,"returning":[{"album_rel":{"title":"A2"},"name":"t3"},{"album_rel":{"title":"A2"},"name":"t4b"},{"album_rel":{"title":"A2"},"name":"n1"}]}}`)
	check(`mutation { delete_tracks_by_pk(id: 7) { id name affected_rows } gone: delete_tracks_by_pk(id: 7) { id } }`,
		`{"delete_tracks_by_pk":{"affected_rows":1,"id":"7","name":"n2"},"gone":null}`)
	// every write kept history, events and the trash
	if n := e.count(t, `SELECT count(*) FROM trash WHERE table_id = $1`, tracks); n != 4 {
		t.Errorf("trash holds %d tracks, want 4", n)
	}
	if n := e.count(t, `SELECT count(*) FROM row_history WHERE table_id = $1 AND op = 'UPDATE'`, tracks); n != 6 {
		t.Errorf("%d update snapshots, want 6", n)
	}
	if n := e.count(t, `SELECT count(*) FROM events WHERE table_id = $1 AND kind = 'row.deleted'`, tracks); n != 4 {
		t.Errorf("%d delete events, want 4", n)
	}
	_ = genres
}

func TestTypedMutationIsOneTransaction(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	_, albums, _ := e.music(t)
	before := e.count(t, `SELECT count(*) FROM events`)
	e.stmts.reset()
	r := e.srv.GraphQL(t, e.path, e.srv.AdminToken, `mutation {
		a: insert_albums_one(object: {title: "kept?"}) { id }
		b: update_albums(where: {}, _inc: {year: 1}) { affected_rows }
		c: insert_albums_one(object: {year: 3}) { id }
	}`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || jsonOf(r.Errors[0].Path) != `["c"]` || r.Data != nil {
		t.Fatalf("want one error at c and no data, got %s", r.Raw)
	}
	if n := e.count(t, `SELECT count(*) FROM db_`+e.db+`.albums`); n != 3 {
		t.Errorf("%d albums after the failed mutation, want 3", n)
	}
	if n := e.count(t, `SELECT count(*) FROM db_`+e.db+`.albums WHERE year IN (1971, 1981)`); n != 0 {
		t.Errorf("the update of the failed mutation stayed")
	}
	if n := e.count(t, `SELECT count(*) FROM events`); n != before {
		t.Errorf("events went from %d to %d", before, n)
	}
	if begins := len(e.stmts.matching("BEGIN")); begins != 1 {
		t.Errorf("%d transactions, want 1", begins)
	}
	// The same fields without the failing one commit together.
	data := e.q(t, `mutation {
		a: insert_albums_one(object: {title: "A4", year: 2000}) { title }
		b: update_albums(where: {year: {_is_null: false}}, _inc: {year: 1}) { affected_rows returning { year } }
	}`, nil)
	if got := jsonOf(data); got != `{"a":{"title":"A4"},"b":{"affected_rows":3,"returning":[{"year":1971},{"year":1981},{"year":2001}]}}` {
		t.Errorf("two fields: %s", got)
	}
	_ = albums
}
