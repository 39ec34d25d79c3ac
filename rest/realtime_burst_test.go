package rest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// A 1,000-row write reaches an idle subscriber whole, in order: a burst is not a failure.
func TestRowEventsBurstOfAThousandRowsReachesEverySubscriber(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "burst", colDef{"name": "n", "type": "INTEGER"})
	subs := []*subClient{
		subscribe(t, e.srv, e.token, "a", rowEventsSub, map[string]any{"t": table}),
		subscribe(t, e.srv, e.token, "b", `subscription($t: ID!) { rowEvents(table: $t) { id kind } }`, map[string]any{"t": table}),
	}
	for _, c := range subs {
		e.waitSubscribed(t, c, table, map[string]any{"n": -1})
	}
	const n = 1000
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = map[string]any{"n": i}
	}
	e.insert(t, table, rows...)
	for _, c := range subs {
		var last int64
		for i := 0; i < n; i++ {
			ev := c.nextEvent(30 * time.Second)
			id, err := strconv.ParseInt(testserver.Str(ev.Data, "rowEvents", "id"), 10, 64)
			if err != nil || id <= last {
				t.Fatalf("event %d: id %q after %d: out of order", i, testserver.Str(ev.Data, "rowEvents", "id"), last)
			}
			last = id
		}
	}
}

// after: replays from the outbox what a subscriber missed, then goes on live, each event once.
func TestRowEventsAfterReplaysThenGoesLive(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "resume", colDef{"name": "n", "type": "INTEGER"})
	first := subscribe(t, e.srv, e.token, "a", `subscription($t: ID!) { rowEvents(table: $t) { id } }`, map[string]any{"t": table})
	e.waitSubscribed(t, first, table, map[string]any{"n": -1})
	e.insert(t, table, map[string]any{"n": 1})
	after := testserver.Str(first.nextEvent(10*time.Second).Data, "rowEvents", "id")
	_ = first.conn.Close() // gone; what follows it misses
	var missed []map[string]any
	for i := 2; i <= 40; i++ {
		missed = append(missed, map[string]any{"n": i})
	}
	e.insert(t, table, missed...)

	c := subscribe(t, e.srv, e.token, "b", `subscription($t: ID!, $a: ID) { rowEvents(table: $t, after: $a) { id row { data } } }`,
		map[string]any{"t": table, "a": after})
	seen := map[string]bool{}
	want := 2
	for want <= 41 {
		if want == 41 && len(seen) == 39 {
			e.insert(t, table, map[string]any{"n": 41}) // live, after the replay
		}
		ev := c.nextEvent(10 * time.Second)
		id := testserver.Str(ev.Data, "rowEvents", "id")
		if seen[id] {
			t.Fatalf("event %s delivered twice", id)
		}
		seen[id] = true
		if got := testserver.Str(ev.Data, "rowEvents", "row", "data", "n"); got != strconv.Itoa(want) {
			t.Fatalf("got row n=%s, want %d (ids %v)", got, want, seen)
		}
		want++
	}
	if m, ok := c.message(500 * time.Millisecond); ok {
		t.Fatalf("unexpected message after the last event: %s %s", m.Type, m.Payload)
	}
}
