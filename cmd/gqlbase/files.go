package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gqlbase/gqlbase/files"
	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/internal/server"
	"github.com/gqlbase/gqlbase/rest"
)

// fileFlags are the flags of the files capability.
type fileFlags struct {
	blobStore     string
	maxUploadSize int64
	publicURL     string
}

func addFileFlags(fs *flag.FlagSet, c *fileFlags) error {
	fs.StringVar(&c.blobStore, "blob-store", env("GQLBASE_BLOB_STORE", ""), "where file contents are kept: empty for a folder under the data dir, file:///path, or s3://bucket?endpoint=host:port&region=r&secure=true with credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (env GQLBASE_BLOB_STORE)")
	max := int64(files.DefaultMaxUploadSize)
	if v := os.Getenv("GQLBASE_MAX_UPLOAD_SIZE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("GQLBASE_MAX_UPLOAD_SIZE=%q: want a positive number of bytes", v)
		}
		max = n
	}
	fs.Int64Var(&c.maxUploadSize, "max-upload-size", max, "the largest file an upload may store, in bytes; larger ones get 413 and store nothing (env GQLBASE_MAX_UPLOAD_SIZE)")
	fs.StringVar(&c.publicURL, "public-url", env("GQLBASE_PUBLIC_URL", ""), "the server's external URL, e.g. https://api.example.com, for absolute URLs in answers (signed file URLs); default: relative URLs (env GQLBASE_PUBLIC_URL)")
	return nil
}

// multipartEnvelope is what a GraphQL multipart request may carry besides its file (the
// operations and map parts), so a file of exactly --max-upload-size still fits.
const multipartEnvelope = 1 << 20

// open opens the blob store and the URL signing key (kept in the data dir).
func (c fileFlags) open(ctx context.Context, dataDir string) (server.FilesConfig, rest.Limits, error) {
	lim := rest.DefaultLimits
	if c.maxUploadSize <= 0 {
		return server.FilesConfig{}, lim, fmt.Errorf("--max-upload-size must be positive")
	}
	lim.MaxUploadBytes = c.maxUploadSize + multipartEnvelope
	store, err := blob.OpenURL(ctx, c.blobStore, dataDir)
	if err != nil {
		return server.FilesConfig{}, lim, fmt.Errorf("--blob-store: %w", err)
	}
	key, err := files.LoadOrCreateKey(filepath.Join(dataDir, "file-signing.key"))
	if err != nil {
		return server.FilesConfig{}, lim, err
	}
	return server.FilesConfig{Blobs: store, MaxUploadSize: c.maxUploadSize, SigningKey: key}, lim, nil
}
