package dataloaders

import (
	"context"
	"sync"
	"time"
)

// batcher collects the keys asked for during a short window and loads them with one call.
// gqlgen resolves the fields of list items concurrently, so the link of every row of a page
// asks within the same window and costs one query.
type batcher[K comparable, V any] struct {
	fetch   func(ctx context.Context, keys []K) (map[K]V, error)
	wait    time.Duration
	maxSize int

	mu      sync.Mutex
	pending *batch[K, V]
}

type batch[K comparable, V any] struct {
	keys   []K
	seen   map[K]bool
	done   chan struct{}
	result map[K]V
	err    error
}

func newBatcher[K comparable, V any](wait time.Duration, maxSize int, fetch func(context.Context, []K) (map[K]V, error)) *batcher[K, V] {
	return &batcher[K, V]{fetch: fetch, wait: wait, maxSize: maxSize}
}

// load returns the value for key (ok false when the fetch did not return it).
func (b *batcher[K, V]) load(ctx context.Context, key K) (V, bool, error) {
	b.mu.Lock()
	cur := b.pending
	if cur == nil {
		cur = &batch[K, V]{seen: map[K]bool{}, done: make(chan struct{})}
		b.pending = cur
		go b.run(ctx, cur)
	}
	if !cur.seen[key] {
		cur.seen[key] = true
		cur.keys = append(cur.keys, key)
	}
	if len(cur.keys) >= b.maxSize {
		b.pending = nil // full: the next key starts a new batch
	}
	b.mu.Unlock()

	select {
	case <-cur.done:
	case <-ctx.Done():
		var zero V
		return zero, false, ctx.Err()
	}
	v, ok := cur.result[key]
	return v, ok, cur.err
}

func (b *batcher[K, V]) run(ctx context.Context, cur *batch[K, V]) {
	timer := time.NewTimer(b.wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	b.mu.Lock()
	if b.pending == cur {
		b.pending = nil
	}
	keys := cur.keys
	b.mu.Unlock()
	cur.result, cur.err = b.fetch(context.WithoutCancel(ctx), keys)
	close(cur.done)
}
