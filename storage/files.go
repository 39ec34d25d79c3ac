package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
)

const fileColumns = `id, workspace_id, database_id, name, folder, mime_type, size, sha256, public,
	temporary, state, created_by, created_at, updated_at`

// InsertPendingFile records a file whose blob is about to be stored; MarkFileReady follows
// once it is.
func (s *Store) InsertPendingFile(ctx context.Context, f *gqlbase.File) error {
	err := s.db.GetContext(ctx, f, `INSERT INTO files (workspace_id, database_id, name, folder, mime_type,
		size, sha256, public, temporary, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING `+fileColumns, f.WorkspaceID, f.DatabaseID, f.Name, f.Folder, f.MimeType, f.Size,
		f.SHA256, f.Public, f.Temporary, f.CreatedBy)
	if err != nil {
		return fmt.Errorf("insert file: %w", err)
	}
	return nil
}

// MarkFileReady makes a pending file servable.
func (s *Store) MarkFileReady(ctx context.Context, id int64) (*gqlbase.File, error) {
	var f gqlbase.File
	err := s.db.GetContext(ctx, &f, `UPDATE files SET state = 'ready', updated_at = now()
		WHERE id = $1 RETURNING `+fileColumns, id)
	if err != nil {
		return nil, fmt.Errorf("mark file %d ready: %w", id, err)
	}
	return &f, nil
}

// File returns a file that is not deleted, or NOT_FOUND.
func (s *Store) File(ctx context.Context, id int64) (*gqlbase.File, error) {
	var f gqlbase.File
	err := s.db.GetContext(ctx, &f, `SELECT `+fileColumns+` FROM files WHERE id = $1 AND deleted_at IS NULL`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("no file with id %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read file %d: %w", id, err)
	}
	return &f, nil
}

// DeleteFileRow removes a file's row and tells whether another row (of any state, deleted or
// not) still holds the same blob, so the caller removes the blob only when none does.
func (s *Store) DeleteFileRow(ctx context.Context, id int64) (sha string, blobShared bool, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &sha, `DELETE FROM files WHERE id = $1 RETURNING sha256`, id); err != nil {
			if isNoRows(err) {
				return gqlbase.NotFound("no file with id %d", id)
			}
			return fmt.Errorf("delete file %d: %w", id, err)
		}
		return tx.GetContext(ctx, &blobShared, `SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = $1)`, sha)
	})
	return sha, blobShared, err
}

// BlobInUse tells whether any file row holds the blob.
func (s *Store) BlobInUse(ctx context.Context, sha string) (bool, error) {
	var used bool
	if err := s.db.GetContext(ctx, &used, `SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = $1)`, sha); err != nil {
		return false, fmt.Errorf("blob in use: %w", err)
	}
	return used, nil
}

// StalePendingFiles deletes pending files created before the cutoff (their upload died) and
// returns them, at most limit, so the caller can remove blobs no other row holds.
func (s *Store) StalePendingFiles(ctx context.Context, before time.Time, limit int) ([]*gqlbase.File, error) {
	var out []*gqlbase.File
	err := s.db.SelectContext(ctx, &out, `DELETE FROM files WHERE id IN (SELECT id FROM files
		WHERE state = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING `+fileColumns, before, limit)
	if err != nil {
		return nil, fmt.Errorf("sweep pending files: %w", err)
	}
	return out, nil
}
