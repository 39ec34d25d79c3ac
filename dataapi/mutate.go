package dataapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// mutate runs every root field of a mutation, in order, in ONE transaction: if one fails,
// nothing is written and data is null.
func (x *execution) mutate(ctx context.Context) *graphql.Response {
	fields := graphql.CollectFields(x.opCtx, x.opCtx.Operation.SelectionSet, []string{"Mutation"})
	results := make([]json.RawMessage, len(fields))
	actor := gqlbase.PrincipalFrom(ctx).Actor()
	var failedAt string
	err := x.e.svc.store.InWriteTx(ctx, func(w *storage.WriteTx) error {
		for i, f := range fields {
			v, err := x.mutationField(ctx, w, f, actor)
			if err != nil {
				failedAt = f.Alias
				return err
			}
			results[i] = v
		}
		return nil
	})
	if err != nil {
		return failed(ctx, err, failedAt)
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeKey(&buf, f.Alias)
		buf.Write(results[i])
	}
	buf.WriteByte('}')
	return &graphql.Response{Data: buf.Bytes()}
}

func (x *execution) mutationField(ctx context.Context, w *storage.WriteTx, f graphql.CollectedField, actor string) (json.RawMessage, error) {
	if f.Name == "__typename" {
		return json.RawMessage(`"Mutation"`), nil
	}
	rf := x.s.roots[ast.Mutation][f.Name]
	if rf == nil {
		return nil, gqlerror.Errorf("unknown field %q", f.Name)
	}
	args := f.ArgumentMap(x.vars)
	ti := rf.table
	if err := requireRootWrite(ctx, rf, args); err != nil {
		return nil, err
	}
	switch rf.kind {
	case rootInsert, rootInsertOne:
		var objects []any
		if rf.kind == rootInsert {
			objects, _ = args["objects"].([]any)
		} else {
			objects = []any{args["object"]}
		}
		ids, err := x.insert(ctx, w, ti, objects, args["on_conflict"], actor)
		if err != nil {
			return nil, err
		}
		if rf.kind == rootInsertOne {
			if len(ids) == 0 {
				return json.RawMessage("null"), nil
			}
			n, err := x.rowNode(ti, ti.typ("row"), f.Selections)
			if err != nil {
				return nil, err
			}
			return runPlan(ctx, w, &plan.Plan{Kind: plan.One, Rows: plan.RowSet{Table: ti.t}, ID: ids[0], Node: n})
		}
		return x.mutationResponse(ctx, w, ti, f, ids)
	case rootUpdate, rootUpdateByPK:
		var cond *plan.Cond
		var err error
		if rf.kind == rootUpdate {
			cond, err = x.requiredWhere(ti, args)
		} else {
			cond, err = x.pkCond(ti, args)
		}
		if err != nil {
			return nil, err
		}
		if err := requireCondRead(ctx, ti.t, cond); err != nil {
			return nil, err
		}
		ids, err := x.update(ctx, w, ti, cond, args, actor)
		if err != nil {
			return nil, err
		}
		if rf.kind == rootUpdateByPK {
			return x.byPKResponse(ctx, w, ti, f, ids)
		}
		return x.mutationResponse(ctx, w, ti, f, ids)
	case rootDelete, rootDeleteByPK:
		var cond *plan.Cond
		var err error
		if rf.kind == rootDelete {
			cond, err = x.requiredWhere(ti, args)
		} else {
			cond, err = x.pkCond(ti, args)
		}
		if err != nil {
			return nil, err
		}
		if err := requireCondRead(ctx, ti.t, cond); err != nil {
			return nil, err
		}
		ids, err := w.LockWhere(ctx, ti.t, cond)
		if err != nil {
			return nil, err
		}
		// The response is read before the rows go to the trash.
		var out json.RawMessage
		if rf.kind == rootDeleteByPK {
			out, err = x.byPKResponse(ctx, w, ti, f, ids)
		} else {
			out, err = x.mutationResponse(ctx, w, ti, f, ids)
		}
		if err != nil {
			return nil, err
		}
		if _, err := w.DeleteRows(ctx, ti.t, ids, actor); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("dataapi: root field %q is not a mutation", f.Name)
}

// requiredWhere reads where (or filter): update and delete need one ({} for every row).
func (x *execution) requiredWhere(ti *tableInfo, args map[string]any) (*plan.Cond, error) {
	if args["where"] == nil && args["filter"] == nil {
		return nil, gqlbase.BadInput("give where (or filter) to choose the rows; {} chooses every row").WithField("where")
	}
	c, err := x.whereArgs(ti, args, "where", "filter")
	if err != nil {
		return nil, err
	}
	if c == nil {
		c = &plan.Cond{And: []*plan.Cond{}}
	}
	return c, nil
}

// pkCond reads the row of a by-primary-key mutation: pk_columns {id} or id.
func (x *execution) pkCond(ti *tableInfo, args map[string]any) (*plan.Cond, error) {
	var raw any
	if pk, ok := args["pk_columns"].(map[string]any); ok {
		raw = pk[gqlbase.ColID]
	}
	if raw == nil {
		raw = args["id"]
	}
	if raw == nil {
		return nil, gqlbase.BadInput("give the row's id (pk_columns: {id: ...} or id: ...)").WithField("pk_columns")
	}
	id, err := parseID(raw, "id")
	if err != nil {
		return nil, err
	}
	return idsCond(ti.t, []int64{id})
}

// mutationResponse is {affected_rows, returning} over the rows with these ids, read in the
// transaction.
func (x *execution) mutationResponse(ctx context.Context, w *storage.WriteTx, ti *tableInfo, f graphql.CollectedField, ids []int64) (json.RawMessage, error) {
	typeName := ti.typ("mutation_response")
	n, err := x.fieldsNode(typeName, f.Selections, func(g graphql.CollectedField) (*plan.Node, error) {
		switch g.Name {
		case "affected_rows":
			return &plan.Node{Kind: plan.NodeJSON, Const: strconv.Itoa(len(ids))}, nil
		case "returning":
			row, err := x.rowNode(ti, ti.typ("row"), g.Selections)
			if err != nil {
				return nil, err
			}
			return &plan.Node{Kind: plan.NodeRows, Child: row}, nil
		}
		return nil, gqlerror.Errorf("type %s has no field %q", typeName, g.Name)
	})
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []int64{}
	}
	return runPlan(ctx, w, &plan.Plan{Kind: plan.Aggregate, Rows: plan.RowSet{Table: ti.t, IDs: ids}, Node: n})
}

