package gqlbase

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
)

// RowOp is one operation on rows that a fine-grained token is granted per database or table.
type RowOp string

const (
	OpCreate RowOp = "create"
	OpRead   RowOp = "read"
	OpUpdate RowOp = "update"
	OpDelete RowOp = "delete"
)

// RowOps lists the operations in a stable order.
var RowOps = []RowOp{OpCreate, OpRead, OpUpdate, OpDelete}

// scope is the workspace scope an operation needs besides its grant.
func (op RowOp) scope() Scope {
	if op == OpRead {
		return ScopeRead
	}
	return ScopeWrite
}

// Grant names a database or a table an operation is allowed on.
type Grant struct {
	Kind string // "database" or "table"
	ID   int64
}

// OpGrant is what one operation is allowed on: everything the token otherwise reaches (All),
// or only the listed databases and tables (none when the list is empty).
type OpGrant struct {
	All    bool
	Grants []Grant
}

// allows reports whether the grant covers a table of a database.
func (g OpGrant) allows(databaseID, tableID int64) bool {
	if g.All {
		return true
	}
	return slices.ContainsFunc(g.Grants, func(x Grant) bool {
		return (x.Kind == "database" && x.ID == databaseID) || (x.Kind == "table" && x.ID == tableID)
	})
}

// TokenPermissions restricts a token's row operations per database and table (Baserow's
// database token permissions). A nil map does not restrict; an operation missing from a
// non-nil map is not allowed anywhere.
type TokenPermissions map[RowOp]OpGrant

// MaxGrants bounds the grants of one operation, so checking them stays cheap.
const MaxGrants = 200

// ParseTokenPermissions reads Baserow's shape: each operation true, false or a list of
// ["database", id] / ["table", id] pairs. Operations not given are not allowed.
func ParseTokenPermissions(raw map[string]any) (TokenPermissions, error) {
	out := TokenPermissions{}
	for key, v := range raw {
		op := RowOp(key)
		if !slices.Contains(RowOps, op) {
			return nil, BadInput("unknown operation %q in permissions (want create, read, update, delete)", key).WithField("permissions")
		}
		g, err := parseOpGrant(v)
		if err != nil {
			return nil, BadInput("permissions.%s: %s", key, err).WithField("permissions")
		}
		out[op] = g
	}
	return out, nil
}

func parseOpGrant(v any) (OpGrant, error) {
	switch x := v.(type) {
	case bool:
		return OpGrant{All: x}, nil
	case []any:
		if len(x) > MaxGrants {
			return OpGrant{}, fmt.Errorf("at most %d grants", MaxGrants)
		}
		g := OpGrant{Grants: []Grant{}}
		for _, item := range x {
			pair, ok := item.([]any)
			if !ok || len(pair) != 2 {
				return OpGrant{}, fmt.Errorf(`each grant is a pair ["database", id] or ["table", id]`)
			}
			kind, _ := pair[0].(string)
			if kind != "database" && kind != "table" {
				return OpGrant{}, fmt.Errorf(`a grant names "database" or "table", not %v`, pair[0])
			}
			id, err := grantID(pair[1])
			if err != nil {
				return OpGrant{}, err
			}
			gr := Grant{Kind: kind, ID: id}
			if !slices.Contains(g.Grants, gr) {
				g.Grants = append(g.Grants, gr)
			}
		}
		return g, nil
	}
	return OpGrant{}, fmt.Errorf("want true, false or a list of grants")
}

func grantID(v any) (int64, error) {
	switch n := v.(type) {
	case float64:
		if n >= 1 && n == float64(int64(n)) {
			return int64(n), nil
		}
	case int64:
		if n >= 1 {
			return n, nil
		}
	case int:
		if n >= 1 {
			return int64(n), nil
		}
	case json.Number:
		if i, err := n.Int64(); err == nil && i >= 1 {
			return i, nil
		}
	case string:
		var i int64
		if _, err := fmt.Sscan(n, &i); err == nil && i >= 1 && fmt.Sprint(i) == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("a grant's id must be a positive integer, not %v", v)
}

// JSON returns the permissions in Baserow's shape (every operation present).
func (tp TokenPermissions) JSON() map[string]any {
	if tp == nil {
		return nil
	}
	out := make(map[string]any, len(RowOps))
	for _, op := range RowOps {
		g := tp[op]
		if g.All || len(g.Grants) == 0 {
			out[string(op)] = g.All
			continue
		}
		pairs := make([]any, len(g.Grants))
		for i, gr := range g.Grants {
			pairs[i] = []any{gr.Kind, gr.ID}
		}
		out[string(op)] = pairs
	}
	return out
}

// Grants lists the databases and tables the permissions name, for checking that they exist.
func (tp TokenPermissions) Grants() []Grant {
	var out []Grant
	for _, op := range RowOps {
		for _, g := range tp[op].Grants {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// RequireRows is RequireDatabase for an operation on a table's rows, plus the token's
// per-operation grants. Every use case on rows (and every typed API root field and relation)
// goes through it.
func (p *Principal) RequireRows(t *Table, op RowOp) error {
	if err := p.RequireDatabase(t.WorkspaceID, t.DatabaseID, op.scope()); err != nil {
		return err
	}
	if p.Permissions == nil {
		return nil
	}
	if !p.Permissions[op].allows(t.DatabaseID, t.ID) {
		return Forbidden("this token may not %s rows of table %q (id %d): its permissions do not grant it", op, t.Name, t.ID)
	}
	return nil
}

// AllowsAddr reports whether a token with an IP allowlist may be used from addr. A request
// without a known address (a unix socket) is refused by an allowlist.
func AllowsAddr(allowed []netip.Prefix, addr netip.Addr) bool {
	if allowed == nil {
		return true
	}
	addr = addr.Unmap()
	for _, n := range allowed {
		if n.Contains(addr) {
			return true
		}
	}
	return false
}

// CoversPermissions reports whether held grants every row operation asked grants: held does
// not restrict, or asked restricts at least as narrowly, operation by operation.
func CoversPermissions(held, asked TokenPermissions) bool {
	if held == nil {
		return true
	}
	if asked == nil {
		return false
	}
	for _, op := range RowOps {
		h, a := held[op], asked[op]
		if h.All {
			continue
		}
		if a.All {
			return false
		}
		for _, g := range a.Grants {
			if !slices.Contains(h.Grants, g) {
				return false
			}
		}
	}
	return true
}

// coversNetworks reports whether every network of asked lies within one of held (nil: any).
func coversNetworks(held, asked []netip.Prefix) bool {
	if held == nil {
		return true
	}
	if asked == nil {
		return false
	}
	for _, a := range asked {
		if !slices.ContainsFunc(held, func(h netip.Prefix) bool { return h.Bits() <= a.Bits() && h.Contains(a.Addr()) }) {
			return false
		}
	}
	return true
}
