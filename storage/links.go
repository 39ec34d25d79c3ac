// Many-to-many link columns: their metadata and junction tables (see gqlbase.LinkColumn).
// The reads and writes of links are in linkrows.go.

package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// MaxLinkColumns is the most link columns one table may be the source of.
const MaxLinkColumns = 50

const linkTrashFunc = "gqlbase_link_trash" // installed by migration 0020

type linkRow struct {
	ID          int64     `db:"id"`
	TableID     int64     `db:"table_id"`
	TargetID    int64     `db:"target_table_id"`
	Name        string    `db:"name"`
	ReverseName string    `db:"reverse_name"`
	Junction    string    `db:"junction"`
	CreatedAt   time.Time `db:"created_at"`
}

func (r *linkRow) link() *gqlbase.LinkColumn {
	return &gqlbase.LinkColumn{ID: r.ID, TableID: r.TableID, TargetTableID: r.TargetID, Name: r.Name,
		ReverseName: r.ReverseName, Junction: r.Junction, CreatedAt: r.CreatedAt}
}

const linkSelect = `SELECT id, table_id, target_table_id, name, reverse_name, junction, created_at FROM link_columns`

// loadLinks gives the loaded tables the link columns they are the source or target of.
func loadLinks(ctx context.Context, q queryer, tables map[int64]*gqlbase.Table, ids []int64) error {
	var rows []linkRow
	if err := q.SelectContext(ctx, &rows, linkSelect+` WHERE table_id = ANY($1) OR target_table_id = ANY($1) ORDER BY id`,
		int64Array(ids)); err != nil {
		return fmt.Errorf("load link columns: %w", err)
	}
	for i := range rows {
		l := rows[i].link()
		if t := tables[l.TableID]; t != nil {
			t.Links = append(t.Links, l)
		}
		if t := tables[l.TargetTableID]; t != nil && l.TargetTableID != l.TableID {
			t.Links = append(t.Links, l)
		}
	}
	return nil
}

