package realtime

import (
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
)

func rowEvent(id, table int64, after string) *gqlbase.Event {
	return &gqlbase.Event{ID: id, TableID: table, Kind: gqlbase.EventRowCreated, After: json.RawMessage(after)}
}

func TestHubDeliversByTableAndFilter(t *testing.T) {
	h := NewHub()
	all := h.SubscribeTable(1, 10, nil)
	adults := h.SubscribeTable(1, 10, func(c *Change) bool {
		n, _ := c.After["age"].(json.Number).Int64()
		return n >= 18
	})
	other := h.SubscribeTable(2, 10, nil)
	h.Publish([]*gqlbase.Event{rowEvent(1, 1, `{"id":1,"age":12}`), rowEvent(2, 1, `{"id":2,"age":40}`)})

	if got := drainIDs(all); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("table subscriber got %v, want [1 2]", got)
	}
	if got := drainIDs(adults); len(got) != 1 || got[0] != 2 {
		t.Fatalf("filtered subscriber got %v, want [2]", got)
	}
	if got := drainIDs(other); len(got) != 0 {
		t.Fatalf("another table's subscriber got %v", got)
	}
}

func drainIDs(s *Subscription) []int64 {
	var ids []int64
	for {
		select {
		case c := <-s.Changes():
			ids = append(ids, c.ID)
		default:
			return ids
		}
	}
}

func TestSlowSubscriberIsClosedWithoutBlockingOthers(t *testing.T) {
	h := NewHub()
	// Never read: dropped once its oldest waiting change waited SlowAfter.
	slow := h.subscribeChan(h.byTable, 1, 2, Flow{SlowAfter: 20 * time.Millisecond, MaxBytes: 1 << 20}, nil)
	fast := h.SubscribeTable(1, 100, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := int64(1); i <= 50; i++ {
			h.Publish([]*gqlbase.Event{rowEvent(i, 1, `{"id":1}`)})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	if got := len(drainIDs(fast)); got != 50 {
		t.Fatalf("the fast subscriber got %d events, want 50", got)
	}
	// The slow one is closed once its oldest waiting change has waited SlowAfter; until then
	// it is not read (reading would let it catch up).
	for deadline := time.Now().Add(10 * time.Second); h.Count() != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscriber that does not read was never closed")
		}
	}
	// It got what its channel held, then the close naming the last of them.
	var ids []int64
	for c := range slow.Changes() {
		ids = append(ids, c.ID)
	}
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("slow subscriber received %v before closing, want [1 2]", ids)
	}
	e, ok := gqlbase.AsError(slow.Err())
	if !ok || e.Code != gqlbase.CodeRateLimited || e.Details["lastEventId"] != "2" {
		t.Fatalf("slow subscriber ended with %v, want RATE_LIMITED naming event 2", slow.Err())
	}
	if h.Count() != 1 {
		t.Fatalf("hub holds %d subscriptions, want 1", h.Count())
	}
}

// A burst far larger than the channel reaches a subscriber that reads, in order.
func TestBurstReachesSubscriberThatReads(t *testing.T) {
	h := NewHub()
	sub := h.SubscribeTable(1, 4, nil)
	const n = 5000
	burst := make([]*gqlbase.Event, n)
	for i := range burst {
		burst[i] = rowEvent(int64(i+1), 1, `{"id":1,"name":"a row of a large insert"}`)
	}
	got := make(chan []int64)
	go func() {
		var ids []int64
		for c := range sub.Changes() {
			ids = append(ids, c.ID)
			if len(ids) == n {
				break
			}
		}
		got <- ids
	}()
	h.Publish(burst[:n/2])
	h.Publish(burst[n/2:])
	ids := <-got
	for i, id := range ids {
		if id != int64(i+1) {
			t.Fatalf("event %d of the burst is %d: out of order or missing", i+1, id)
		}
	}
	if len(ids) != n || sub.Err() != nil {
		t.Fatalf("got %d of %d events, subscription error %v", len(ids), n, sub.Err())
	}
	sub.Close()
}

