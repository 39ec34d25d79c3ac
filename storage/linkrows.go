// Reads and writes of links: the rows of link columns' junction tables.

package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// MaxLinksPerWrite is the most rows one link or unlink names.
const MaxLinksPerWrite = 1000

// linkSide is a link column seen from one of its tables: near is the junction column naming
// that table's rows, far the other one's.
type linkSide struct {
	junction   string
	near, far  string
	nearTable  *gqlbase.Table
	farTable   *gqlbase.Table
	schemaName string
}

func sideOf(l *gqlbase.LinkColumn, src, dst *gqlbase.Table, reverse bool) linkSide {
	s := linkSide{junction: l.Junction, near: "source_id", far: "target_id", nearTable: src, farTable: dst, schemaName: src.Schema}
	if reverse {
		s.near, s.far, s.nearTable, s.farTable = s.far, s.near, dst, src
	}
	return s
}

func (s linkSide) table() string { return plan.Qualified(s.schemaName, s.junction) }

// rowExists reports whether a row of t with this id exists (read as the caller's role).
func rowExists(ctx context.Context, q queryer, t *gqlbase.Table, id int64) (bool, error) {
	var ok bool
	err := q.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM `+plan.Qualified(t.Schema, t.Name)+` WHERE id = $1)`, id)
	if err != nil {
		return false, fmt.Errorf("find row %d of %s: %w", id, t.Name, err)
	}
	return ok, nil
}

// LinkRows links a row (of the link's source table, or with reverse of its target table) to
// rows of the other table, each with its metadata; a link that exists already takes the new
// metadata. It returns how many links were written.
func (s *Store) LinkRows(ctx context.Context, l *gqlbase.LinkColumn, src, dst *gqlbase.Table, reverse bool, rowID int64, targets []gqlbase.LinkTargetInput) (int, error) {
	if len(targets) == 0 || len(targets) > MaxLinksPerWrite {
		return 0, gqlbase.BadInput("link 1 to %d rows at a time", MaxLinksPerWrite).WithField("targets")
	}
	type item struct {
		ID   int64          `json:"id"`
		Meta map[string]any `json:"meta"`
	}
	byID := map[int64]int{}
	items := make([]item, 0, len(targets))
	for i, t := range targets {
		if t.Meta != nil {
			b, err := json.Marshal(t.Meta)
			if err != nil {
				return 0, gqlbase.BadInput("targets[%d].meta: %v", i, err).WithField("meta")
			}
			if len(b) > gqlbase.MaxLinkMeta {
				return 0, gqlbase.BadInput("targets[%d].meta: %d bytes; a link's metadata holds at most %d", i, len(b), gqlbase.MaxLinkMeta).WithField("meta")
			}
		}
		if j, dup := byID[t.ID]; dup {
			items[j].Meta = t.Meta // the last one wins, as a second write would
			continue
		}
		byID[t.ID] = len(items)
		items = append(items, item{ID: t.ID, Meta: t.Meta})
	}
	payload, err := json.Marshal(items)
	if err != nil {
		return 0, fmt.Errorf("encode links: %w", err)
	}
	side := sideOf(l, src, dst, reverse)
	ctx, err = s.tenant(ctx, src.DatabaseID)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.inTxRetry(ctx, func(tx *Tx) error {
		ok, err := rowExists(ctx, tx, side.nearTable, rowID)
		if err != nil {
			return err
		}
		if !ok {
			return gqlbase.NotFound("row %d of table %q not found", rowID, side.nearTable.Name).WithField("row")
		}
		q := `INSERT INTO ` + side.table() + ` (` + side.near + `, ` + side.far + `, meta)
			SELECT $1, (e->>'id')::bigint, nullif(e->'meta', 'null'::jsonb) FROM jsonb_array_elements($2::jsonb) e
			ON CONFLICT (source_id, target_id) DO UPDATE SET meta = EXCLUDED.meta`
		res, err := tx.ExecContext(ctx, q, rowID, string(payload))
		if pgCode(err) == sqlstateForeignKeyViolation {
			return gqlbase.NotFound("a row to link is not in table %q", side.farTable.Name).WithField("targets")
		}
		if err != nil {
			return fmt.Errorf("link rows: %w", err)
		}
		rows, err := res.RowsAffected()
		n = int(rows)
		return err
	})
	return n, err
}

// UnlinkRows removes links of a row to rows of the other table and returns how many went.
func (s *Store) UnlinkRows(ctx context.Context, l *gqlbase.LinkColumn, src, dst *gqlbase.Table, reverse bool, rowID int64, targetIDs []int64) (int, error) {
	if len(targetIDs) == 0 || len(targetIDs) > MaxLinksPerWrite {
		return 0, gqlbase.BadInput("unlink 1 to %d rows at a time", MaxLinksPerWrite).WithField("targetIds")
	}
	side := sideOf(l, src, dst, reverse)
	ctx, err := s.tenant(ctx, src.DatabaseID)
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM `+side.table()+` WHERE `+side.near+` = $1 AND `+side.far+` = ANY($2::bigint[])`,
		rowID, int64Array(targetIDs))
	if err != nil {
		return 0, fmt.Errorf("unlink rows: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ListLinks returns the rows a row is linked to (reverse: the rows linking to it), by id
// after afterID, at most limit of them: each with its primary value and the link's metadata.
func (s *Store) ListLinks(ctx context.Context, l *gqlbase.LinkColumn, src, dst *gqlbase.Table, reverse bool, rowID, afterID int64, limit int) ([]*gqlbase.LinkedRow, error) {
	side := sideOf(l, src, dst, reverse)
	ctx, err := s.tenant(ctx, src.DatabaseID)
	if err != nil {
		return nil, err
	}
	ok, err := rowExists(ctx, s.db, side.nearTable, rowID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, gqlbase.NotFound("row %d of table %q not found", rowID, side.nearTable.Name).WithField("row")
	}
	primary := "NULL::json"
	if c := side.farTable.PrimaryColumnOf(); c != nil {
		primary = "to_json(o." + plan.QuoteIdent(c.Name) + ")"
	}
	var rows []struct {
		ID      int64   `db:"id"`
		Primary *string `db:"primary_value"`
		Meta    *string `db:"meta"`
	}
	err = s.db.SelectContext(ctx, &rows, `SELECT o.id, `+primary+`::text AS primary_value, j.meta::text AS meta
		FROM `+side.table()+` j JOIN `+plan.Qualified(side.farTable.Schema, side.farTable.Name)+` o ON o.id = j.`+side.far+`
		WHERE j.`+side.near+` = $1 AND o.id > $2 ORDER BY o.id LIMIT $3`, rowID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	out := make([]*gqlbase.LinkedRow, len(rows))
	for i, r := range rows {
		out[i] = &gqlbase.LinkedRow{ID: r.ID, Primary: rawOrNull(r.Primary), Meta: rawOrNull(r.Meta)}
	}
	return out, nil
}

func rawOrNull(s *string) json.RawMessage {
	if s == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(*s)
}

// restoreLinks gives a row restored from the trash back the links that went with it, those
// whose other row exists (a link to a row still in the trash comes back with that row).
func restoreLinks(ctx context.Context, tx *Tx, t *gqlbase.Table, rowID int64) error {
	own := asRole(ctx, "") // link_trash is gqlbase's
	for _, l := range t.Links {
		var src, dst string
		m, err := loadTables(own, tx, `WHERE t.id = ANY($1)`, int64Array([]int64{l.TableID, l.TargetTableID}))
		if err != nil {
			return err
		}
		if m[l.TableID] == nil || m[l.TargetTableID] == nil {
			continue
		}
		src = plan.Qualified(m[l.TableID].Schema, m[l.TableID].Name)
		dst = plan.Qualified(m[l.TargetTableID].Schema, m[l.TargetTableID].Name)
		var mine string
		switch {
		case l.TableID == t.ID && l.TargetTableID == t.ID:
			mine = "(lt.source_id = $2 OR lt.target_id = $2)"
		case l.TableID == t.ID:
			mine = "lt.source_id = $2"
		default:
			mine = "lt.target_id = $2"
		}
		q := `WITH back AS (DELETE FROM link_trash lt WHERE lt.link_id = $1 AND ` + mine + `
				AND EXISTS (SELECT 1 FROM ` + src + ` s WHERE s.id = lt.source_id)
				AND EXISTS (SELECT 1 FROM ` + dst + ` d WHERE d.id = lt.target_id)
				RETURNING lt.source_id, lt.target_id, lt.meta, lt.created_at)
			INSERT INTO ` + plan.Qualified(m[l.TableID].Schema, l.Junction) + ` (source_id, target_id, meta, created_at)
			SELECT source_id, target_id, meta, created_at FROM back ON CONFLICT DO NOTHING`
		if _, err := tx.ExecContext(own, q, l.ID, rowID); err != nil {
			return fmt.Errorf("restore links of %q: %w", l.Name, err)
		}
	}
	return nil
}

// purgeLinkTrash deletes kept links older than the retention.
func (s *Store) purgeLinkTrash(ctx context.Context, retention time.Duration) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM link_trash WHERE deleted_at < now() - $1 * interval '1 second'`, retention.Seconds()); err != nil {
		return fmt.Errorf("purge link trash: %w", err)
	}
	return nil
}
