package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// CreateTable creates a table in a database: its metadata, its columns' metadata and the real
// Postgres table, in one transaction. spec.Columns must be validated already.
func (s *Store) CreateTable(ctx context.Context, db *gqlbase.Database, spec *gqlbase.Table, actor string) (*gqlbase.Table, error) {
	if len(spec.Columns) > MaxColumns {
		return nil, gqlbase.BadInput("a table may have at most %d columns", MaxColumns).WithField("columns")
	}
	var id int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		id, err = createTableTx(ctx, tx, db, spec)
		if err != nil {
			return err
		}
		t, err := lockTable(ctx, tx, id)
		if err != nil {
			return err
		}
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: db.WorkspaceID, databaseID: db.ID, tableID: id,
			kind: gqlbase.EventTableCreated, actor: actor, after: TableJSON(t)})
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(id)
	return s.GetTable(ctx, id)
}

// createTableTx writes the metadata and runs the DDL of a new table. A LINK column whose
// LinkTableID is 0 links the table to itself.
func createTableTx(ctx context.Context, tx *Tx, db *gqlbase.Database, spec *gqlbase.Table) (int64, error) {
	tags := spec.Tags
	if tags == nil {
		tags = []string{}
	}
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO tables_meta (database_id, name, label, description, tags)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, db.ID, spec.Name, spec.Label, spec.Description, pq.StringArray(tags))
	if pgCode(err) == sqlstateUniqueViolation {
		return 0, tableNameTaken(spec.Name, db.Name)
	}
	if err != nil {
		return 0, fmt.Errorf("insert table: %w", err)
	}
	noteAuditResource(ctx, id)
	t := *spec
	t.ID, t.DatabaseID, t.WorkspaceID, t.Schema = id, db.ID, db.WorkspaceID, db.Schema
	t.Columns = make([]*gqlbase.Column, len(spec.Columns))
	links := map[int64]*gqlbase.Table{id: &t}
	for i, c0 := range spec.Columns {
		c := *c0
		c.Position = i
		if c.Type == gqlbase.TypeLink {
			if c.LinkTableID == nil || *c.LinkTableID == 0 {
				c.LinkTableID = &id
			}
			target, err := linkTarget(ctx, tx, db.ID, *c.LinkTableID, &t)
			if err != nil {
				return 0, err
			}
			links[target.ID] = target
		}
		if err := insertColumnMeta(ctx, tx, id, &c); err != nil {
			return 0, err
		}
		t.Columns[i] = &c
	}
	create, indexes, err := createTableSQL(&t, links)
	if err != nil {
		return 0, err
	}
	// Created as the database's role, which then owns the table.
	ctx, err = tenantIn(ctx, tx, db.ID)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, create); err != nil {
		if pgCode(err) == sqlstateDuplicateTable {
			return 0, tableNameTaken(spec.Name, db.Name)
		}
		return 0, fmt.Errorf("create table: %w", err)
	}
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, ix); err != nil {
			return 0, fmt.Errorf("create index: %w", err)
		}
	}
	// The triggers that record other writers' changes are gqlbase's to create (writerules.go).
	for _, stmt := range writeTriggersDDL(t.Schema, t.Name) {
		if _, err := tx.ExecContext(asRole(ctx, ""), stmt); err != nil {
			return 0, fmt.Errorf("create write triggers: %w", err)
		}
	}
	return id, nil
}

// linkTarget checks that a LINK column's target is a table of the same database.
func linkTarget(ctx context.Context, tx *Tx, databaseID, targetID int64, self *gqlbase.Table) (*gqlbase.Table, error) {
	if self != nil && targetID == self.ID {
		return self, nil
	}
	m, err := loadTables(ctx, tx, `WHERE t.id = $1`, targetID)
	if err != nil {
		return nil, err
	}
	target, ok := m[targetID]
	if !ok || target.DatabaseID != databaseID {
		return nil, gqlbase.BadInput("link target table %d not found in this database", targetID).WithField("linkTable")
	}
	return target, nil
}

func insertColumnMeta(ctx context.Context, tx *Tx, tableID int64, c *gqlbase.Column) error {
	def, opts, err := encodeColumnMeta(c)
	if err != nil {
		return err
	}
	if c.Label == "" {
		c.Label = c.Name
	}
	err = tx.QueryRowxContext(ctx, `INSERT INTO columns_meta (table_id, name, label, type, nullable, is_unique, indexed,
		description, default_value, position, options, link_table_id, max_rating)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id, created_at, updated_at`,
		tableID, c.Name, c.Label, string(c.Type), c.Nullable, c.Unique, c.Indexed, c.Description, def, c.Position,
		opts, c.LinkTableID, c.MaxRating).Scan(&c.ID, &c.CreatedAt, &c.UpdatedAt)
	if pgCode(err) == sqlstateUniqueViolation {
		return gqlbase.BadInput("column %q appears twice: column names must be unique within a table", c.Name).WithField("columns")
	}
	if err != nil {
		return fmt.Errorf("insert column %q: %w", c.Name, err)
	}
	c.TableID = tableID
	return nil
}