// Over its bytes, a subscriber is dropped, and nothing after the refused change reaches it
// even when later ones would fit.
func TestSubscriberOverItsBytesGetsNothingPastTheDrop(t *testing.T) {
	h := NewHub()
	sub := h.subscribeChan(h.byTable, 1, 1, Flow{SlowAfter: time.Hour, MaxBytes: 3 * 300}, nil)
	var batch []*gqlbase.Event
	for i := int64(1); i <= 10; i++ {
		batch = append(batch, rowEvent(i, 1, `{"id":1}`))
	}
	h.Publish(batch)
	h.Publish([]*gqlbase.Event{rowEvent(11, 1, `{}`)})
	var ids []int64
	for c := range sub.Changes() {
		ids = append(ids, c.ID)
	}
	e, ok := gqlbase.AsError(sub.Err())
	if !ok || len(ids) == 0 || e.Details["lastEventId"] != strconv.FormatInt(ids[len(ids)-1], 10) {
		t.Fatalf("got %v, ended with %v: want a prefix of the events and an error naming its last", ids, sub.Err())
	}
	for i, id := range ids {
		if id != int64(i+1) {
			t.Fatalf("got %v: a gap", ids)
		}
	}
}

// refusingSink refuses one change and would take later ones: the hub must not offer them.
type refusingSink struct {
	refuse int64
	got    []int64
	ended  error
}

func (s *refusingSink) Offer(c *Change) bool {
	if c.ID == s.refuse {
		return false
	}
	s.got = append(s.got, c.ID)
	return true
}
func (s *refusingSink) End(err error) { s.ended = err }

func TestHubOffersNothingPastARefusedChange(t *testing.T) {
	h := NewHub()
	sink := &refusingSink{refuse: 3}
	h.SubscribeTableSink(1, sink, nil)
	var batch []*gqlbase.Event
	for i := int64(1); i <= 6; i++ {
		batch = append(batch, rowEvent(i, 1, `{}`))
	}
	h.Publish(batch)
	if len(sink.got) != 2 || sink.ended != ErrSlowSubscriber {
		t.Fatalf("sink got %v and ended with %v; want [1 2] and ErrSlowSubscriber", sink.got, sink.ended)
	}
}

func TestHubConcurrentSubscribePublishClose(t *testing.T) {
	h := NewHub()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				s := h.SubscribeTable(1, 4, nil)
				h.Publish([]*gqlbase.Event{rowEvent(int64(i), 1, `{}`)})
				s.Close()
				s.Close() // closing twice is harmless
			}
		}()
	}
	wg.Wait()
	if h.Count() != 0 {
		t.Fatalf("%d subscriptions left open", h.Count())
	}
}

func TestCloseAllEndsEverySubscription(t *testing.T) {
	h := NewHub()
	a := h.SubscribeTable(1, 4, nil)
	b := h.SubscribeDatabase(7, 4, nil)
	h.CloseAll(ErrShutdown)
	for _, s := range []*Subscription{a, b} {
		if _, open := <-s.Changes(); open {
			t.Fatal("subscription still open after CloseAll")
		}
		if s.Err() != ErrShutdown {
			t.Fatalf("ended with %v, want ErrShutdown", s.Err())
		}
	}
}

func TestSchemaEventsReachDatabaseSubscribers(t *testing.T) {
	h := NewHub()
	db := h.SubscribeDatabase(7, 4, nil)
	h.Publish([]*gqlbase.Event{
		{ID: 1, DatabaseID: 7, TableID: 3, Kind: gqlbase.EventColumnCreated},
		{ID: 2, DatabaseID: 7, TableID: 3, Kind: gqlbase.EventRowCreated, After: json.RawMessage(`{}`)},
	})
	if got := drainIDs(db); len(got) != 1 || got[0] != 1 {
		t.Fatalf("database subscriber got %v, want only the schema event [1]", got)
	}
}

// Prepare runs without the hub's lock (it may query the database): subscribing from it,
// which takes the lock for writing, must not deadlock, and sinks see what it set.
func TestHubPrepareRunsOutsideTheLock(t *testing.T) {
	h := NewHub()
	sub := h.SubscribeTable(1, 10, nil)
	var prepared []int64
	h.Prepare(func(changes []*Change) {
		h.SubscribeTable(3, 1, nil).Close()
		for _, c := range changes {
			prepared = append(prepared, c.ID)
			c.Table = &gqlbase.Table{ID: c.TableID, Name: "loaded"}
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Publish([]*gqlbase.Event{rowEvent(1, 1, `{"id":1}`), rowEvent(2, 2, `{"id":2}`)})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Publish deadlocked: Prepare ran under the hub's lock")
	}
	if len(prepared) != 1 || prepared[0] != 1 {
		t.Fatalf("prepared %v, want only the change someone listens to: [1]", prepared)
	}
	select {
	case c := <-sub.Changes():
		if c.Table == nil || c.Table.Name != "loaded" {
			t.Fatalf("the sink saw table %+v, want what Prepare loaded", c.Table)
		}
	default:
		t.Fatal("no change delivered")
	}
}