// byPKResponse is the row (with affected_rows and returning) of a by-primary-key mutation,
// or null when no row matched.
func (x *execution) byPKResponse(ctx context.Context, w *storage.WriteTx, ti *tableInfo, f graphql.CollectedField, ids []int64) (json.RawMessage, error) {
	if len(ids) == 0 {
		return json.RawMessage("null"), nil
	}
	n, err := x.objectNode(ti, ti.typ("by_pk_response"), f.Selections, func(g graphql.CollectedField) (*plan.Node, bool, error) {
		switch g.Name {
		case "affected_rows":
			if _, isColumn := ti.fields[g.Name]; isColumn {
				return nil, false, nil
			}
			return &plan.Node{Kind: plan.NodeJSON, Const: "1"}, true, nil
		case "returning":
			if _, isColumn := ti.fields[g.Name]; isColumn {
				return nil, false, nil
			}
			row, err := x.rowNode(ti, ti.typ("row"), g.Selections)
			if err != nil {
				return nil, false, err
			}
			return &plan.Node{Kind: plan.NodeArray, Children: []*plan.Node{row}}, true, nil
		}
		return nil, false, nil
	})
	if err != nil {
		return nil, err
	}
	return runPlan(ctx, w, &plan.Plan{Kind: plan.One, Rows: plan.RowSet{Table: ti.t}, ID: ids[0], Node: n})
}