// tableNameTaken is the error for a name another table of the database already has: a
// broken naming rule, like the identifier rules.
func tableNameTaken(name, database string) error {
	if database == "" {
		return gqlbase.BadInput("a table named %q already exists in this database: table names must be unique within a database", name).WithField("name")
	}
	return gqlbase.BadInput("a table named %q already exists in database %q: table names must be unique within a database", name, database).WithField("name")
}

// encodeColumnMeta encodes a column's default (nil for none) and select options (JSON text,
// "[]" for none) for columns_meta.
func encodeColumnMeta(c *gqlbase.Column) (def any, opts string, err error) {
	if def, err = jsonOrNull(c.Default); err != nil {
		return nil, "", err
	}
	if c.Options == nil {
		return def, "[]", nil
	}
	b, err := json.Marshal(c.Options)
	if err != nil {
		return nil, "", err
	}
	return def, string(b), nil
}

func jsonOrNull(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode value: %w", err)
	}
	return string(b), nil
}

// TablePatch changes a table's name and metadata; nil fields stay.
type TablePatch struct {
	Name        *string
	Label       *string
	Description *string
	Tags        []string
	Frozen      *bool
}

// UpdateTable applies a patch. A frozen table refuses a rename (unless the same patch
// unfreezes it).
func (s *Store) UpdateTable(ctx context.Context, id int64, p TablePatch, actor string) (*gqlbase.Table, error) {
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		t, err := lockTable(ctx, tx, id)
		if err != nil {
			return err
		}
		before := TableJSON(t)
		frozen := t.Frozen
		if p.Frozen != nil {
			frozen = *p.Frozen
		}
		if p.Name != nil && *p.Name != t.Name {
			if frozen {
				return refuseFrozen(&gqlbase.Table{Name: t.Name, Frozen: true}, "renaming")
			}
			tctx, err := tenantIn(ctx, tx, t.DatabaseID)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(tctx, fmt.Sprintf(`ALTER TABLE %s RENAME TO %s`, plan.Qualified(t.Schema, t.Name), plan.QuoteIdent(*p.Name)))
			if pgCode(err) == sqlstateDuplicateTable {
				return tableNameTaken(*p.Name, "")
			}
			if err != nil {
				return fmt.Errorf("rename table: %w", err)
			}
			t.Name = *p.Name
		}
		if p.Label != nil {
			t.Label = *p.Label
		}
		if p.Description != nil {
			t.Description = *p.Description
		}
		if p.Tags != nil {
			t.Tags = p.Tags
		}
		_, err = tx.ExecContext(ctx, `UPDATE tables_meta SET name = $2, label = $3, description = $4, tags = $5,
			frozen = $6, updated_at = now() WHERE id = $1`, id, t.Name, t.Label, t.Description, pq.StringArray(t.Tags), frozen)
		if pgCode(err) == sqlstateUniqueViolation {
			return tableNameTaken(t.Name, "")
		}
		if err != nil {
			return fmt.Errorf("update table: %w", err)
		}
		t.Frozen = frozen
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: id,
			kind: gqlbase.EventTableUpdated, actor: actor, before: before, after: TableJSON(t)})
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(id)
	return s.GetTable(ctx, id)
}

// LinkDependents lists the LINK columns of other tables that point at a table.
func (s *Store) linkDependents(ctx context.Context, q queryer, tableID int64) ([]string, []int64, error) {
	var rows []struct {
		ColumnID int64  `db:"id"`
		Table    string `db:"table_name"`
		Column   string `db:"name"`
	}
	err := q.SelectContext(ctx, &rows, `SELECT c.id, t.name AS table_name, c.name FROM columns_meta c
		JOIN tables_meta t ON t.id = c.table_id
		WHERE c.link_table_id = $1 AND c.table_id <> $1 ORDER BY c.id`, tableID)
	if err != nil {
		return nil, nil, fmt.Errorf("link dependents: %w", err)
	}
	names := make([]string, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		names[i] = r.Table + "." + r.Column
		ids[i] = r.ColumnID
	}
	return names, ids, nil
}

