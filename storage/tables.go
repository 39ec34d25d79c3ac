package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// MaxColumns is the most user columns a table may have.
const MaxColumns = 200

type tableRow struct {
	ID          int64          `db:"id"`
	DatabaseID  int64          `db:"database_id"`
	WorkspaceID int64          `db:"workspace_id"`
	Schema      string         `db:"schema_name"`
	Name        string         `db:"name"`
	Label       string         `db:"label"`
	Description string         `db:"description"`
	Tags        pq.StringArray `db:"tags"`
	Frozen      bool           `db:"frozen"`
	Primary     int64          `db:"primary_column_id"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
}

const tableSelect = `SELECT t.id, t.database_id, d.workspace_id, d.schema_name, t.name, t.label, t.description,
	t.tags, t.frozen, coalesce(t.primary_column_id, 0) AS primary_column_id, t.created_at, t.updated_at
	FROM tables_meta t JOIN databases d ON d.id = t.database_id`

type columnRow struct {
	ID          int64     `db:"id"`
	TableID     int64     `db:"table_id"`
	Name        string    `db:"name"`
	Label       string    `db:"label"`
	Type        string    `db:"type"`
	Nullable    bool      `db:"nullable"`
	Unique      bool      `db:"is_unique"`
	Indexed     bool      `db:"indexed"`
	Description string    `db:"description"`
	Default     []byte    `db:"default_value"`
	Position    int       `db:"position"`
	Options     []byte    `db:"options"`
	LinkTableID *int64    `db:"link_table_id"`
	MaxRating   int       `db:"max_rating"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

const columnSelect = `SELECT id, table_id, name, label, type, nullable, is_unique, indexed, description,
	default_value, position, options, link_table_id, max_rating, created_at, updated_at FROM columns_meta`

func (r *tableRow) table() *gqlbase.Table {
	tags := []string(r.Tags)
	if tags == nil {
		tags = []string{}
	}
	return &gqlbase.Table{
		ID: r.ID, DatabaseID: r.DatabaseID, WorkspaceID: r.WorkspaceID, Schema: r.Schema, Name: r.Name,
		Label: r.Label, Description: r.Description, Tags: tags, Frozen: r.Frozen, PrimaryColumnID: r.Primary,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Columns: []*gqlbase.Column{},
	}
}

func (r *columnRow) column() (*gqlbase.Column, error) {
	c := &gqlbase.Column{
		ID: r.ID, TableID: r.TableID, Name: r.Name, Label: r.Label, Type: gqlbase.ColumnType(r.Type),
		Nullable: r.Nullable, Unique: r.Unique, Indexed: r.Indexed, Description: r.Description,
		Position: r.Position, LinkTableID: r.LinkTableID, MaxRating: r.MaxRating,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Options: []gqlbase.SelectOption{},
	}
	if len(r.Default) > 0 {
		dec := json.NewDecoder(bytes.NewReader(r.Default))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("column %d default: %w", r.ID, err)
		}
		def, err := gqlbase.CoerceValue(c, v)
		if err != nil {
			return nil, fmt.Errorf("column %d default: %w", r.ID, err)
		}
		c.Default = def
	}
	if len(r.Options) > 0 {
		if err := json.Unmarshal(r.Options, &c.Options); err != nil {
			return nil, fmt.Errorf("column %d options: %w", r.ID, err)
		}
	}
	return c, nil
}

// LoadTables returns the tables with these ids (with their columns); missing ids are absent
// from the map. It is the batch function behind the table loader.
func (s *Store) LoadTables(ctx context.Context, ids []int64) (map[int64]*gqlbase.Table, error) {
	return loadTables(ctx, s.db, `WHERE t.id = ANY($1)`, int64Array(ids))
}

