package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Comments on rows (row_comments). Each write records its event (comment.created, .updated,
// .deleted) in the outbox in the same transaction.

type commentRecord struct {
	ID        int64     `db:"id" json:"id"`
	TableID   int64     `db:"table_id" json:"tableId"`
	RowID     int64     `db:"row_id" json:"rowId"`
	Author    string    `db:"author" json:"author"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}

func (r *commentRecord) comment() *gqlbase.Comment {
	return &gqlbase.Comment{ID: r.ID, TableID: r.TableID, RowID: r.RowID, Author: r.Author, Body: r.Body,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

const commentColumns = `id, table_id, row_id, author, body, created_at, updated_at`

func writeCommentEvent(ctx context.Context, tx *Tx, t *gqlbase.Table, kind gqlbase.EventKind, actor string, before, after *commentRecord) error {
	var rowID int64
	for _, r := range []*commentRecord{before, after} {
		if r != nil {
			rowID = r.RowID
		}
	}
	payload, err := json.Marshal(map[string]any{"before": before, "after": after})
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	_, err = tx.ExecContext(ctx, `WITH e AS (
		INSERT INTO events (workspace_id, database_id, table_id, row_id, kind, actor, payload)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id)
		`+fmt.Sprintf(notifySQL, "e"), t.WorkspaceID, t.DatabaseID, t.ID, rowID, string(kind), actor, string(payload))
	if err != nil {
		return fmt.Errorf("write %s event: %w", kind, err)
	}
	return nil
}

// CreateComment adds a comment on a row.
func (s *Store) CreateComment(ctx context.Context, t *gqlbase.Table, rowID int64, author, body string) (*gqlbase.Comment, error) {
	var r commentRecord
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &r, `INSERT INTO row_comments (table_id, row_id, author, body) VALUES ($1, $2, $3, $4)
			RETURNING `+commentColumns, t.ID, rowID, author, body); err != nil {
			return fmt.Errorf("create comment: %w", err)
		}
		return writeCommentEvent(ctx, tx, t, gqlbase.EventCommentCreated, author, nil, &r)
	})
	if err != nil {
		return nil, err
	}
	return r.comment(), nil
}

// GetComment returns a comment by id.
func (s *Store) GetComment(ctx context.Context, id int64) (*gqlbase.Comment, error) {
	var r commentRecord
	if err := s.db.GetContext(ctx, &r, `SELECT `+commentColumns+` FROM row_comments WHERE id = $1`, id); err != nil {
		if isNoRows(err) {
			return nil, gqlbase.NotFound("comment %d not found", id)
		}
		return nil, fmt.Errorf("get comment: %w", err)
	}
	return r.comment(), nil
}

// ListComments returns up to limit comments of a row, newest first, older than beforeID
// (0: from the newest), and whether there are more.
func (s *Store) ListComments(ctx context.Context, tableID, rowID, beforeID int64, limit int) ([]*gqlbase.Comment, bool, error) {
	var recs []commentRecord
	if err := s.db.SelectContext(ctx, &recs, `SELECT `+commentColumns+` FROM row_comments
		WHERE table_id = $1 AND row_id = $2 AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4`,
		tableID, rowID, beforeID, limit+1); err != nil {
		return nil, false, fmt.Errorf("list comments: %w", err)
	}
	more := len(recs) > limit
	if more {
		recs = recs[:limit]
	}
	out := make([]*gqlbase.Comment, len(recs))
	for i := range recs {
		out[i] = recs[i].comment()
	}
	return out, more, nil
}

// UpdateComment changes a comment's text when author wrote it; another author's comment
// answers FORBIDDEN and changes nothing.
func (s *Store) UpdateComment(ctx context.Context, t *gqlbase.Table, id int64, author, body string) (*gqlbase.Comment, error) {
	var after commentRecord
	err := s.InTx(ctx, func(tx *Tx) error {
		before, err := lockComment(ctx, tx, id, author)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &after, `UPDATE row_comments SET body = $2, updated_at = now() WHERE id = $1
			RETURNING `+commentColumns, id, body); err != nil {
			return fmt.Errorf("update comment: %w", err)
		}
		return writeCommentEvent(ctx, tx, t, gqlbase.EventCommentUpdated, author, before, &after)
	})
	if err != nil {
		return nil, err
	}
	return after.comment(), nil
}

// DeleteComment deletes a comment when author wrote it.
func (s *Store) DeleteComment(ctx context.Context, t *gqlbase.Table, id int64, author string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		before, err := lockComment(ctx, tx, id, author)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM row_comments WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete comment: %w", err)
		}
		return writeCommentEvent(ctx, tx, t, gqlbase.EventCommentDeleted, author, before, nil)
	})
}

func lockComment(ctx context.Context, tx *Tx, id int64, author string) (*commentRecord, error) {
	var r commentRecord
	if err := tx.GetContext(ctx, &r, `SELECT `+commentColumns+` FROM row_comments WHERE id = $1 FOR UPDATE`, id); err != nil {
		if isNoRows(err) {
			return nil, gqlbase.NotFound("comment %d not found", id)
		}
		return nil, fmt.Errorf("lock comment: %w", err)
	}
	if r.Author != author {
		return nil, gqlbase.Forbidden("only the author of comment %d may change it", id)
	}
	return &r, nil
}
