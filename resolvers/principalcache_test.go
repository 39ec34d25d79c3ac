package resolvers

import (
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
)

func TestPrincipalCacheCopiesExpiresAndClears(t *testing.T) {
	var c principalCache
	now := time.Now()
	hash := []byte("h")
	c.put(hash, &gqlbase.Principal{Kind: gqlbase.PrincipalUser, UserID: 1, Roles: map[int64]gqlbase.Role{1: gqlbase.RoleOwner}}, now)
	p, ok := c.get(hash, now)
	if !ok || p.UserID != 1 {
		t.Fatalf("cached principal not found: %v %v", p, ok)
	}
	p.Roles[2] = gqlbase.RoleOwner // a resolver adding a workspace must not change the cache
	if q, _ := c.get(hash, now); len(q.Roles) != 1 {
		t.Fatalf("the cached principal was changed through a copy: %v", q.Roles)
	}
	if _, ok := c.get(hash, now.Add(principalTTL+time.Millisecond)); ok {
		t.Fatal("a principal was served after its time to live")
	}
	soon := now.Add(time.Second / 2)
	c.put([]byte("e"), &gqlbase.Principal{Kind: gqlbase.PrincipalToken, ExpiresAt: &soon}, now)
	if _, ok := c.get([]byte("e"), now.Add(time.Second)); ok {
		t.Fatal("a principal was served after its credential expired")
	}
	c.clear()
	if _, ok := c.get(hash, now); ok {
		t.Fatal("clear left a principal")
	}
}
