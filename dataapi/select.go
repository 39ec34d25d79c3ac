package dataapi

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Limits of list arguments.
const (
	maxOffset  = 1_000_000
	maxOrderBy = 20
)

// readPlan compiles a query or subscription root field.
func (x *execution) readPlan(rf *rootField, f graphql.CollectedField) (*plan.Plan, error) {
	args := f.ArgumentMap(x.vars)
	ti := rf.table
	switch rf.kind {
	case rootList:
		rs, err := x.rowSet(ti, f.Field, args, true)
		if err != nil {
			return nil, err
		}
		n, err := x.rowNode(ti, ti.typ("row"), f.Selections)
		if err != nil {
			return nil, err
		}
		return &plan.Plan{Kind: plan.List, Rows: *rs, Node: n}, nil
	case rootByPK:
		id, err := parseID(args["id"], "id")
		if err != nil {
			return nil, err
		}
		n, err := x.rowNode(ti, ti.typ("row"), f.Selections)
		if err != nil {
			return nil, err
		}
		return &plan.Plan{Kind: plan.One, Rows: plan.RowSet{Table: ti.t}, ID: id, Node: n}, nil
	case rootAggregate:
		rs, err := x.rowSet(ti, f.Field, args, false)
		if err != nil {
			return nil, err
		}
		n, err := x.aggregateNode(ti, f.Selections, rs)
		if err != nil {
			return nil, err
		}
		return &plan.Plan{Kind: plan.Aggregate, Rows: *rs, Node: n}, nil
	}
	return nil, fmt.Errorf("dataapi: root field %q is not a read", f.Name)
}

// parseID reads an id argument (ID: a decimal string or an integer).
func parseID(v any, field string) (int64, error) {
	id, err := gqlbase.CoerceValue(&gqlbase.Column{Name: field, Type: gqlbase.TypeInteger}, v)
	if err != nil {
		return 0, gqlbase.BadInput("%s must be a row id (a positive integer)", field).WithField(field)
	}
	return id.(int64), nil
}

// rowSet reads where/filter, order_by, limit, offset and distinct_on. A list's row set always
// has a limit (DefaultLimit when none is given); an aggregate's only when one is given, since
// its aggregates cover every matching row (its nodes get their own, see aggregateNode).
func (x *execution) rowSet(ti *tableInfo, field *ast.Field, args map[string]any, list bool) (*plan.RowSet, error) {
	rs := &plan.RowSet{Table: ti.t}
	where, err := x.whereArgs(ti, args, "where", "filter")
	if err != nil {
		return nil, err
	}
	rs.Where = where
	if rs.Order, err = x.orderBy(ti, field); err != nil {
		return nil, err
	}
	if rs.Limit, err = limitArg(args, list); err != nil {
		return nil, err
	}
	if v, ok := args["offset"]; ok && v != nil {
		n, err := intArg(v, "offset")
		if err != nil {
			return nil, err
		}
		if n < 0 || n > maxOffset {
			return nil, gqlbase.BadInput("offset must be between 0 and %d", maxOffset).WithField("offset")
		}
		rs.Offset = n
	}
	if v, ok := args["distinct_on"]; ok && v != nil {
		names, ok := asList(v)
		if !ok {
			return nil, gqlbase.BadInput("distinct_on must be a list of columns").WithField("distinct_on")
		}
		for _, item := range names {
			name, _ := item.(string)
			c := ti.enumCols[name]
			if c == nil {
				return nil, gqlbase.BadInput("distinct_on: table %q has no column %q", ti.name, name).WithField("distinct_on")
			}
			rs.DistinctOn = append(rs.DistinctOn, c)
		}
	}
	return rs, nil
}