// insert validates and writes the objects of an insert (an upsert with on_conflict) and
// returns the ids of the rows inserted or updated, in input order.
func (x *execution) insert(ctx context.Context, w *storage.WriteTx, ti *tableInfo, objects []any, onConflict any, actor string) ([]int64, error) {
	if len(objects) > gqlbase.MaxBatchRows {
		return nil, gqlbase.BadInput("%d objects in one insert; the limit is %d", len(objects), gqlbase.MaxBatchRows).WithField("objects")
	}
	index := func(i int) int {
		if len(objects) == 1 {
			return -1
		}
		return i
	}
	values := make([]map[string]any, len(objects))
	rawIDs := make([]any, len(objects))
	for i, o := range objects {
		m, ok := o.(map[string]any)
		if !ok {
			return nil, gqlbase.BadInput("objects[%d] must be an object", i).WithField("objects")
		}
		v := make(map[string]any, len(m))
		for k, val := range m {
			if k == gqlbase.ColID {
				rawIDs[i] = val
				continue
			}
			v[k] = val
		}
		values[i] = v
	}
	oc, _ := onConflict.(map[string]any)
	if oc == nil {
		for i := range rawIDs {
			if rawIDs[i] != nil {
				return nil, gqlbase.BadInput("objects[%d]: id is generated; to update an existing row pass on_conflict: {constraint: %s, update_columns: [...]}", i, ti.typ("pkey")).WithField("id")
			}
		}
		rows := make([]map[string]any, len(values))
		for i, v := range values {
			p, err := gqlbase.PrepareInsert(ti.t, v, index(i))
			if err != nil {
				return nil, err
			}
			rows[i] = p
		}
		inserted, err := w.InsertRows(ctx, ti.t, rows, actor)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(inserted))
		for i, r := range inserted {
			ids[i] = r.ID
		}
		return ids, nil
	}
	return x.upsert(ctx, w, ti, values, rawIDs, oc, actor, index)
}

