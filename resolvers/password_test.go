package resolvers

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
)

// Finding 7: argon2id ran once per request with no bound, so a flood of credential requests
// took every core.
func TestUnauthenticatedCPUExhaustionArgonSlots(t *testing.T) {
	var r Resolver
	n := 4 * runtime.NumCPU()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.hashPassword(context.Background(), "a password"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := r.PasswordHashes(); got != int64(n) {
		t.Fatalf("%d hashes counted, want %d", got, n)
	}
	if peak := argonPeak.Load(); peak > int64(runtime.NumCPU()) {
		t.Fatalf("%d argon2id computations ran at once on %d cores", peak, runtime.NumCPU())
	}

	// A caller waiting for a slot gives up when its request ends.
	for i := 0; i < cap(argonSlots); i++ {
		argonSlots <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.verifyPassword(ctx, "a password", dummyHash)
		done <- err
	}()
	cancel()
	err := <-done
	for i := 0; i < cap(argonSlots); i++ {
		<-argonSlots
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("verification with all slots taken and the request gone: %v, want context.Canceled", err)
	}
	if got := r.PasswordHashes(); got != int64(n) {
		t.Fatalf("a cancelled verification ran: %d hashes, want %d", got, n)
	}
	ok, err := r.verifyPassword(context.Background(), "a password", dummyHash)
	if err != nil || ok {
		t.Fatalf("verification against the dummy hash: %v %v", ok, err)
	}
}
