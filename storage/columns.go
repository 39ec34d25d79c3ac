package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// AddColumn adds a validated column to a table.
func (s *Store) AddColumn(ctx context.Context, tableID int64, c *gqlbase.Column, actor string) (*gqlbase.Column, error) {
	var out *gqlbase.Column
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		t, err := lockTable(ctx, tx, tableID)
		if err != nil {
			return err
		}
		if err := refuseFrozen(t, "adding a column"); err != nil {
			return err
		}
		if len(t.Columns) >= MaxColumns {
			return gqlbase.BadInput("table %q already has %d columns, the most a table may have", t.Name, MaxColumns).WithField("name")
		}
		if t.UserColumn(c.Name) != nil {
			return columnNameTaken(t.Name, c.Name)
		}
		col := *c
		col.Position = len(t.Columns)
		var target *gqlbase.Table
		if col.Type == gqlbase.TypeLink {
			if col.LinkTableID == nil || *col.LinkTableID == 0 {
				col.LinkTableID = &t.ID
			}
			if target, err = linkTarget(ctx, tx, t.DatabaseID, *col.LinkTableID, t); err != nil {
				return err
			}
		}
		if err := insertColumnMeta(ctx, tx, tableID, &col); err != nil {
			return err
		}
		noteAuditResource(ctx, col.ID)
		def, err := columnDefinition(&col)
		if err != nil {
			return err
		}
		stmts := []string{fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", plan.Qualified(t.Schema, t.Name), def)}
		for _, con := range columnConstraints(&col, target) {
			stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD %s", plan.Qualified(t.Schema, t.Name), con))
		}
		if ix := columnIndex(t, &col); ix != "" {
			stmts = append(stmts, ix)
		}
		tctx, err := tenantIn(ctx, tx, t.DatabaseID)
		if err != nil {
			return err
		}
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(tctx, stmt); err != nil {
				return ddlError(err, &col)
			}
		}
		out = &col
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: t.ID,
			kind: gqlbase.EventColumnCreated, actor: actor, after: columnJSON(&col)})
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(tableID)
	return out, nil
}

// columnNameTaken is the error for a name another column of the table already has.
func columnNameTaken(table, name string) error {
	return gqlbase.BadInput("table %q already has a column %q: column names must be unique within a table", table, name).WithField("name")
}

func columnJSON(c *gqlbase.Column) map[string]any {
	return map[string]any{"id": c.ID, "tableId": c.TableID, "name": c.Name, "type": c.Type}
}

// ddlError turns the Postgres errors a column change can meet into caller-facing errors.
func ddlError(err error, c *gqlbase.Column) error {
	switch pgCode(err) {
	case sqlstateNotNullViolation:
		return gqlbase.BadInput("column %q cannot be required: the table has rows without a value for it (give a default, or fill them first)", c.Name).WithField("nullable")
	case sqlstateUniqueViolation:
		return gqlbase.Conflict("column %q cannot be unique: the table has duplicate values in it", c.Name).WithField("unique")
	case sqlstateCheckViolation:
		return gqlbase.BadInput("column %q: existing values are outside the allowed range", c.Name).WithField("maxRating")
	case sqlstateForeignKeyViolation:
		return gqlbase.BadInput("column %q: existing values point at rows that do not exist in the linked table", c.Name).WithField("linkTable")
	case sqlstateInvalidTextRepr, sqlstateInvalidDatetime, sqlstateDatetimeOverflow, sqlstateNumericOutOfRange,
		sqlstateInvalidParameter, sqlstateDatatypeMismatch, sqlstateCannotCoerce:
		return gqlbase.BadInput("column %q: existing values cannot be converted: %s", c.Name, pgMessage(err)).WithField("type")
	case sqlstateDuplicateColumn:
		return gqlbase.BadInput("a column named %q already exists: column names must be unique within a table", c.Name).WithField("name")
	}
	return fmt.Errorf("alter column %q: %w", c.Name, err)
}

// ColumnPatch changes a column's metadata and constraints; nil fields stay.
type ColumnPatch struct {
	Label       *string
	Description *string
	Nullable    *bool
	Unique      *bool
	Indexed     *bool
	Position    *int
	// Default replaces the default when SetDefault is true (nil removes it).
	SetDefault bool
	Default    any
	Options    []gqlbase.SelectOption
	MaxRating  *int
}