// upsert inserts the objects whose key is new and updates update_columns of the rows that
// already hold their key (and match where, when given; others are left alone).
func (x *execution) upsert(ctx context.Context, w *storage.WriteTx, ti *tableInfo, values []map[string]any, rawIDs []any,
	oc map[string]any, actor string, index func(int) int) ([]int64, error) {
	cname, _ := oc["constraint"].(string)
	key := ti.constraints[cname]
	if key == nil {
		return nil, gqlbase.BadInput("on_conflict: table %q has no constraint %q", ti.name, cname).WithField("constraint")
	}
	var update []string
	if cols, ok := oc["update_columns"].([]any); ok {
		for _, c := range cols {
			name, _ := c.(string)
			if ti.t.UserColumn(name) == nil {
				return nil, gqlbase.BadInput("on_conflict.update_columns: table %q has no column %q", ti.name, name).WithField("update_columns")
			}
			update = append(update, name)
		}
	}
	keys := make([]any, len(values))
	seen := map[string]int{}
	for i, v := range values {
		var raw any
		if key.System {
			raw = rawIDs[i]
		} else {
			raw = v[key.Name]
			if rawIDs[i] != nil {
				return nil, gqlbase.BadInput("objects[%d]: id is generated; give it only with on_conflict on %s", i, ti.typ("pkey")).WithField("id")
			}
		}
		if raw == nil {
			continue
		}
		kc := &gqlbase.Column{Name: key.Name, Type: key.Type, Nullable: true, Options: key.Options, MaxRating: key.MaxRating}
		if key.System {
			kc.Type = gqlbase.TypeInteger
		}
		k, err := gqlbase.CoerceValue(kc, raw)
		if err != nil {
			return nil, err
		}
		ks := fmt.Sprint(k)
		if j, dup := seen[ks]; dup {
			return nil, gqlbase.BadInput("objects %d and %d have the same %s", j, i, key.Name).WithField(key.Name)
		}
		seen[ks] = i
		keys[i] = k
	}
	lookupKey := key
	if key.System {
		lookupKey = &gqlbase.Column{Name: gqlbase.ColID, Type: gqlbase.TypeInteger, System: true}
	}
	existing, err := w.LockByKey(ctx, ti.t, lookupKey, keys)
	if err != nil {
		return nil, err
	}
	// Rows that hold a key are updated only if they match on_conflict.where.
	allowed := map[int64]bool{}
	if len(existing) > 0 && len(update) > 0 {
		var ids []int64
		for _, id := range existing {
			ids = append(ids, id)
		}
		cond, err := idsCond(ti.t, ids)
		if err != nil {
			return nil, err
		}
		if wv, ok := oc["where"]; ok && wv != nil {
			wc, err := x.cond(ti, wv, "on_conflict.where", 0)
			if err != nil {
				return nil, err
			}
			cond = &plan.Cond{And: []*plan.Cond{cond, wc}}
		}
		matched, err := w.LockWhere(ctx, ti.t, cond)
		if err != nil {
			return nil, err
		}
		for _, id := range matched {
			allowed[id] = true
		}
	}
	var inserts []map[string]any
	var insertAt []int
	var patches []gqlbase.RowPatch
	updatedAt := map[int64]int{}
	for i, v := range values {
		if id, ok := existing[i]; ok {
			if !allowed[id] {
				continue
			}
			patch := map[string]any{}
			for _, name := range update {
				if val, given := v[name]; given {
					patch[name] = val
				}
			}
			p, err := gqlbase.PreparePatch(ti.t, patch, index(i))
			if err != nil {
				return nil, err
			}
			patches = append(patches, gqlbase.RowPatch{ID: id, Values: p})
			updatedAt[id] = i
			continue
		}
		p, err := gqlbase.PrepareInsert(ti.t, v, index(i))
		if err != nil {
			return nil, err
		}
		inserts = append(inserts, p)
		insertAt = append(insertAt, i)
	}
	byIndex := make([]int64, len(values))
	inserted, err := w.InsertRows(ctx, ti.t, inserts, actor)
	if err != nil {
		return nil, err
	}
	for j, r := range inserted {
		byIndex[insertAt[j]] = r.ID
	}
	if _, err := w.UpdateRows(ctx, ti.t, patches, actor); err != nil {
		return nil, err
	}
	for id, i := range updatedAt {
		byIndex[i] = id
	}
	var ids []int64
	for _, id := range byIndex {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// update applies _set (or set) and _inc to the rows matching cond and returns their ids.
func (x *execution) update(ctx context.Context, w *storage.WriteTx, ti *tableInfo, cond *plan.Cond, args map[string]any, actor string) ([]int64, error) {
	set, _ := args["_set"].(map[string]any)
	if alias, ok := args["set"].(map[string]any); ok {
		if set != nil {
			return nil, gqlbase.BadInput("give _set or set, not both").WithField("_set")
		}
		set = alias
	}
	inc, _ := args["_inc"].(map[string]any)
	if set == nil && inc == nil {
		return nil, gqlbase.BadInput("give the values to change in _set (or set) or _inc").WithField("_set")
	}
	patch, err := gqlbase.PreparePatch(ti.t, set, -1)
	if err != nil {
		return nil, err
	}
	incValues := map[string]any{}
	for name, v := range inc {
		if _, both := set[name]; both {
			return nil, gqlbase.BadInput("column %q is in both _set and _inc", name).WithField(name)
		}
		c := ti.t.UserColumn(name)
		if c == nil || !c.Type.IsNumeric() || c.Type == gqlbase.TypeLink {
			return nil, gqlbase.BadInput("_inc: column %q is not a numeric column", name).WithField(name)
		}
		if v == nil {
			continue
		}
		amount, err := gqlbase.CoerceValue(&gqlbase.Column{Name: c.Name, Type: incType(c.Type), Nullable: true}, v)
		if err != nil {
			return nil, err
		}
		incValues[name] = amount
	}
	ids, err := w.LockWhere(ctx, ti.t, cond)
	if err != nil || len(ids) == 0 {
		return ids, err
	}
	added, err := w.Increment(ctx, ti.t, ids, incValues)
	if err != nil {
		return nil, err
	}
	patches := make([]gqlbase.RowPatch, len(ids))
	for i, id := range ids {
		values := patch
		if len(incValues) > 0 {
			p, err := gqlbase.PreparePatch(ti.t, added[id], -1)
			if err != nil {
				return nil, err
			}
			values = make(map[string]any, len(patch)+len(p))
			for k, v := range patch {
				values[k] = v
			}
			for k, v := range p {
				values[k] = v
			}
		}
		patches[i] = gqlbase.RowPatch{ID: id, Values: values}
	}
	if _, err := w.UpdateRows(ctx, ti.t, patches, actor); err != nil {
		return nil, err
	}
	return ids, nil
}

// incType is the type an _inc amount is read as: RATING amounts are plain integers (the
// result is checked against the scale).
func incType(t gqlbase.ColumnType) gqlbase.ColumnType {
	if t == gqlbase.TypeRating {
		return gqlbase.TypeInteger
	}
	return t
}
