package rest

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gqlbase/gqlbase/realtime"
)

func TestGroupDropsOnlyTheSlowMember(t *testing.T) {
	g := &subGroup{members: map[*subMember]struct{}{}, cancel: func() {}}
	slow := &subMember{ch: make(chan *graphql.Response, 2)}
	fast := &subMember{ch: make(chan *graphql.Response, 100)}
	g.add(slow)
	g.add(fast)
	for i := 0; i < 10; i++ {
		g.broadcast(&graphql.Response{})
	}
	if len(fast.ch) != 10 {
		t.Fatalf("the member that keeps up got %d of 10 responses", len(fast.ch))
	}
	n := 0
	for range slow.ch { // closed after its buffer filled
		n++
	}
	if n != 2 || slow.err != realtime.ErrSlowSubscriber {
		t.Fatalf("slow member: %d responses, ended with %v; want 2 and ErrSlowSubscriber", n, slow.err)
	}
	if g.remove(fast) != true {
		t.Fatal("removing the last member must end the group")
	}
}
