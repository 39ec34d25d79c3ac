package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// Saved views and their public sharing (the views and view_tokens tables).

const viewColumns = `v.id, v.table_id, t.database_id, d.workspace_id, v.name, v.type, v.position,
	v.filter, v.sorts, v.group_by, v.hidden_fields, v.field_options, v.decorations,
	v.group_column, v.date_column, v.end_date_column, v.slug, v.password_hash, v.created_by,
	v.created_at, v.updated_at`

const viewFrom = ` FROM views v JOIN tables_meta t ON t.id = v.table_id JOIN databases d ON d.id = t.database_id`

type viewRecord struct {
	ID            int64          `db:"id"`
	TableID       int64          `db:"table_id"`
	DatabaseID    int64          `db:"database_id"`
	WorkspaceID   int64          `db:"workspace_id"`
	Name          string         `db:"name"`
	Type          string         `db:"type"`
	Position      int            `db:"position"`
	Filter        []byte         `db:"filter"`
	Sorts         []byte         `db:"sorts"`
	GroupBy       []byte         `db:"group_by"`
	HiddenFields  []byte         `db:"hidden_fields"`
	FieldOptions  []byte         `db:"field_options"`
	Decorations   []byte         `db:"decorations"`
	GroupColumn   sql.NullString `db:"group_column"`
	DateColumn    sql.NullString `db:"date_column"`
	EndDateColumn sql.NullString `db:"end_date_column"`
	Slug          sql.NullString `db:"slug"`
	PasswordHash  string         `db:"password_hash"`
	CreatedBy     string         `db:"created_by"`
	CreatedAt     time.Time      `db:"created_at"`
	UpdatedAt     time.Time      `db:"updated_at"`
}

func nullStr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func (r *viewRecord) view() (*gqlbase.View, error) {
	v := &gqlbase.View{
		ID: r.ID, TableID: r.TableID, DatabaseID: r.DatabaseID, WorkspaceID: r.WorkspaceID,
		Name: r.Name, Type: gqlbase.ViewType(r.Type), Position: r.Position,
		GroupColumn: nullStr(r.GroupColumn), DateColumn: nullStr(r.DateColumn), EndDateColumn: nullStr(r.EndDateColumn),
		Slug: nullStr(r.Slug), PasswordHash: r.PasswordHash, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	v.Public = v.Slug != nil
	for _, part := range []struct {
		raw  []byte
		into any
	}{
		{r.Filter, &v.Filter}, {r.Sorts, &v.Sorts}, {r.GroupBy, &v.GroupBy}, {r.HiddenFields, &v.HiddenFields},
		{r.FieldOptions, &v.FieldOptions}, {r.Decorations, &v.Decorations},
	} {
		if len(part.raw) == 0 {
			continue
		}
		if err := json.Unmarshal(part.raw, part.into); err != nil {
			return nil, fmt.Errorf("decode view %d: %w", r.ID, err)
		}
	}
	return v, nil
}

func jsonParam(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode view: %w", err)
	}
	return string(b), nil
}

// viewParams are a view's settings as statement parameters $1..$11 (name, type, filter,
// sorts, group_by, hidden_fields, field_options, decorations, group, date, end date).
func viewParams(v *gqlbase.View) ([]any, error) {
	var filter any
	if v.Filter != nil {
		filter = v.Filter
	}
	out := []any{v.Name, string(v.Type)}
	for _, x := range []any{filter, nonNil(v.Sorts), nonNil(v.GroupBy), nonNil(v.HiddenFields), nonNil(v.FieldOptions), v.Decorations} {
		p, err := jsonParam(x)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return append(out, v.GroupColumn, v.DateColumn, v.EndDateColumn), nil
}

// nonNil makes a nil slice an empty JSON array.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Store) getView(ctx context.Context, q queryer, where string, arg any) (*gqlbase.View, error) {
	var r viewRecord
	if err := q.GetContext(ctx, &r, `SELECT `+viewColumns+viewFrom+` WHERE `+where, arg); err != nil {
		if isNoRows(err) {
			return nil, gqlbase.NotFound("view not found")
		}
		return nil, fmt.Errorf("get view: %w", err)
	}
	return r.view()
}

// GetView returns a view by id.
func (s *Store) GetView(ctx context.Context, id int64) (*gqlbase.View, error) {
	return s.getView(ctx, s.db, `v.id = $1`, id)
}

// ViewBySlug returns the public view with this slug.
func (s *Store) ViewBySlug(ctx context.Context, slug string) (*gqlbase.View, error) {
	return s.getView(ctx, s.db, `v.slug = $1`, slug)
}