// GetLinkColumn returns a link column.
func (s *Store) GetLinkColumn(ctx context.Context, id int64) (*gqlbase.LinkColumn, error) {
	var r linkRow
	err := s.db.GetContext(ctx, &r, linkSelect+` WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("link column %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get link column: %w", err)
	}
	return r.link(), nil
}

// fieldNameTaken reports whether a table already shows a field of this name: a column, a
// forward link column or the reverse side of a link column pointing at it.
func fieldNameTaken(t *gqlbase.Table, name string) bool {
	if t.Column(name) != nil {
		return true
	}
	for _, l := range t.Links {
		if l.TableID == t.ID && l.Name == name || l.TargetTableID == t.ID && l.ReverseName == name {
			return true
		}
	}
	return false
}

// CreateLinkColumn creates a link column and its junction table. Names are checked by the
// caller (gqlbase.CheckColumnName); here they are checked against the fields the two tables
// already show.
func (s *Store) CreateLinkColumn(ctx context.Context, in gqlbase.CreateLinkColumnInput, actor string) (*gqlbase.LinkColumn, error) {
	var out *gqlbase.LinkColumn
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		src, err := lockTable(ctx, tx, in.Table)
		if err != nil {
			return err
		}
		if err := refuseFrozen(src, "adding a link column"); err != nil {
			return err
		}
		dst := src
		if in.TargetTable != in.Table {
			if dst, err = lockTable(ctx, tx, in.TargetTable); err != nil {
				return gqlbase.NotFound("target table %d not found", in.TargetTable).WithField("targetTable")
			}
		}
		if dst.DatabaseID != src.DatabaseID {
			return gqlbase.BadInput("a link column links tables of one database; table %q is in another", dst.Name).WithField("targetTable")
		}
		forward, _ := src.LinksOf()
		if len(forward) >= MaxLinkColumns {
			return gqlbase.BadInput("a table may have at most %d link columns", MaxLinkColumns).WithField("name")
		}
		reverse := in.ReverseName
		if reverse == "" {
			reverse = src.Name + "_by_" + in.Name
		}
		if fieldNameTaken(src, in.Name) {
			return gqlbase.Conflict("table %q already has a field %q", src.Name, in.Name).WithField("name")
		}
		if fieldNameTaken(dst, reverse) || dst.ID == src.ID && reverse == in.Name {
			return gqlbase.Conflict("table %q already has a field %q; give another reverseName", dst.Name, reverse).WithField("reverseName")
		}
		var id int64
		if err := tx.GetContext(ctx, &id, `INSERT INTO link_columns (table_id, target_table_id, name, reverse_name, junction)
			VALUES ($1, $2, $3, $4, '') RETURNING id`, src.ID, dst.ID, in.Name, reverse); err != nil {
			return fmt.Errorf("insert link column: %w", err)
		}
		junction := "_link_" + strconv.FormatInt(id, 10)
		if _, err := tx.ExecContext(ctx, `UPDATE link_columns SET junction = $2 WHERE id = $1`, id, junction); err != nil {
			return fmt.Errorf("name junction: %w", err)
		}
		noteAuditResource(ctx, src.ID)
		tctx, err := tenantIn(ctx, tx, src.DatabaseID)
		if err != nil {
			return err
		}
		for _, stmt := range junctionDDL(src, dst, junction) {
			if _, err := tx.ExecContext(tctx, stmt); err != nil {
				if pgCode(err) == sqlstateDuplicateTable {
					return gqlbase.Conflict("a table named %q exists already; rename it first", junction)
				}
				return fmt.Errorf("create junction: %w", err)
			}
		}
		// The trigger that keeps deleted rows' links is gqlbase's to create (its function
		// writes metadata the database's role may not).
		jt := plan.Qualified(src.Schema, junction)
		if _, err := tx.ExecContext(asRole(ctx, ""), `CREATE TRIGGER gqlbase_link_trash AFTER DELETE ON `+jt+
			` REFERENCING OLD TABLE AS gqlbase_old FOR EACH STATEMENT EXECUTE FUNCTION public.`+linkTrashFunc+`()`); err != nil {
			return fmt.Errorf("create junction trigger: %w", err)
		}
		if err := linkSchemaEvents(ctx, tx, actor, src.ID, dst.ID); err != nil {
			return err
		}
		out = &gqlbase.LinkColumn{ID: id, TableID: src.ID, TargetTableID: dst.ID, Name: in.Name, ReverseName: reverse,
			Junction: junction, CreatedAt: time.Now()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(out.TableID, out.TargetTableID)
	return s.GetLinkColumn(ctx, out.ID)
}

// junctionDDL creates a junction table: one row per link, gone with either row.
func junctionDDL(src, dst *gqlbase.Table, junction string) []string {
	jt := plan.Qualified(src.Schema, junction)
	return []string{
		`CREATE TABLE ` + jt + ` (
			source_id bigint NOT NULL REFERENCES ` + plan.Qualified(src.Schema, src.Name) + ` (id) ON DELETE CASCADE,
			target_id bigint NOT NULL REFERENCES ` + plan.Qualified(dst.Schema, dst.Name) + ` (id) ON DELETE CASCADE,
			meta jsonb CHECK (meta IS NULL OR jsonb_typeof(meta) = 'object' AND octet_length(meta::text) <= ` + strconv.Itoa(gqlbase.MaxLinkMeta) + `),
			created_at timestamptz NOT NULL DEFAULT now(),
			PRIMARY KEY (source_id, target_id))`,
		`CREATE INDEX ON ` + jt + ` (target_id, source_id)`,
	}
}

// linkSchemaEvents records that the tables of a link column changed (their typed schemas
// gain or lose fields).
func linkSchemaEvents(ctx context.Context, tx *Tx, actor string, tableIDs ...int64) error {
	seen := map[int64]bool{}
	for _, id := range tableIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		m, err := loadTables(ctx, tx, `WHERE t.id = $1`, id)
		if err != nil {
			return err
		}
		t := m[id]
		if t == nil {
			continue
		}
		if err := writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: t.ID,
			kind: gqlbase.EventTableUpdated, actor: actor, after: TableJSON(t)}); err != nil {
			return err
		}
	}
	return nil
}

// DeleteLinkColumn drops a link column with its junction table and its links.
func (s *Store) DeleteLinkColumn(ctx context.Context, id int64, actor string) error {
	var l *gqlbase.LinkColumn
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		var r linkRow
		err := tx.GetContext(ctx, &r, linkSelect+` WHERE id = $1 FOR UPDATE`, id)
		if isNoRows(err) {
			return gqlbase.NotFound("link column %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("lock link column: %w", err)
		}
		l = r.link()
		src, err := lockTable(ctx, tx, l.TableID)
		if err != nil {
			return err
		}
		if err := refuseFrozen(src, "deleting a link column"); err != nil {
			return err
		}
		if err := dropLinkTx(ctx, tx, src, l); err != nil {
			return err
		}
		return linkSchemaEvents(ctx, tx, actor, l.TableID, l.TargetTableID)
	})
	if err != nil {
		return err
	}
	s.tablesChanged(l.TableID, l.TargetTableID)
	return nil
}

func dropLinkTx(ctx context.Context, tx *Tx, src *gqlbase.Table, l *gqlbase.LinkColumn) error {
	tctx, err := tenantIn(ctx, tx, src.DatabaseID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(tctx, `DROP TABLE IF EXISTS `+plan.Qualified(src.Schema, l.Junction)); err != nil {
		return fmt.Errorf("drop junction of %q: %w", l.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM link_columns WHERE id = $1`, l.ID); err != nil {
		return fmt.Errorf("delete link column: %w", err)
	}
	return nil
}

// dropTableLinks drops the link columns a table is the source or the target of, before the
// table itself is dropped; it returns the other tables that lost a field.
func dropTableLinks(ctx context.Context, tx *Tx, t *gqlbase.Table) ([]int64, error) {
	var others []int64
	for _, l := range t.Links {
		if err := dropLinkTx(ctx, tx, t, l); err != nil {
			return nil, err
		}
		if l.TableID != t.ID {
			others = append(others, l.TableID)
		} else if l.TargetTableID != t.ID {
			others = append(others, l.TargetTableID)
		}
	}
	return others, nil
}

// SetPrimaryColumn chooses the column that displays the table's rows (0: back to the
// default, the first text column).
func (s *Store) SetPrimaryColumn(ctx context.Context, tableID, columnID int64, actor string) (*gqlbase.Table, error) {
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		t, err := lockTable(ctx, tx, tableID)
		if err != nil {
			return err
		}
		var col any
		if columnID != 0 {
			found := false
			for _, c := range t.Columns {
				found = found || c.ID == columnID
			}
			if !found {
				return gqlbase.BadInput("column %d is not a column of table %q", columnID, t.Name).WithField("column")
			}
			col = columnID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tables_meta SET primary_column_id = $2, updated_at = now() WHERE id = $1`, tableID, col); err != nil {
			return fmt.Errorf("set primary column: %w", err)
		}
		return linkSchemaEvents(ctx, tx, actor, tableID)
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(tableID)
	return s.GetTable(ctx, tableID)
}