// UpdateColumn applies a patch; every change runs in one transaction with its DDL.
func (s *Store) UpdateColumn(ctx context.Context, columnID int64, p ColumnPatch, actor string) (*gqlbase.Column, error) {
	var out *gqlbase.Column
	var tableID int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		t, c, err := lockColumn(ctx, tx, columnID)
		if err != nil {
			return err
		}
		tableID = t.ID
		structural := p.Nullable != nil || p.Unique != nil || p.Indexed != nil || p.SetDefault || p.Options != nil || p.MaxRating != nil
		if structural {
			if err := refuseFrozen(t, "changing a column"); err != nil {
				return err
			}
		}
		before := *c
		tbl := plan.Qualified(t.Schema, t.Name)
		var stmts []string
		if p.Nullable != nil && *p.Nullable != c.Nullable {
			c.Nullable = *p.Nullable
			op := "SET"
			if c.Nullable {
				op = "DROP"
			}
			stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s %s NOT NULL", tbl, plan.QuoteIdent(c.Name), op))
		}
		if p.Unique != nil && *p.Unique != c.Unique {
			c.Unique = *p.Unique
			if c.Unique {
				stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s)", tbl, plan.QuoteIdent(uniqueName(c)), plan.QuoteIdent(c.Name)))
			} else {
				stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", tbl, plan.QuoteIdent(uniqueName(c))))
			}
		}
		if p.Indexed != nil && *p.Indexed != c.Indexed {
			c.Indexed = *p.Indexed
			if c.Type != gqlbase.TypeLink { // LINK columns are always indexed
				if c.Indexed {
					stmts = append(stmts, columnIndex(t, c))
				} else {
					stmts = append(stmts, fmt.Sprintf("DROP INDEX IF EXISTS %s", plan.Qualified(t.Schema, indexName(c))))
				}
			}
		}
		if p.SetDefault {
			c.Default = p.Default
			if c.Default == nil {
				stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tbl, plan.QuoteIdent(c.Name)))
			} else {
				lit, err := sqlLiteral(c, c.Default)
				if err != nil {
					return err
				}
				stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tbl, plan.QuoteIdent(c.Name), lit))
			}
		}
		if p.Options != nil {
			if err := checkRemovedOptions(ctx, tx, t, c, p.Options); err != nil {
				return err
			}
			c.Options = p.Options
		}
		if p.MaxRating != nil && *p.MaxRating != c.MaxRating {
			c.MaxRating = *p.MaxRating
		}
		// The column's CHECK follows its options and range (and comes back if it was missing).
		if p.Options != nil || p.MaxRating != nil {
			stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", tbl, plan.QuoteIdent(checkName(c))))
			if con := checkConstraint(c); con != "" {
				stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD %s", tbl, con))
			}
		}
		tctx, err := tenantIn(ctx, tx, t.DatabaseID)
		if err != nil {
			return err
		}
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(tctx, stmt); err != nil {
				return ddlError(err, c)
			}
		}
		if p.Label != nil {
			c.Label = *p.Label
		}
		if p.Description != nil {
			c.Description = *p.Description
		}
		if p.Position != nil && *p.Position != c.Position {
			if err := moveColumn(ctx, tx, t, c, *p.Position); err != nil {
				return err
			}
		}
		if err := writeColumnMeta(ctx, tx, c); err != nil {
			return err
		}
		out = c
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: t.ID,
			kind: gqlbase.EventColumnUpdated, actor: actor, before: columnJSON(&before), after: columnJSON(c)})
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(tableID)
	return out, nil
}

// moveColumn renumbers the table's columns so that c lands at position pos.
func moveColumn(ctx context.Context, tx *Tx, t *gqlbase.Table, c *gqlbase.Column, pos int) error {
	if pos < 0 || pos >= len(t.Columns) {
		return gqlbase.BadInput("position must be between 0 and %d", len(t.Columns)-1).WithField("position")
	}
	order := make([]*gqlbase.Column, 0, len(t.Columns))
	for _, o := range t.Columns {
		if o.ID != c.ID {
			order = append(order, o)
		}
	}
	order = append(order[:pos], append([]*gqlbase.Column{c}, order[pos:]...)...)
	for i, o := range order {
		o.Position = i
		if _, err := tx.ExecContext(ctx, `UPDATE columns_meta SET position = $2 WHERE id = $1`, o.ID, i); err != nil {
			return fmt.Errorf("reorder columns: %w", err)
		}
	}
	return nil
}

// checkRemovedOptions refuses to drop select options that rows still use.
func checkRemovedOptions(ctx context.Context, tx *Tx, t *gqlbase.Table, c *gqlbase.Column, next []gqlbase.SelectOption) error {
	keep := make(map[string]bool, len(next))
	for _, o := range next {
		keep[o.Value] = true
	}
	var removed []string
	for _, o := range c.Options {
		if !keep[o.Value] {
			removed = append(removed, o.Value)
		}
	}
	if len(removed) == 0 {
		return nil
	}
	cond := plan.QuoteIdent(c.Name) + " = ANY($1)"
	if c.Type == gqlbase.TypeMultiSelect {
		cond = plan.QuoteIdent(c.Name) + " && $1"
	}
	tctx, err := tenantIn(ctx, tx, t.DatabaseID)
	if err != nil {
		return err
	}
	var n int64
	if err := tx.GetContext(tctx, &n, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", plan.Qualified(t.Schema, t.Name), cond), stringArray(removed)); err != nil {
		return fmt.Errorf("check option use: %w", err)
	}
	if n > 0 {
		return gqlbase.Conflict("options %s of column %q are still used by %d row(s)", strings.Join(removed, ", "), c.Name, n).WithField("options")
	}
	return nil
}