// whereArgs reads the where argument and its aliases; when several are given all must hold.
func (x *execution) whereArgs(ti *tableInfo, args map[string]any, names ...string) (*plan.Cond, error) {
	var parts []*plan.Cond
	for _, name := range names {
		v, ok := args[name]
		if !ok || v == nil {
			continue
		}
		c, err := x.cond(ti, v, name, 0)
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	switch len(parts) {
	case 0:
		return nil, nil
	case 1:
		return parts[0], nil
	}
	return &plan.Cond{And: parts}, nil
}

func intArg(v any, name string) (int, error) {
	n, err := gqlbase.CoerceValue(&gqlbase.Column{Name: name, Type: gqlbase.TypeInteger}, v)
	if err != nil {
		return 0, gqlbase.BadInput("%s must be an integer", name).WithField(name)
	}
	i := n.(int64)
	if i > 1<<31-1 || i < -(1<<31) {
		return 0, gqlbase.BadInput("%s is out of range", name).WithField(name)
	}
	return int(i), nil
}

func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case nil:
		return nil, false
	case map[string]any:
		return []any{x}, true
	case string:
		return []any{x}, true
	}
	return nil, false
}

func asObject(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}

// Operators of comparison inputs.
var comparisonOps = map[string]gqlbase.FilterOp{
	"_eq": gqlbase.OpEq, "_neq": gqlbase.OpNeq, "_gt": gqlbase.OpGt, "_gte": gqlbase.OpGte, "_lt": gqlbase.OpLt,
	"_lte": gqlbase.OpLte, "_in": gqlbase.OpIn, "_nin": gqlbase.OpNin, "_like": gqlbase.OpLike, "_ilike": gqlbase.OpIlike,
	"_is_null": gqlbase.OpIsNull, "_contains": gqlbase.OpContains,
}

