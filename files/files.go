// Package files is the files capability: uploads (spooled, size-capped, hashed, MIME-sniffed),
// their metadata (through the Meta interface, which storage implements) and their bytes (a
// blob.Store), signed download URLs, and the sweep of uploads that died half-way. The GraphQL
// resolvers and the REST dialects reach it through the resolvers' use cases.
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/internal/netguard"
)

// DefaultMaxUploadSize is --max-upload-size's default.
const DefaultMaxUploadSize = 64 << 20

// Meta is the metadata store files needs (implemented by *storage.Store).
type Meta interface {
	InsertPendingFile(ctx context.Context, f *gqlbase.File) error
	MarkFileReady(ctx context.Context, id int64) (*gqlbase.File, error)
	File(ctx context.Context, id int64) (*gqlbase.File, error)
	DeleteFileRow(ctx context.Context, id int64) (sha string, blobShared bool, err error)
	BlobInUse(ctx context.Context, sha string) (bool, error)
	StalePendingFiles(ctx context.Context, before time.Time, limit int) ([]*gqlbase.File, error)
}

// Service is the files capability over one metadata store and one blob store.
type Service struct {
	Meta  Meta
	Blobs blob.Store
	// MaxUploadSize caps every upload (a dialect may pass a lower cap per call).
	MaxUploadSize int64
	// SpoolDir holds uploads while they are hashed and checked; "" is the system temp dir.
	SpoolDir string
	// Fetch is the SSRF policy of uploads from a URL.
	Fetch  netguard.Policy
	Signer *Signer
	Logger *slog.Logger
}

// UploadInput is what an upload says about the file besides its bytes.
type UploadInput struct {
	WorkspaceID int64
	DatabaseID  *int64
	Name        string
	Folder      string
	Public      bool
	Temporary   bool
	CreatedBy   *int64
	// MaxSize, when positive and lower than the service's, caps this upload (a dialect's limit).
	MaxSize int64
}

func (s *Service) limit(in UploadInput) int64 {
	max := s.MaxUploadSize
	if max <= 0 {
		max = DefaultMaxUploadSize
	}
	if in.MaxSize > 0 && in.MaxSize < max {
		max = in.MaxSize
	}
	return max
}

func checkName(in *UploadInput) error {
	in.Name = strings.TrimSpace(path.Base(strings.ReplaceAll(in.Name, "\\", "/")))
	if in.Name == "" || in.Name == "." || in.Name == "/" || len(in.Name) > 255 {
		return gqlbase.BadInput("a file name of 1 to 255 characters is required").WithField("name")
	}
	if strings.ContainsAny(in.Name, "\x00\r\n") {
		return gqlbase.BadInput("the file name holds a control character").WithField("name")
	}
	in.Folder = strings.Trim(in.Folder, "/")
	if len(in.Folder) > 1024 || strings.Contains(in.Folder, "..") || strings.ContainsAny(in.Folder, "\x00\r\n") {
		return gqlbase.BadInput("the folder path must be at most 1024 characters without '..'").WithField("folder")
	}
	return nil
}

// Upload stores r as a new file. The bytes are spooled to a temp file first, so an upload
// over the cap is refused (PAYLOAD_TOO_LARGE) before anything reaches the metadata or the
// blob store, and the SHA-256 names the blob before it is written (same content: one blob).
// The row is inserted pending, the blob stored, then the row marked ready: a process killed
// in between leaves a pending row the sweep removes, never a ready file without its blob.
func (s *Service) Upload(ctx context.Context, in UploadInput, r io.Reader) (*gqlbase.File, error) {
	if err := checkName(&in); err != nil {
		return nil, err
	}
	max := s.limit(in)
	spool, err := os.CreateTemp(s.SpoolDir, "gqlbase-upload-*")
	if err != nil {
		return nil, fmt.Errorf("upload: spool: %w", err)
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(spool, h), io.LimitReader(r, max+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, tooLargeErr(max)
		}
		return nil, gqlbase.BadInput("reading the upload failed: %v", err)
	}
	if n > max {
		return nil, tooLargeErr(max)
	}
	head := make([]byte, 512)
	k, _ := spool.ReadAt(head, 0)
	mime, err := DetectMIME(in.Name, head[:k])
	if err != nil {
		return nil, err
	}
	f := &gqlbase.File{WorkspaceID: in.WorkspaceID, DatabaseID: in.DatabaseID, Name: in.Name, Folder: in.Folder,
		MimeType: mime, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Public: in.Public,
		Temporary: in.Temporary, CreatedBy: in.CreatedBy}
	if err := s.Meta.InsertPendingFile(ctx, f); err != nil {
		return nil, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("upload: rewind spool: %w", err)
	}
	if err := s.Blobs.Put(ctx, f.SHA256, spool, n); err != nil {
		// the pending row goes with the failed blob; if this delete fails too, the sweep takes it
		s.removeFile(context.WithoutCancel(ctx), f.ID)
		return nil, fmt.Errorf("upload: store blob: %w", err)
	}
	return s.Meta.MarkFileReady(ctx, f.ID)
}

func tooLargeErr(max int64) error {
	return gqlbase.Errorf(gqlbase.CodePayloadTooLarge, "the file is larger than the upload limit of %d bytes", max).WithField("file")
}

// Open returns a ready file and its blob for reading; the caller closes the blob.
func (s *Service) Open(ctx context.Context, f *gqlbase.File) (blob.Object, error) {
	if f.State != gqlbase.FileReady {
		return nil, gqlbase.NotFound("file %d is still being uploaded", f.ID)
	}
	o, err := s.Blobs.Open(ctx, f.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, fmt.Errorf("file %d: its blob %s is missing: %w", f.ID, f.SHA256, err)
	}
	return o, err
}

// Delete removes a file for good, and its blob when no other file holds the same content.
func (s *Service) Delete(ctx context.Context, id int64) error {
	sha, shared, err := s.Meta.DeleteFileRow(ctx, id)
	if err != nil {
		return err
	}
	if !shared {
		s.removeBlob(ctx, sha)
	}
	return nil
}

func (s *Service) removeFile(ctx context.Context, id int64) {
	if err := s.Delete(ctx, id); err != nil && s.Logger != nil {
		s.Logger.Warn("files: remove a failed upload", "file", id, "err", err)
	}
}

func (s *Service) removeBlob(ctx context.Context, sha string) {
	err := s.Blobs.Delete(ctx, sha)
	if err != nil && !errors.Is(err, blob.ErrNotFound) && s.Logger != nil {
		s.Logger.Warn("files: remove blob", "sha256", sha, "err", err)
	}
}

// SweepPending removes uploads still pending after maxAge (their process died mid-upload) and
// the blobs no remaining file holds. It returns how many files it removed.
func (s *Service) SweepPending(ctx context.Context, maxAge time.Duration) (int, error) {
	stale, err := s.Meta.StalePendingFiles(ctx, time.Now().Add(-maxAge), 1000)
	if err != nil {
		return 0, err
	}
	for _, f := range stale {
		used, err := s.Meta.BlobInUse(ctx, f.SHA256)
		if err != nil {
			return 0, err
		}
		if !used {
			s.removeBlob(ctx, f.SHA256)
		}
	}
	return len(stale), nil
}
