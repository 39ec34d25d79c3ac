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

// defaultEventRetention is how long outbox events are kept (event streams resume from them):
// 7 days.
const defaultEventRetention = 168 * time.Hour

// defaultAuditRetention is how long audit log entries are kept by default: 400 days, so a
// year's reviews find a whole year.
const defaultAuditRetention = 400 * 24 * time.Hour

// trashRetentionFromEnv reads GQLBASE_TRASH_RETENTION (a Go duration such as 720h or 90m; 0
// keeps deleted rows forever).
func trashRetentionFromEnv() (time.Duration, error) {
	return retentionFromEnv("GQLBASE_TRASH_RETENTION", defaultTrashRetention, "deleted rows")
}

// eventRetentionFromEnv reads GQLBASE_EVENT_RETENTION (0 keeps events forever).
func eventRetentionFromEnv() (time.Duration, error) {
	return retentionFromEnv("GQLBASE_EVENT_RETENTION", defaultEventRetention, "events")
}

func retentionFromEnv(key string, def time.Duration, what string) (time.Duration, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q: want a duration such as 720h (0 keeps %s forever)", key, v, what)
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
	purgeLoop(ctx, "trash", purge, retention, tick, logger)
}

// purgeLoop deletes what is older than retention now and then at every tick, until ctx ends.
// A retention of 0 keeps everything.
func purgeLoop(ctx context.Context, what string, purge func(context.Context, time.Duration) (int64, error), retention time.Duration, tick <-chan time.Time, logger *slog.Logger) {
	if retention <= 0 {
		return
	}
	for {
		n, err := purge(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("purge "+what, "err", err)
		case n > 0:
			logger.Info("purged "+what, "rows", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
