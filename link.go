package gqlbase

import (
	"encoding/json"
	"time"
)

// MaxLinkMeta is the most bytes of JSON one link's metadata may hold.
const MaxLinkMeta = 10 << 10

// LinkColumn relates rows of a table (the source) to any number of rows of a target table
// (maybe the same one), and those rows back (the reverse side, named ReverseName on the
// target). Each link column has a junction table of its own in the database's schema, named
// Junction, with the columns source_id, target_id, meta (JSON, at most MaxLinkMeta bytes) and
// created_at. A link goes when either of its rows is deleted, and comes back when that row is
// restored from the trash.
type LinkColumn struct {
	ID            int64
	TableID       int64
	TargetTableID int64
	Name          string
	ReverseName   string
	Junction      string
	CreatedAt     time.Time
}

// CreateLinkColumnInput creates a link column on Table pointing at TargetTable.
type CreateLinkColumnInput struct {
	Table       int64
	TargetTable int64
	Name        string
	// ReverseName is the field of the target table that lists the linking rows; empty:
	// <table>_by_<name>.
	ReverseName string
}

// LinkTargetInput is one row to link, with the link's optional metadata (a JSON object).
type LinkTargetInput struct {
	ID   int64
	Meta map[string]any
}

// LinkedRow is a row at the other end of a link: its id, the value of its table's primary
// column (JSON as Postgres built it, null when the table has none) and the link's metadata.
type LinkedRow struct {
	ID      int64
	Primary json.RawMessage
	Meta    json.RawMessage
}

// LinkFilterOp chooses rows by their links.
type LinkFilterOp string

const (
	// LinkHas keeps rows linked to every one of the ids.
	LinkHas LinkFilterOp = "has"
	// LinkHasNot keeps rows linked to none of the ids.
	LinkHasNot LinkFilterOp = "has_not"
	// LinkHasAny keeps rows linked to at least one of the ids.
	LinkHasAny LinkFilterOp = "has_any"
)

// LinkFilter is a condition on a row's links through one link column (its forward side, or
// with Reverse the rows of the target table that link to the given ids' rows).
type LinkFilter struct {
	Link    int64
	Reverse bool
	Op      LinkFilterOp
	IDs     []int64
}

// LinksOf are the link columns of a table: the forward ones (the table is their source) and
// the reverse ones (the table is their target), by field name.
func (t *Table) LinksOf() (forward, reverse []*LinkColumn) {
	for _, l := range t.Links {
		if l.TableID == t.ID {
			forward = append(forward, l)
		}
		if l.TargetTableID == t.ID {
			reverse = append(reverse, l)
		}
	}
	return forward, reverse
}

// PrimaryColumnOf is the column that displays a row of the table: PrimaryColumn when it is
// set and still a column, else the first text column, else nil.
func (t *Table) PrimaryColumnOf() *Column {
	if t.PrimaryColumnID != 0 {
		for _, c := range t.Columns {
			if c.ID == t.PrimaryColumnID {
				return c
			}
		}
	}
	for _, c := range t.Columns {
		if c.Type.IsText() {
			return c
		}
	}
	return nil
}