// DeleteTable drops a table. A frozen table is refused. Unless force is set, a table other
// tables link to is refused with the list of those LINK columns; with force they are dropped
// too (unless one of those tables is frozen).
func (s *Store) DeleteTable(ctx context.Context, id int64, force bool, actor string) error {
	var changed []int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		changed = []int64{id}
		t, err := lockTable(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := refuseFrozen(t, "deleting the table"); err != nil {
			return err
		}
		deps, depIDs, err := s.linkDependents(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(deps) > 0 && !force {
			return gqlbase.Conflict("table %q is linked from %s; delete those columns first or pass force: true",
				t.Name, strings.Join(deps, ", ")).WithDetail("dependents", map[string]any{"columns": deps}).WithReason(gqlbase.ReasonHasDependents)
		}
		for _, colID := range depIDs {
			tableID, err := dropColumnTx(ctx, tx, colID, actor)
			if err != nil {
				return err
			}
			changed = append(changed, tableID)
		}
		others, err := dropTableLinks(ctx, tx, t)
		if err != nil {
			return err
		}
		changed = append(changed, others...)
		tctx, err := tenantIn(ctx, tx, t.DatabaseID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(tctx, `DROP TABLE `+plan.Qualified(t.Schema, t.Name)); err != nil {
			return fmt.Errorf("drop table: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tables_meta WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete table metadata: %w", err)
		}
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: id,
			kind: gqlbase.EventTableDeleted, actor: actor, before: TableJSON(t)})
	})
	if err != nil {
		return err
	}
	s.tablesChanged(changed...)
	return nil
}

// DuplicateTable copies a table's structure (and its rows when withRows is set, keeping their
// ids) into a new table of the same database. Links to the table itself point at the copy.
func (s *Store) DuplicateTable(ctx context.Context, id int64, newName string, withRows bool, actor string) (*gqlbase.Table, error) {
	var newID int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		src, err := lockTable(ctx, tx, id)
		if err != nil {
			return err
		}
		db, err := getDatabaseTx(ctx, tx, src.DatabaseID)
		if err != nil {
			return err
		}
		spec := &gqlbase.Table{Name: newName, Label: newName, Description: src.Description, Tags: src.Tags}
		for _, c := range src.Columns {
			cc := *c
			cc.ID = 0
			if c.Type == gqlbase.TypeLink && c.LinkTableID != nil && *c.LinkTableID == src.ID {
				zero := int64(0)
				cc.LinkTableID = &zero // self-link: points at the copy
			}
			spec.Columns = append(spec.Columns, &cc)
		}
		if newID, err = createTableTx(ctx, tx, db, spec); err != nil {
			return err
		}
		dst, err := lockTable(ctx, tx, newID)
		if err != nil {
			return err
		}
		if withRows {
			if err := copyRows(ctx, tx, src, dst, actor); err != nil {
				return err
			}
		}
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: dst.WorkspaceID, databaseID: dst.DatabaseID, tableID: newID,
			kind: gqlbase.EventTableCreated, actor: actor, after: TableJSON(dst)})
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(newID)
	return s.GetTable(ctx, newID)
}

func getDatabaseTx(ctx context.Context, tx *Tx, id int64) (*gqlbase.Database, error) {
	var db gqlbase.Database
	err := tx.GetContext(ctx, &db, `SELECT `+databaseColumns+` FROM databases WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("database %d not found", id)
	}
	return &db, err
}

// copyRows copies every row of src into dst (same columns); dst's triggers record them.
func copyRows(ctx context.Context, tx *Tx, src, dst *gqlbase.Table, actor string) error {
	ctx, err := tenantIn(ctx, tx, dst.DatabaseID)
	if err != nil {
		return err
	}
	cols := []string{"id", "created_at", "updated_at", "created_by", "version"}
	for _, c := range src.Columns {
		cols = append(cols, plan.QuoteIdent(c.Name))
	}
	list := strings.Join(cols, ", ")
	q := fmt.Sprintf(`WITH ins AS (
		INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s ORDER BY id RETURNING 1)
		SELECT count(*) FROM ins WHERE %s`, plan.Qualified(dst.Schema, dst.Name), list, list, plan.Qualified(src.Schema, src.Name), actorFilter("$1", ""))
	if _, err := tx.ExecContext(ctx, q, actor); err != nil {
		return fmt.Errorf("copy rows: %w", err)
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, false)`,
		plan.Qualified(dst.Schema, dst.Name)), plan.Qualified(dst.Schema, dst.Name))
	if err != nil {
		return fmt.Errorf("advance id sequence: %w", err)
	}
	return nil
}
