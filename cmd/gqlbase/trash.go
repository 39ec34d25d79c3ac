package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// defaultTrashRetention is how long deleted rows stay restorable: 30 days.
const defaultTrashRetention = 720 * time.Hour

// trashRetentionFromEnv reads GQLBASE_TRASH_RETENTION (a Go duration such as 720h or 90m; 0
// keeps deleted rows forever).
func trashRetentionFromEnv() (time.Duration, error) {
	v := os.Getenv("GQLBASE_TRASH_RETENTION")
	if v == "" {
		return defaultTrashRetention, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("GQLBASE_TRASH_RETENTION=%q: want a duration such as 720h (0 keeps deleted rows forever)", v)
	}
	return d, nil
}

// purgeInterval is how often the trash is purged for a retention: a tenth of it, between a
// minute and an hour, so entries outlive their retention by little.
func purgeInterval(retention time.Duration) time.Duration {
	return min(max(retention/10, time.Minute), time.Hour)
}

// purgeTrashLoop deletes trash entries older than retention now and then every interval,
// until ctx ends. A retention of 0 keeps them forever.
func purgeTrashLoop(ctx context.Context, purge func(context.Context, time.Duration) (int64, error), retention time.Duration, tick <-chan time.Time, logger *slog.Logger) {
	if retention <= 0 {
		return
	}
	for {
		n, err := purge(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("purge trash", "err", err)
		case n > 0:
			logger.Info("purged trash", "rows", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
