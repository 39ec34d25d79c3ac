package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// Of many presentations of one refresh token at once, exactly one rotates it; every other one
// is a reuse, and the session ends.
func TestRefreshTokenRotatesOnceUnderConcurrency(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, "ann@example.com", "", "hash")
	if err != nil {
		t.Fatal(err)
	}
	first := gqlbase.HashSecret("refresh-0")
	sid, err := st.CreateJWTSession(ctx, u.ID, gqlbase.HashSecret("placeholder"), first, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	outcomes := make([]storage.RefreshOutcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, o, err := st.RotateRefreshToken(ctx, first, gqlbase.HashSecret("refresh-next-"+string(rune('a'+i))))
			if err != nil {
				t.Error(err)
			}
			outcomes[i] = o
		}()
	}
	wg.Wait()
	counts := map[storage.RefreshOutcome]int{}
	for _, o := range outcomes {
		counts[o]++
	}
	if counts[storage.Refreshed] != 1 || counts[storage.RefreshReused]+counts[storage.RefreshEnded] != n-1 || counts[storage.RefreshReused] < 1 {
		t.Fatalf("outcomes %v: want one rotation and the rest reuses (or ended once revoked)", counts)
	}
	if _, err := st.JWTSession(ctx, sid); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Fatalf("the session still works after a reuse: %v", err)
	}
	if _, _, err := st.RotateRefreshToken(ctx, gqlbase.HashSecret("unknown"), gqlbase.HashSecret("x")); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Fatalf("an unknown refresh token: %v", err)
	}
}

// The signing key is made once, whoever asks first, and never replaced.
func TestSigningKeyMadeOnce(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	keys := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := st.SigningKey(ctx, "jwt", func() ([]byte, error) { return []byte(string(rune('a'+i)) + "0123456789abcdef0123456789abcdef"), nil })
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys {
		if string(k) != string(keys[0]) || len(k) < 32 {
			t.Fatalf("processes disagree on the key: %q", keys)
		}
	}
	again, err := st.SigningKey(ctx, "jwt", func() ([]byte, error) { return []byte("zz0123456789abcdef0123456789abcdef"), nil })
	if err != nil || string(again) != string(keys[0]) {
		t.Fatalf("the key changed: %q, %v", again, err)
	}
}
