package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/gqlbase/gqlbase/files"
	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/internal/netguard"
	"github.com/gqlbase/gqlbase/storage"
)

// FilesConfig configures the files capability. A nil Blobs leaves it off: file operations
// answer NOT_IMPLEMENTED.
type FilesConfig struct {
	Blobs blob.Store
	// MaxUploadSize caps uploads (default files.DefaultMaxUploadSize).
	MaxUploadSize int64
	// SigningKey signs download URLs (at least 32 bytes); nil makes a random one, so signed
	// URLs last only as long as the process.
	SigningKey []byte
	// AllowPrivateFetch lets uploads from a URL reach private addresses (tests only).
	AllowPrivateFetch bool
	// PendingMaxAge is how long an upload may stay pending before the sweep removes it
	// (default 1 hour).
	PendingMaxAge time.Duration
}

func newFiles(cfg FilesConfig, store *storage.Store, logger *slog.Logger) (*files.Service, error) {
	if cfg.Blobs == nil {
		return nil, nil
	}
	key := cfg.SigningKey
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	signer, err := files.NewSigner(key)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	max := cfg.MaxUploadSize
	if max <= 0 {
		max = files.DefaultMaxUploadSize
	}
	return &files.Service{Meta: store, Blobs: cfg.Blobs, MaxUploadSize: max, Signer: signer,
		Fetch: netguard.Policy{AllowPrivate: cfg.AllowPrivateFetch}, Logger: logger}, nil
}

// sweepPendingFiles removes, every few minutes, uploads whose process died before they were
// ready, and the blobs nothing else holds.
func sweepPendingFiles(svc *files.Service, maxAge time.Duration, logger *slog.Logger) func(context.Context) error {
	if maxAge <= 0 {
		maxAge = time.Hour
	}
	return func(ctx context.Context) error {
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		for {
			if n, err := svc.SweepPending(ctx, maxAge); err != nil && ctx.Err() == nil {
				logger.Warn("files: sweep pending uploads", "err", err)
			} else if n > 0 {
				logger.Info("files: swept pending uploads", "count", n)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}
