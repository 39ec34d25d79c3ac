package gqlbase

import (
	"encoding/json"
	"strconv"
)

// Link filter operators: a leaf whose Column names a link column of the table (its name on
// the source table, its reverse name on the target) and whose Value is a list of row ids of
// the other table.
const (
	// OpHas holds when the row is linked to every one of the ids.
	OpHas FilterOp = "has"
	// OpHasNot holds when the row is linked to none of the ids.
	OpHasNot FilterOp = "has_not"
	// OpHasAny holds when the row is linked to at least one of the ids.
	OpHasAny FilterOp = "has_any"
)

// MaxLinkFilterIDs is the most ids one link filter leaf takes.
const MaxLinkFilterIDs = 100

func isLinkOp(op FilterOp) bool { return op == OpHas || op == OpHasNot || op == OpHasAny }

// LinkLeaf is the link of a link filter leaf (BoundNode.Link).
type LinkLeaf struct {
	Link *LinkColumn
	// Reverse: the table is the link's target (the leaf names its reverse side).
	Reverse bool
	// Schema is the Postgres schema of the junction.
	Schema string
	IDs    []int64
}

// linkField finds the link column a table shows under name.
func linkField(t *Table, name string) (*LinkColumn, bool) {
	for _, l := range t.Links {
		if l.TableID == t.ID && l.Name == name {
			return l, false
		}
	}
	for _, l := range t.Links {
		if l.TargetTableID == t.ID && l.ReverseName == name {
			return l, true
		}
	}
	return nil, false
}

// bindLinkLeaf binds has / has_not / has_any on a link column.
func (b *binder) bindLinkLeaf(f *Filter, path string) (*BoundNode, error) {
	name, op := *f.Column, *f.Op
	l, reverse := linkField(b.t, name)
	if l == nil {
		if b.t.Column(name) != nil {
			return nil, filterError(path, "column %q, operator %q: has, has_not and has_any apply to link columns", name, op).WithField(name)
		}
		return nil, filterError(path, "unknown link column %q", truncateInput(name)).WithField(name)
	}
	list, ok := f.Value.([]any)
	if !ok {
		return nil, filterError(path, "link column %q, operator %q: give a list of row ids", name, op).WithField(name)
	}
	if len(list) > MaxLinkFilterIDs {
		return nil, filterError(path, "link column %q, operator %q: at most %d ids", name, op, MaxLinkFilterIDs).WithField(name)
	}
	ids := make([]int64, 0, len(list))
	for _, v := range list {
		var id int64
		var err error
		switch x := v.(type) {
		case string:
			id, err = strconv.ParseInt(x, 10, 64)
		case json.Number:
			id, err = x.Int64()
		case float64:
			id = int64(x)
			if float64(id) != x {
				err = strconv.ErrSyntax
			}
		case int:
			id = int64(x)
		case int64:
			id = x
		default:
			err = strconv.ErrSyntax
		}
		if err != nil || id <= 0 {
			return nil, filterError(path, "link column %q, operator %q: %s is not a row id", name, op, quoteInput(v)).WithField(name)
		}
		ids = append(ids, id)
	}
	// Column is the id column, so code that reads a leaf's column never meets nil.
	return &BoundNode{Kind: BoundLeaf, Column: SystemColumns[0], Op: op, Value: ids,
		Link: &LinkLeaf{Link: l, Reverse: reverse, Schema: b.t.Schema, IDs: ids}}, nil
}