func loadTables(ctx context.Context, q queryer, where string, args ...any) (map[int64]*gqlbase.Table, error) {
	var rows []tableRow
	if err := q.SelectContext(ctx, &rows, tableSelect+" "+where, args...); err != nil {
		return nil, fmt.Errorf("load tables: %w", err)
	}
	out := make(map[int64]*gqlbase.Table, len(rows))
	ids := make([]int64, 0, len(rows))
	for i := range rows {
		out[rows[i].ID] = rows[i].table()
		ids = append(ids, rows[i].ID)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var cols []columnRow
	if err := q.SelectContext(ctx, &cols, columnSelect+` WHERE table_id = ANY($1) ORDER BY table_id, position, id`, int64Array(ids)); err != nil {
		return nil, fmt.Errorf("load columns: %w", err)
	}
	for i := range cols {
		c, err := cols[i].column()
		if err != nil {
			return nil, err
		}
		t := out[c.TableID]
		t.Columns = append(t.Columns, c)
	}
	if err := loadLinks(ctx, q, out, ids); err != nil {
		return nil, err
	}
	return out, nil
}

// GetTable returns a table with its columns.
func (s *Store) GetTable(ctx context.Context, id int64) (*gqlbase.Table, error) {
	m, err := s.LoadTables(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	t, ok := m[id]
	if !ok {
		return nil, gqlbase.NotFound("table %d not found", id)
	}
	return t, nil
}

// TableByName finds a table of a database by its name.
func (s *Store) TableByName(ctx context.Context, databaseID int64, name string) (*gqlbase.Table, error) {
	m, err := loadTables(ctx, s.db, `WHERE t.database_id = $1 AND t.name = $2`, databaseID, name)
	if err != nil {
		return nil, err
	}
	for _, t := range m {
		return t, nil
	}
	return nil, gqlbase.NotFound("table %q not found", name)
}

// ListTables returns the tables of a database, oldest first.
func (s *Store) ListTables(ctx context.Context, databaseID int64) ([]*gqlbase.Table, error) {
	m, err := loadTables(ctx, s.db, `WHERE t.database_id = $1`, databaseID)
	if err != nil {
		return nil, err
	}
	return sortedTables(m), nil
}

// ListWorkspaceTables returns every table of a workspace, oldest first.
func (s *Store) ListWorkspaceTables(ctx context.Context, workspaceID int64) ([]*gqlbase.Table, error) {
	m, err := loadTables(ctx, s.db, `WHERE d.workspace_id = $1`, workspaceID)
	if err != nil {
		return nil, err
	}
	return sortedTables(m), nil
}

func sortedTables(m map[int64]*gqlbase.Table) []*gqlbase.Table {
	out := make([]*gqlbase.Table, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sortByID(out, func(t *gqlbase.Table) int64 { return t.ID })
	return out
}

// CountRows counts the rows of tables (exactly), one statement per database, as its role.
func (s *Store) CountRows(ctx context.Context, tables []*gqlbase.Table) (map[int64]int64, error) {
	out := make(map[int64]int64, len(tables))
	byDatabase := map[int64][]*gqlbase.Table{}
	var order []int64
	for _, t := range tables {
		if _, ok := byDatabase[t.DatabaseID]; !ok {
			order = append(order, t.DatabaseID)
		}
		byDatabase[t.DatabaseID] = append(byDatabase[t.DatabaseID], t)
	}
	for _, dbID := range order {
		if err := s.countRowsOf(ctx, dbID, byDatabase[dbID], out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) countRowsOf(ctx context.Context, databaseID int64, tables []*gqlbase.Table, out map[int64]int64) error {
	ctx, err := s.tenant(ctx, databaseID)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for i, t := range tables {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT %d::bigint AS id, count(*) AS n FROM %s", t.ID, plan.Qualified(t.Schema, t.Name))
	}
	var rows []struct {
		ID int64 `db:"id"`
		N  int64 `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, b.String()); err != nil {
		return fmt.Errorf("count rows: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return nil
}

// lockTable loads a table inside a transaction and locks its metadata row, so concurrent
// schema changes of one table serialise. The lock is FOR NO KEY UPDATE: row writes check
// their history and trash rows' foreign keys to tables_meta with FOR KEY SHARE, which FOR
// UPDATE would block; a schema change holding FOR UPDATE while waiting for the user table
// (ALTER TABLE) and a row write holding the user table while waiting for that key check
// would deadlock.
func lockTable(ctx context.Context, tx *Tx, id int64) (*gqlbase.Table, error) {
	var locked int64
	err := tx.GetContext(ctx, &locked, `SELECT id FROM tables_meta WHERE id = $1 FOR NO KEY UPDATE`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("table %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("lock table: %w", err)
	}
	m, err := loadTables(ctx, tx, `WHERE t.id = $1`, id)
	if err != nil {
		return nil, err
	}
	return m[id], nil
}

func refuseFrozen(t *gqlbase.Table, what string) error {
	if t.Frozen {
		return gqlbase.Conflict("table %q is frozen: %s is not allowed; unfreeze it first", t.Name, what).WithField("frozen").WithReason(gqlbase.ReasonFrozen)
	}
	return nil
}

// TableJSON is the snapshot of a table carried by schema events.
func TableJSON(t *gqlbase.Table) map[string]any {
	cols := make([]map[string]any, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = map[string]any{"id": c.ID, "name": c.Name, "type": c.Type}
	}
	return map[string]any{"id": t.ID, "name": t.Name, "databaseId": t.DatabaseID, "columns": cols}
}
