package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestPurgeTrashLoop(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan time.Duration)
	purge := func(_ context.Context, retention time.Duration) (int64, error) {
		calls <- retention
		return 1, errors.New("a failed purge is logged and retried")
	}
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		purgeTrashLoop(ctx, purge, 48*time.Hour, tick, quiet)
		close(done)
	}()
	// once at start, then once per tick
	for i := range 3 {
		if got := <-calls; got != 48*time.Hour {
			t.Fatalf("purge %d with retention %v", i, got)
		}
		if i < 2 {
			tick <- time.Now()
		}
	}
	cancel()
	<-done

	// retention 0 keeps the trash: no purge at all
	purgeTrashLoop(context.Background(), func(context.Context, time.Duration) (int64, error) {
		t.Error("purged with retention 0")
		return 0, nil
	}, 0, nil, quiet)
}

func TestTrashRetentionSettings(t *testing.T) {
	if got := purgeInterval(720 * time.Hour); got != time.Hour {
		t.Errorf("interval for 720h: %v", got)
	}
	if got := purgeInterval(20 * time.Minute); got != 2*time.Minute {
		t.Errorf("interval for 20m: %v", got)
	}
	if got := purgeInterval(time.Second); got != time.Minute {
		t.Errorf("interval for 1s: %v", got)
	}
	t.Setenv("GQLBASE_TRASH_RETENTION", "")
	if d, err := trashRetentionFromEnv(); err != nil || d != 720*time.Hour {
		t.Errorf("default retention %v, %v", d, err)
	}
	t.Setenv("GQLBASE_TRASH_RETENTION", "36h")
	if d, err := trashRetentionFromEnv(); err != nil || d != 36*time.Hour {
		t.Errorf("retention from the environment %v, %v", d, err)
	}
	for _, bad := range []string{"a month", "-1h", "30"} {
		t.Setenv("GQLBASE_TRASH_RETENTION", bad)
		if _, err := trashRetentionFromEnv(); err == nil {
			t.Errorf("GQLBASE_TRASH_RETENTION=%q accepted", bad)
		}
	}
	t.Setenv("GQLBASE_TRASH_RETENTION", "")
	c, err := parseServeFlags([]string{"--trash-retention", "12h"}, io.Discard)
	if err != nil || c.trashRetention != 12*time.Hour {
		t.Errorf("--trash-retention 12h: %v, %v", c.trashRetention, err)
	}
	c, err = parseServeFlags(nil, io.Discard)
	if err != nil || c.trashRetention != 720*time.Hour {
		t.Errorf("default --trash-retention: %v, %v", c.trashRetention, err)
	}
	if _, err := parseServeFlags([]string{"--trash-retention", "soon"}, io.Discard); err == nil {
		t.Errorf("--trash-retention soon accepted")
	}
}