// ListViews returns a table's views in their order.
func (s *Store) ListViews(ctx context.Context, tableID int64) ([]*gqlbase.View, error) {
	var recs []viewRecord
	if err := s.db.SelectContext(ctx, &recs, `SELECT `+viewColumns+viewFrom+` WHERE v.table_id = $1 ORDER BY v.position, v.id`, tableID); err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	out := make([]*gqlbase.View, len(recs))
	for i := range recs {
		v, err := recs[i].view()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// CreateView adds a view at the end of its table's views.
func (s *Store) CreateView(ctx context.Context, v *gqlbase.View) (*gqlbase.View, error) {
	params, err := viewParams(v)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.GetContext(ctx, &id, `INSERT INTO views (name, type, filter, sorts, group_by, hidden_fields,
		field_options, decorations, group_column, date_column, end_date_column, table_id, created_by, position)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
			(SELECT coalesce(max(position) + 1, 0) FROM views WHERE table_id = $12))
		RETURNING id`, append(params, v.TableID, v.CreatedBy)...)
	if err != nil {
		return nil, fmt.Errorf("create view: %w", err)
	}
	return s.GetView(ctx, id)
}

// UpdateView stores a view's settings (not its sharing or position).
func (s *Store) UpdateView(ctx context.Context, v *gqlbase.View) (*gqlbase.View, error) {
	params, err := viewParams(v)
	if err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE views SET name = $1, type = $2, filter = $3, sorts = $4,
		group_by = $5, hidden_fields = $6, field_options = $7, decorations = $8, group_column = $9,
		date_column = $10, end_date_column = $11, updated_at = now() WHERE id = $12`, append(params, v.ID)...)
	if err != nil {
		return nil, fmt.Errorf("update view: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, gqlbase.NotFound("view %d not found", v.ID)
	}
	return s.GetView(ctx, v.ID)
}

// DeleteView deletes a view (its tokens go with it).
func (s *Store) DeleteView(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM views WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete view: %w", err)
	}
	return nil
}

// DuplicateView copies a view's settings under a new name, right after it; the copy is not
// public.
func (s *Store) DuplicateView(ctx context.Context, id int64, name, actor string) (*gqlbase.View, error) {
	var newID int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var pos int
		var tableID int64
		if err := tx.QueryRowContext(ctx, `SELECT position, table_id FROM views WHERE id = $1 FOR UPDATE`, id).Scan(&pos, &tableID); err != nil {
			if isNoRows(err) {
				return gqlbase.NotFound("view %d not found", id)
			}
			return fmt.Errorf("duplicate view: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE views SET position = position + 1 WHERE table_id = $1 AND position > $2`, tableID, pos); err != nil {
			return fmt.Errorf("duplicate view: %w", err)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO views (table_id, name, type, position, filter, sorts, group_by,
			hidden_fields, field_options, decorations, group_column, date_column, end_date_column, created_by)
			SELECT table_id, $2, type, position + 1, filter, sorts, group_by, hidden_fields, field_options,
				decorations, group_column, date_column, end_date_column, $3
			FROM views WHERE id = $1 RETURNING id`, id, name, actor).Scan(&newID)
	})
	if err != nil {
		return nil, err
	}
	return s.GetView(ctx, newID)
}

// OrderViews sets the order of a table's views: ids first, in that order, then the others
// in their current order. Ids of another table answer NOT_FOUND and change nothing.
func (s *Store) OrderViews(ctx context.Context, tableID int64, ids []int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM views WHERE table_id = $1 AND id = ANY($2::bigint[])`,
			tableID, pq.Array(ids)).Scan(&n); err != nil {
			return fmt.Errorf("order views: %w", err)
		}
		if n != len(ids) {
			return gqlbase.NotFound("a view of the list is not a view of table %d", tableID)
		}
		_, err := tx.ExecContext(ctx, `UPDATE views v SET position = o.pos - 1 FROM (
			SELECT id, row_number() OVER (ORDER BY coalesce(array_position($2::bigint[], id), 2147483647), position, id) AS pos
			FROM views WHERE table_id = $1) o WHERE v.id = o.id`, tableID, pq.Array(ids))
		if err != nil {
			return fmt.Errorf("order views: %w", err)
		}
		return nil
	})
}

// ShareView makes a view public under slug (replacing any slug it had) with a password hash
// ("" for none); the tokens given for the old slug or password stop working.
func (s *Store) ShareView(ctx context.Context, id int64, slug, passwordHash string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE views SET slug = $2, password_hash = $3, updated_at = now() WHERE id = $1`, id, slug, passwordHash); err != nil {
			return fmt.Errorf("share view: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM view_tokens WHERE view_id = $1`, id)
		return err
	})
}

// UnshareView ends a view's public link and its tokens.
func (s *Store) UnshareView(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE views SET slug = NULL, password_hash = '', updated_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("unshare view: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM view_tokens WHERE view_id = $1`, id)
		return err
	})
}

// CreateViewToken records a visitor's token (by its hash) for a view until expires.
func (s *Store) CreateViewToken(ctx context.Context, viewID int64, token string, expires time.Time) error {
	h := sha256.Sum256([]byte(token))
	if _, err := s.db.ExecContext(ctx, `DELETE FROM view_tokens WHERE view_id = $1 AND expires_at < now()`, viewID); err != nil {
		return fmt.Errorf("create view token: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO view_tokens (token_hash, view_id, expires_at) VALUES ($1, $2, $3)`, h[:], viewID, expires); err != nil {
		return fmt.Errorf("create view token: %w", err)
	}
	return nil
}

// ViewTokenValid tells whether token is a live token of the view.
func (s *Store) ViewTokenValid(ctx context.Context, viewID int64, token string) (bool, error) {
	h := sha256.Sum256([]byte(token))
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM view_tokens WHERE token_hash = $1 AND view_id = $2 AND expires_at > now())`, h[:], viewID)
	if err != nil {
		return false, fmt.Errorf("check view token: %w", err)
	}
	return ok, nil
}
