package realtime

import (
	"context"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
)

// A replay delivers old items while live ones are held; Release hands on the held ones the
// replay did not deliver (one committed late, below the replayed ids, included), once each.
func TestQueueReplayThenLiveExactlyOnce(t *testing.T) {
	q := NewQueue[int64](100, DefaultFlow, func(error) { t.Error("no subscriber is behind here") })
	q.Hold()
	for _, id := range []int64{12, 13, 11, 4} { // live, as committed; 4 is at or below after
		if !q.Push(id, id, 10) {
			t.Fatalf("push %d refused", id)
		}
	}
	ctx := context.Background()
	for _, id := range []int64{10, 12} { // the replay, from the outbox after 5
		if err := q.Deliver(ctx, id, id); err != nil {
			t.Fatal(err)
		}
	}
	q.Release(5)
	q.Push(14, 14, 10)
	want := []int64{10, 12, 13, 11, 14}
	var got []int64
	for id := range q.Out() {
		got = append(got, id)
		if len(got) == len(want) {
			break
		}
	}
	q.Close()
	if _, open := <-q.Out(); open {
		t.Fatal("more after the live ones")
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// A replay to a consumer that does not read ends the subscription naming what it delivered.
func TestQueueDeliverToAConsumerThatDoesNotRead(t *testing.T) {
	ended := make(chan error, 1)
	q := NewQueue[int64](1, Flow{SlowAfter: 10 * time.Millisecond}, func(err error) { ended <- err })
	q.Hold()
	if err := q.Deliver(context.Background(), 7, 7); err != nil {
		t.Fatal(err)
	}
	if err := q.Deliver(context.Background(), 8, 8); !IsBehind(err) {
		t.Fatalf("Deliver to a full channel: %v, want a Behind error", err)
	}
	err := <-ended
	if e, _ := asDetails(err); e != "7" {
		t.Fatalf("ended with %v, want it to name event 7", err)
	}
}

func asDetails(err error) (string, bool) {
	e, ok := gqlbase.AsError(err)
	if !ok {
		return "", false
	}
	id, ok := e.Details["lastEventId"].(string)
	return id, ok
}
