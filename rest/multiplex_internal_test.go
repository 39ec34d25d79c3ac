package rest

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/realtime"
)

func TestGroupDropsOnlyTheMemberThatIsBehind(t *testing.T) {
	g := &subGroup{members: map[*subMember]struct{}{}, cancel: func() {}}
	// The slow member's queue holds its 2-response channel and 3 more of 64+64 bytes.
	slow := &subMember{}
	slow.q = realtime.NewQueue[*graphql.Response](2, realtime.Flow{SlowAfter: time.Hour, MaxBytes: 3 * 128}, func(err error) { g.end(slow, err) })
	fast := &subMember{}
	fast.q = realtime.NewQueue[*graphql.Response](2, realtime.DefaultFlow, func(err error) { g.end(fast, err) })
	g.add(slow)
	g.add(fast)
	data := []byte(`{"rowEvents":{"id":"1234567890123456789012345678901234567890123456789012345678901"}}`)[:64]
	for i := 1; i <= 10; i++ {
		g.broadcast(&graphql.Response{Data: data}, int64(i))
	}
	n := 0
	for range fast.q.Out() {
		n++
		if n == 10 {
			break
		}
	}
	if n != 10 {
		t.Fatalf("the member that keeps up got %d of 10 responses", n)
	}
	got := 0
	for range slow.q.Out() { // closed once it overflowed
		got++
	}
	e, ok := gqlbase.AsError(slow.err)
	if got != 2 || !ok || e.Details["lastEventId"] != "2" {
		t.Fatalf("slow member: %d responses, ended with %v; want the 2 of its channel and an error naming event 2 (nothing past a dropped one)", got, slow.err)
	}
	if g.remove(fast) != true {
		t.Fatal("removing the last member must end the group")
	}
}
