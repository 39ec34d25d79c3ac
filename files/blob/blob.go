// Package blob stores the bytes of files behind one interface: a content-addressed folder on
// local disk (the default, under the data dir) or any S3-compatible object store. Keys are
// chosen by the caller (the files service names a blob by the SHA-256 of its content, so the
// same content uploaded twice is stored once); a store only keeps, serves and removes them.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// ErrNotFound is returned (wrapped) by Open, Stat and Delete for a key the store does not hold.
var ErrNotFound = errors.New("blob not found")

// Store keeps blobs by key. Put must be atomic: a reader never sees a partly written blob, and
// a Put cut short (process killed) leaves no blob under the key.
type Store interface {
	// Put stores size bytes from r under key, replacing nothing if the key already exists
	// with the same content (keys are content hashes).
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open returns the blob for reading; the reader seeks, so HTTP range requests can be
	// served from it.
	Open(ctx context.Context, key string) (Object, error)
	// Stat returns the blob's size.
	Stat(ctx context.Context, key string) (int64, error)
	// Delete removes the blob; deleting a missing key is ErrNotFound.
	Delete(ctx context.Context, key string) error
	// Name says what kind of store this is, for logs and metrics ("fs", "s3").
	Name() string
}

// Object is an open blob.
type Object interface {
	io.ReadSeekCloser
	Size() int64
}

// keyRe is what keys look like: lower-case hex digests, optionally with a suffix for derived
// blobs (image variants). Checking it keeps a key from ever naming a path outside the store.
var keyRe = regexp.MustCompile(`^[0-9a-f]{16,128}(\.[0-9a-z_-]{1,64})?$`)

// CheckKey refuses a key that is not a hex digest with an optional suffix.
func CheckKey(key string) error {
	if !keyRe.MatchString(key) {
		return fmt.Errorf("blob: invalid key %q", key)
	}
	return nil
}

// Open opens the store a --blob-store value names: "" or "fs" (a folder under dataDir),
// "file:///abs/path" (that folder), or "s3://bucket?endpoint=host:port&region=...&secure=false"
// (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or MINIO_ACCESS_KEY/MINIO_SECRET_KEY,
// never from the URL).
func OpenURL(ctx context.Context, raw, dataDir string) (Store, error) {
	switch {
	case raw == "" || raw == "fs":
		if dataDir == "" {
			return nil, errors.New("blob: the folder store needs a data dir")
		}
		return NewFS(strings.TrimRight(dataDir, "/") + "/blobs")
	case strings.HasPrefix(raw, "file://"):
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("blob: parse %q: %w", raw, err)
		}
		return NewFS(u.Path)
	case strings.HasPrefix(raw, "s3://"):
		cfg, err := ParseS3URL(raw)
		if err != nil {
			return nil, err
		}
		return NewS3(ctx, cfg)
	}
	return nil, fmt.Errorf("blob: unknown store %q (want fs, file:///path or s3://bucket?endpoint=...)", raw)
}