func writeColumnMeta(ctx context.Context, tx *Tx, c *gqlbase.Column) error {
	def, opts, err := encodeColumnMeta(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE columns_meta SET name = $2, label = $3, type = $4, nullable = $5, is_unique = $6,
		indexed = $7, description = $8, default_value = $9, position = $10, options = $11, link_table_id = $12,
		max_rating = $13, updated_at = now() WHERE id = $1`,
		c.ID, c.Name, c.Label, string(c.Type), c.Nullable, c.Unique, c.Indexed, c.Description, def, c.Position, opts,
		c.LinkTableID, c.MaxRating)
	if err != nil {
		return fmt.Errorf("write column metadata: %w", err)
	}
	return nil
}

// lockColumn loads and locks the table of a column, and returns both.
func lockColumn(ctx context.Context, tx *Tx, columnID int64) (*gqlbase.Table, *gqlbase.Column, error) {
	var tableID int64
	err := tx.GetContext(ctx, &tableID, `SELECT table_id FROM columns_meta WHERE id = $1`, columnID)
	if isNoRows(err) {
		return nil, nil, gqlbase.NotFound("column %d not found", columnID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find column: %w", err)
	}
	t, err := lockTable(ctx, tx, tableID)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range t.Columns {
		if c.ID == columnID {
			return t, c, nil
		}
	}
	return nil, nil, gqlbase.NotFound("column %d not found", columnID)
}

// RenameColumn renames a column (its SQL identifier); its label follows when it equalled the
// old name.
func (s *Store) RenameColumn(ctx context.Context, columnID int64, name, actor string) (*gqlbase.Column, error) {
	var out *gqlbase.Column
	var tableID int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		t, c, err := lockColumn(ctx, tx, columnID)
		if err != nil {
			return err
		}
		tableID = t.ID
		if err := refuseFrozen(t, "renaming a column"); err != nil {
			return err
		}
		if c.Name == name {
			out = c
			return nil
		}
		if t.UserColumn(name) != nil {
			return columnNameTaken(t.Name, name)
		}
		before := *c
		tctx, err := tenantIn(ctx, tx, t.DatabaseID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(tctx, fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
			plan.Qualified(t.Schema, t.Name), plan.QuoteIdent(c.Name), plan.QuoteIdent(name))); err != nil {
			return ddlError(err, c)
		}
		if c.Label == c.Name {
			c.Label = name
		}
		c.Name = name
		if err := writeColumnMeta(ctx, tx, c); err != nil {
			return err
		}
		out = c
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: t.ID,
			kind: gqlbase.EventColumnUpdated, actor: actor, before: columnJSON(&before), after: columnJSON(c)})
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(tableID)
	return out, nil
}

// DeleteColumn drops a column and its data.
func (s *Store) DeleteColumn(ctx context.Context, columnID int64, actor string) error {
	var tableID int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		tableID, err = dropColumnTx(ctx, tx, columnID, actor)
		return err
	})
	if err != nil {
		return err
	}
	s.tablesChanged(tableID)
	return nil
}

func dropColumnTx(ctx context.Context, tx *Tx, columnID int64, actor string) (int64, error) {
	t, c, err := lockColumn(ctx, tx, columnID)
	if err != nil {
		return 0, err
	}
	if err := refuseFrozen(t, "deleting a column"); err != nil {
		return 0, err
	}
	tctx, err := tenantIn(ctx, tx, t.DatabaseID)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tctx, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", plan.Qualified(t.Schema, t.Name), plan.QuoteIdent(c.Name))); err != nil {
		return 0, fmt.Errorf("drop column: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM columns_meta WHERE id = $1`, columnID); err != nil {
		return 0, fmt.Errorf("delete column metadata: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE columns_meta SET position = position - 1 WHERE table_id = $1 AND position > $2`, t.ID, c.Position); err != nil {
		return 0, fmt.Errorf("renumber columns: %w", err)
	}
	return t.ID, writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: t.ID,
		kind: gqlbase.EventColumnDeleted, actor: actor, before: columnJSON(c)})
}

// ColumnTable returns the id of the table a column belongs to.
func (s *Store) ColumnTable(ctx context.Context, columnID int64) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT table_id FROM columns_meta WHERE id = $1`, columnID)
	if isNoRows(err) {
		return 0, gqlbase.NotFound("column %d not found", columnID)
	}
	if err != nil {
		return 0, fmt.Errorf("column table: %w", err)
	}
	return id, nil
}