// cond turns a <table>_bool_exp value into a row condition. Every key must hold; _eq: null
// means IS NULL. An empty _and holds for every row and an empty _or for none, as everywhere
// else (the platform's and/or, Botpress's $and/$or, gqlbase.BoundFilter in memory): a
// disjunction of nothing is false.
func (x *execution) cond(ti *tableInfo, v any, path string, depth int) (*plan.Cond, error) {
	if depth > gqlbase.MaxFilterDepth {
		return nil, gqlbase.BadInput("%s: the condition is nested deeper than %d levels", path, gqlbase.MaxFilterDepth).WithField("where")
	}
	m, ok := asObject(v)
	if !ok {
		return nil, gqlbase.BadInput("%s must be an object of conditions", path).WithField("where")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &plan.Cond{And: []*plan.Cond{}}
	for _, k := range keys {
		val := m[k]
		p := path + "." + k
		switch k {
		case "_and", "_or":
			items, ok := asList(val)
			if !ok {
				return nil, gqlbase.BadInput("%s must be a list of conditions", p).WithField("where")
			}
			if len(items) == 0 && k == "_and" {
				continue
			}
			sub := make([]*plan.Cond, len(items))
			for i, item := range items {
				c, err := x.cond(ti, item, fmt.Sprintf("%s[%d]", p, i), depth+1)
				if err != nil {
					return nil, err
				}
				sub[i] = c
			}
			if k == "_and" {
				out.And = append(out.And, &plan.Cond{And: sub})
			} else {
				out.And = append(out.And, &plan.Cond{Or: sub})
			}
			continue
		case "_not":
			if val == nil {
				return nil, gqlbase.BadInput("%s must be a condition, not null", p).WithField("where")
			}
			c, err := x.cond(ti, val, p, depth+1)
			if err != nil {
				return nil, err
			}
			out.And = append(out.And, &plan.Cond{Not: c})
			continue
		}
		f := ti.where[k]
		if f == nil {
			return nil, gqlbase.BadInput("%s: table %q has no column or relationship %q", path, ti.name, k).WithField("where")
		}
		if val == nil {
			return nil, gqlbase.BadInput("%s is null: give a comparison such as {_is_null: true}", p).WithField(k)
		}
		switch f.kind {
		case fieldColumn:
			ops, ok := asObject(val)
			if !ok {
				return nil, gqlbase.BadInput("%s must be a comparison object ({_eq: ...})", p).WithField(k)
			}
			opNames := make([]string, 0, len(ops))
			for o := range ops {
				opNames = append(opNames, o)
			}
			sort.Strings(opNames)
			for _, o := range opNames {
				op, ok := comparisonOps[o]
				if !ok {
					return nil, gqlbase.BadInput("%s: unknown operator %q", p, o).WithField(k)
				}
				operand := ops[o]
				if op == gqlbase.OpIsNull && operand == nil {
					return nil, gqlbase.BadInput("%s._is_null takes true or false", p).WithField(k)
				}
				name := f.column.Name
				bound, err := gqlbase.BindFilter(&gqlbase.Filter{Column: &name, Op: &op, Value: operand}, ti.t)
				if err != nil {
					return nil, err
				}
				out.And = append(out.And, &plan.Cond{Filter: bound})
			}
		case fieldObjectRel, fieldArrayRel:
			sub, err := x.cond(f.target, val, p, depth+1)
			if err != nil {
				return nil, err
			}
			out.And = append(out.And, &plan.Cond{Exists: &plan.CondExists{
				Link: f.link, Forward: f.kind == fieldObjectRel, Target: f.target.t, Where: sub, Junction: f.junction,
			}})
		}
	}
	if len(out.And) == 1 {
		return out.And[0], nil
	}
	return out, nil
}

// orderDirections are the values of the order_by enum.
var orderDirections = map[string]struct {
	desc  bool
	nulls gqlbase.NullsOrder
	bytes bool // text in byte order
}{
	"asc": {false, gqlbase.NullsDefault, false}, "asc_nulls_first": {false, gqlbase.NullsFirst, false}, "asc_nulls_last": {false, gqlbase.NullsLast, false},
	"desc": {true, gqlbase.NullsDefault, false}, "desc_nulls_first": {true, gqlbase.NullsFirst, false}, "desc_nulls_last": {true, gqlbase.NullsLast, false},
	"asc_bytes": {false, gqlbase.NullsDefault, true}, "asc_bytes_nulls_first": {false, gqlbase.NullsFirst, true}, "asc_bytes_nulls_last": {false, gqlbase.NullsLast, true},
	"desc_bytes": {true, gqlbase.NullsDefault, true}, "desc_bytes_nulls_first": {true, gqlbase.NullsFirst, true}, "desc_bytes_nulls_last": {true, gqlbase.NullsLast, true},
	"ASC": {false, gqlbase.NullsDefault, false}, "DESC": {true, gqlbase.NullsDefault, false},
}

// orderBy reads order_by. Keys of one object follow the document's order when the object is
// written in the query, and name order when it comes from a variable; a list of one-key
// objects fixes the order either way. An object relationship's key holds the order of the
// linked row ({album_rel: {title: asc}}).
func (x *execution) orderBy(ti *tableInfo, field *ast.Field) ([]plan.OrderKey, error) {
	a := field.Arguments.ForName("order_by")
	if a == nil || a.Value == nil {
		return nil, nil
	}
	var entries []orderEntry
	if err := orderPairs(a.Value, x.vars, nil, &entries); err != nil {
		return nil, err
	}
	if len(entries) > maxOrderBy {
		return nil, gqlbase.BadInput("order by at most %d columns", maxOrderBy).WithField("order_by")
	}
	keys := make([]plan.OrderKey, 0, len(entries))
	for _, e := range entries {
		var key plan.OrderKey
		cur := ti
		for _, name := range e.path[:len(e.path)-1] {
			f := cur.fields[name]
			if f == nil || f.kind != fieldObjectRel {
				return nil, gqlbase.BadInput("order_by: table %q has no object relationship %q", cur.name, name).WithField("order_by")
			}
			key.Via = append(key.Via, plan.OrderHop{Link: f.link, Target: f.target.t})
			cur = f.target
		}
		last := e.path[len(e.path)-1]
		c := cur.orderBy[last]
		if c == nil {
			return nil, gqlbase.BadInput("order_by: table %q has no column %q", cur.name, last).WithField("order_by")
		}
		d, ok := orderDirections[e.dir]
		if !ok {
			return nil, gqlbase.BadInput("order_by.%s: unknown direction %q", strings.Join(e.path, "."), e.dir).WithField("order_by")
		}
		key.Column, key.Desc, key.Nulls, key.Bytes = c, d.desc, d.nulls, d.bytes
		keys = append(keys, key)
	}
	return keys, nil
}

// orderEntry is one sort key as written: the field path and the direction.
type orderEntry struct {
	path []string
	dir  string
}

// maxOrderPath bounds how many relationships one order key follows.
const maxOrderPath = 8

// orderPairs flattens an order_by value (a literal or variables) into entries.
func orderPairs(v *ast.Value, vars map[string]any, prefix []string, out *[]orderEntry) error {
	if len(prefix) > maxOrderPath {
		return gqlbase.BadInput("order_by follows more than %d relationships", maxOrderPath).WithField("order_by")
	}
	switch v.Kind {
	case ast.Variable:
		return orderPairsGo(vars[v.Raw], prefix, out)
	case ast.NullValue:
		return nil
	case ast.ListValue:
		for _, ch := range v.Children {
			if err := orderPairs(ch.Value, vars, prefix, out); err != nil {
				return err
			}
		}
		return nil
	case ast.ObjectValue:
		for _, ch := range v.Children {
			path := append(append([]string{}, prefix...), ch.Name)
			switch ch.Value.Kind {
			case ast.NullValue:
			case ast.Variable, ast.ObjectValue:
				if err := orderPairs(ch.Value, vars, path, out); err != nil {
					return err
				}
			default:
				*out = append(*out, orderEntry{path: path, dir: ch.Value.Raw})
			}
		}
		return nil
	}
	return gqlbase.BadInput("order_by must be a list of {column: direction} objects").WithField("order_by")
}

func orderPairsGo(v any, prefix []string, out *[]orderEntry) error {
	if len(prefix) > maxOrderPath {
		return gqlbase.BadInput("order_by follows more than %d relationships", maxOrderPath).WithField("order_by")
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if len(prefix) == 0 {
			break
		}
		*out = append(*out, orderEntry{path: prefix, dir: x})
		return nil
	case []any:
		for _, item := range x {
			if err := orderPairsGo(item, prefix, out); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := orderPairsGo(x[k], append(append([]string{}, prefix...), k), out); err != nil {
				return err
			}
		}
		return nil
	}
	return gqlbase.BadInput("order_by must be a list of {column: direction} objects").WithField("order_by")
}

// rowNode compiles the selection of a row type (or of a by_pk response, whose extra fields
// the caller handles through extra).
func (x *execution) rowNode(ti *tableInfo, typeName string, sel ast.SelectionSet) (*plan.Node, error) {
	return x.objectNode(ti, typeName, sel, nil)
}

func (x *execution) objectNode(ti *tableInfo, typeName string, sel ast.SelectionSet,
	extra func(f graphql.CollectedField) (*plan.Node, bool, error)) (*plan.Node, error) {
	return x.fieldsNode(typeName, sel, func(f graphql.CollectedField) (*plan.Node, error) {
		if extra != nil {
			c, ok, err := extra(f)
			if err != nil {
				return nil, err
			}
			if ok && c != nil {
				return c, nil
			}
		}
		return x.rowField(ti, f)
	})
}

// fieldsNode compiles the selection of an object type into an object node: __typename is the
// type's name, every other field what field compiles it to.
func (x *execution) fieldsNode(typeName string, sel ast.SelectionSet, field func(f graphql.CollectedField) (*plan.Node, error)) (*plan.Node, error) {
	fields := graphql.CollectFields(x.opCtx, sel, []string{typeName})
	n := &plan.Node{Kind: plan.NodeObject, Keys: make([]string, 0, len(fields)), Children: make([]*plan.Node, 0, len(fields))}
	for _, f := range fields {
		child := &plan.Node{Kind: plan.NodeConst, Const: typeName}
		if f.Name != "__typename" {
			c, err := field(f)
			if err != nil {
				return nil, err
			}
			child = c
		}
		n.Keys = append(n.Keys, f.Alias)
		n.Children = append(n.Children, child)
	}
	return n, nil
}

// rowField compiles one field of a row type: a column or a relationship.
func (x *execution) rowField(ti *tableInfo, f graphql.CollectedField) (*plan.Node, error) {
	rf := ti.fields[f.Name]
	if rf == nil {
		return nil, gqlbase.BadInput("type %s has no field %q", ti.typ("row"), f.Name)
	}
	switch rf.kind {
	case fieldColumn:
		return &plan.Node{Kind: plan.NodeColumn, Column: rf.column}, nil
	case fieldObjectRel:
		child, err := x.rowNode(rf.target, rf.target.typ("row"), f.Selections)
		if err != nil {
			return nil, err
		}
		return &plan.Node{Kind: plan.NodeObjectRel, Link: rf.link, Target: rf.target.t, Child: child}, nil
	case fieldArrayRel, fieldAggregateRel:
		rs, err := x.rowSet(rf.target, f.Field, f.ArgumentMap(x.vars), rf.kind == fieldArrayRel)
		if err != nil {
			return nil, err
		}
		if rf.kind == fieldArrayRel {
			child, err := x.rowNode(rf.target, rf.target.typ("row"), f.Selections)
			if err != nil {
				return nil, err
			}
			if rf.junction != nil {
				return &plan.Node{Kind: plan.NodeManyRel, Junction: rf.junction, Rows: rs, Child: child}, nil
			}
			return &plan.Node{Kind: plan.NodeArrayRel, Link: rf.link, Rows: rs, Child: child}, nil
		}
		child, err := x.aggregateNode(rf.target, f.Selections, rs)
		if err != nil {
			return nil, err
		}
		return &plan.Node{Kind: plan.NodeAggregateRel, Link: rf.link, Rows: rs, Child: child}, nil
	}
	return nil, fmt.Errorf("dataapi: field %q of unknown kind", f.Name)
}

// aggregateNode compiles a <table>_aggregate selection (aggregate context) over the rows of rs.
// Without a limit on rs its nodes are the first DefaultLimit rows, while its aggregates still
// cover every row.
func (x *execution) aggregateNode(ti *tableInfo, sel ast.SelectionSet, rs *plan.RowSet) (*plan.Node, error) {
	typeName := ti.typ("aggregate")
	return x.fieldsNode(typeName, sel, func(f graphql.CollectedField) (*plan.Node, error) {
		switch f.Name {
		case "nodes":
			row, err := x.rowNode(ti, ti.typ("row"), f.Selections)
			if err != nil {
				return nil, err
			}
			child := &plan.Node{Kind: plan.NodeRows, Child: row}
			if rs.Limit == nil {
				limit := DefaultLimit
				child.Limit = &limit
			}
			return child, nil
		case "aggregate":
			return x.aggregateFields(ti, f.Selections)
		}
		return nil, gqlbase.BadInput("type %s has no field %q", typeName, f.Name)
	})
}

func (x *execution) aggregateFields(ti *tableInfo, sel ast.SelectionSet) (*plan.Node, error) {
	typeName := ti.typ("aggregate_fields")
	return x.fieldsNode(typeName, sel, func(f graphql.CollectedField) (*plan.Node, error) {
		switch f.Name {
		case "count":
			args := f.ArgumentMap(x.vars)
			child := &plan.Node{Kind: plan.NodeCount}
			if d, ok := args["distinct"].(bool); ok {
				child.Distinct = d
			}
			if v, ok := args["columns"]; ok && v != nil {
				items, _ := asList(v)
				for _, item := range items {
					name, _ := item.(string)
					c := ti.enumCols[name]
					if c == nil {
						return nil, gqlbase.BadInput("count: table %q has no column %q", ti.name, name).WithField("columns")
					}
					child.Columns = append(child.Columns, c)
				}
			}
			return child, nil
		case "sum", "avg", "min", "max":
			fnType := ti.typ(f.Name + "_fields")
			return x.fieldsNode(fnType, f.Selections, func(g graphql.CollectedField) (*plan.Node, error) {
				c := ti.t.Column(g.Name)
				if c == nil {
					return nil, gqlbase.BadInput("type %s has no field %q", fnType, g.Name)
				}
				return &plan.Node{Kind: plan.NodeAggregate, Fn: f.Name, Column: c}, nil
			})
		}
		return nil, gqlbase.BadInput("type %s has no field %q", typeName, f.Name)
	})
}

// idsCond restricts a condition to rows by id.
func idsCond(t *gqlbase.Table, ids []int64) (*plan.Cond, error) {
	col, op := gqlbase.ColID, gqlbase.OpIn
	items := make([]any, len(ids))
	for i, id := range ids {
		items[i] = strconv.FormatInt(id, 10)
	}
	b, err := gqlbase.BindFilter(&gqlbase.Filter{Column: &col, Op: &op, Value: items}, t)
	if err != nil {
		return nil, err
	}
	return &plan.Cond{Filter: b}, nil
}
