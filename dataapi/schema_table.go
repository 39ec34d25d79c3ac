// The types and root fields of one table (see Build in schema.go).

package dataapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Descriptions of the limit argument (GraphiQL shows them), for lists and for aggregates.
var (
	listLimitDoc = fmt.Sprintf("At most this many rows: %d when not given, at most %d (page further with offset).",
		DefaultLimit, MaxLimit)
	aggregateLimitDoc = fmt.Sprintf("Aggregate over at most this many rows (at most %d); when not given, the aggregates "+
		"cover every matching row and nodes returns the first %d.", MaxLimit, DefaultLimit)
)

// listArgs are the arguments of a list (aggregate false) or of an aggregate over ti's rows.
func (b *builder) listArgs(ti *tableInfo, aggregate bool) ast.ArgumentDefinitionList {
	where := named(ti.typ("bool_exp"))
	limitDoc := listLimitDoc
	if aggregate {
		limitDoc = aggregateLimitDoc
	}
	return ast.ArgumentDefinitionList{
		arg("where", where, "Rows to return."),
		arg("filter", where, "Airsequel's name for where (both given: both must hold)."),
		arg("order_by", list(nonNull(ti.typ("order_by"))), "Sort keys, in order; the id breaks ties."),
		arg("limit", named("Int"), limitDoc),
		arg("offset", named("Int"), "Skip this many rows."),
		arg("distinct_on", list(nonNull(ti.typ("select_column"))), "Keep the first row of each group of equal values of these columns (they lead the order)."),
	}
}

// table adds a table's types and root fields.
func (b *builder) table(ti *tableInfo) {
	t := ti.t
	desc := t.Label
	if t.Description != "" {
		desc = strings.TrimSpace(desc + "\n\n" + t.Description)
	}
	if desc == "" {
		desc = "A row of table " + t.Name + "."
	}
	row := &ast.Definition{Kind: ast.Object, Name: ti.typ("row"), Description: desc}
	pkResp := &ast.Definition{Kind: ast.Object, Name: ti.typ("by_pk_response"),
		Description: "The row a by-primary-key mutation changed, with affected_rows and returning for clients that expect a mutation response."}
	if !b.addType(row) {
		return
	}
	b.s.rowTypes[row.Name] = ti
	cols := append(append([]*gqlbase.Column{}, gqlbase.SystemColumns[:1]...), t.Columns...)
	cols = append(cols, gqlbase.SystemColumns[1:]...)
	var fieldNames []string
	for _, c := range cols {
		f := &ast.FieldDefinition{Name: c.Name, Type: scalarOf(c), Description: columnDescription(c)}
		row.Fields = append(row.Fields, f)
		fieldNames = append(fieldNames, c.Name)
	}
	// Relationship fields, in a stable order.
	var rels []string
	for name, f := range ti.fields {
		if f.kind != fieldColumn {
			rels = append(rels, name)
		}
	}
	sort.Strings(rels)
	for _, name := range rels {
		f := ti.fields[name]
		switch f.kind {
		case fieldObjectRel:
			row.Fields = append(row.Fields, &ast.FieldDefinition{Name: name, Type: named(f.target.typ("row")),
				Description: fmt.Sprintf("The %s row that column %s links to.", f.target.name, f.link.Name)})
		case fieldArrayRel:
			row.Fields = append(row.Fields, &ast.FieldDefinition{Name: name, Type: nonNullList(nonNull(f.target.typ("row"))),
				Arguments: b.listArgs(f.target, false), Description: arrayRelDescription(f)})
		case fieldAggregateRel:
			row.Fields = append(row.Fields, &ast.FieldDefinition{Name: name, Type: nonNull(f.target.typ("aggregate")),
				Arguments: b.listArgs(f.target, true), Description: fmt.Sprintf("Aggregates over the %s rows whose column %s links to this row.", f.target.name, f.link.Name)})
		}
	}
	// Comparison and order inputs.
	boolExp := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("bool_exp"), Description: "Conditions on " + t.Name + " rows; all given ones must hold."}
	boolExp.Fields = ast.FieldList{
		{Name: "_and", Type: list(nonNull(boolExp.Name))},
		{Name: "_or", Type: list(nonNull(boolExp.Name))},
		{Name: "_not", Type: named(boolExp.Name)},
	}
	orderBy := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("order_by"), Description: "Sort keys of " + t.Name + "; give one key per object in a list to fix their order."}
	selectCol := &ast.Definition{Kind: ast.Enum, Name: ti.typ("select_column")}
	for _, c := range cols {
		if f, ok := ti.where[c.Name]; ok && f.kind == fieldColumn {
			boolExp.Fields = append(boolExp.Fields, &ast.FieldDefinition{Name: c.Name, Type: named(comparisonOf(c))})
		}
		orderBy.Fields = append(orderBy.Fields, &ast.FieldDefinition{Name: c.Name, Type: named("order_by")})
		if enumName(c.Name) {
			selectCol.EnumValues = append(selectCol.EnumValues, &ast.EnumValueDefinition{Name: c.Name})
		}
	}
	for _, name := range rels {
		f := ti.fields[name]
		if f.kind == fieldObjectRel && orderBy.Fields.ForName(name) == nil {
			orderBy.Fields = append(orderBy.Fields, &ast.FieldDefinition{Name: name, Type: named(f.target.typ("order_by"))})
		}
		if g, ok := ti.where[name]; !ok || g != f {
			continue
		}
		boolExp.Fields = append(boolExp.Fields, &ast.FieldDefinition{Name: name, Type: named(f.target.typ("bool_exp"))})
	}
	b.addType(boolExp)
	b.addType(orderBy)
	b.addType(selectCol)

	// Aggregates.
	agg := &ast.Definition{Kind: ast.Object, Name: ti.typ("aggregate"), Fields: ast.FieldList{
		{Name: "aggregate", Type: named(ti.typ("aggregate_fields"))},
		{Name: "nodes", Type: nonNullList(nonNull(row.Name)), Description: fmt.Sprintf(
			"The aggregated rows: the first %d when the aggregate has no limit.", DefaultLimit)},
	}}
	aggFields := &ast.Definition{Kind: ast.Object, Name: ti.typ("aggregate_fields"), Fields: ast.FieldList{
		{Name: "count", Type: nonNull("Int"), Arguments: ast.ArgumentDefinitionList{
			arg("columns", list(nonNull(selectCol.Name)), "Count the rows where these columns are not null."),
			arg("distinct", named("Boolean"), "Count distinct values of columns."),
		}},
	}}
	sum := &ast.Definition{Kind: ast.Object, Name: ti.typ("sum_fields")}
	avg := &ast.Definition{Kind: ast.Object, Name: ti.typ("avg_fields")}
	minF := &ast.Definition{Kind: ast.Object, Name: ti.typ("min_fields")}
	maxF := &ast.Definition{Kind: ast.Object, Name: ti.typ("max_fields")}
	for _, c := range cols {
		if c.Type.IsNumeric() && c.Type != gqlbase.TypeLink && !c.System {
			st := nullable(scalarOf(c))
			sum.Fields = append(sum.Fields, &ast.FieldDefinition{Name: c.Name, Type: st})
			at := named("Float")
			if c.Type == gqlbase.TypeDecimal {
				at = named(scalarDecimal)
			}
			avg.Fields = append(avg.Fields, &ast.FieldDefinition{Name: c.Name, Type: at})
		}
		if orderableColumn(c) {
			ot := nullable(scalarOf(c))
			minF.Fields = append(minF.Fields, &ast.FieldDefinition{Name: c.Name, Type: ot})
			maxF.Fields = append(maxF.Fields, &ast.FieldDefinition{Name: c.Name, Type: ot})
		}
	}
	if len(sum.Fields) > 0 {
		b.addType(sum)
		b.addType(avg)
		aggFields.Fields = append(aggFields.Fields, &ast.FieldDefinition{Name: "sum", Type: named(sum.Name)},
			&ast.FieldDefinition{Name: "avg", Type: named(avg.Name)})
	}
	b.addType(minF)
	b.addType(maxF)
	aggFields.Fields = append(aggFields.Fields, &ast.FieldDefinition{Name: "min", Type: named(minF.Name)},
		&ast.FieldDefinition{Name: "max", Type: named(maxF.Name)})
	if b.addType(agg) {
		b.s.aggregateTypes[agg.Name] = true
	}
	b.addType(aggFields)

	// Root query and subscription fields.
	b.root(ast.Query, b.query, &ast.FieldDefinition{Name: t.Name, Type: nonNullList(nonNull(row.Name)), Arguments: b.listArgs(ti, false),
		Description: "Rows of " + t.Name + "."}, rootList, ti)
	byPKArgs := ast.ArgumentDefinitionList{arg("id", nonNull("ID"), "")}
	b.root(ast.Query, b.query, &ast.FieldDefinition{Name: t.Name + "_by_pk", Type: named(row.Name), Arguments: byPKArgs,
		Description: "The " + t.Name + " row with this id, or null."}, rootByPK, ti)
	b.root(ast.Query, b.query, &ast.FieldDefinition{Name: t.Name + "_aggregate", Type: nonNull(agg.Name), Arguments: b.listArgs(ti, true),
		Description: "Aggregates over rows of " + t.Name + "."}, rootAggregate, ti)
	b.root(ast.Subscription, b.subscription, &ast.FieldDefinition{Name: t.Name, Type: nonNullList(nonNull(row.Name)), Arguments: b.listArgs(ti, false)}, rootList, ti)
	b.root(ast.Subscription, b.subscription, &ast.FieldDefinition{Name: t.Name + "_by_pk", Type: named(row.Name), Arguments: byPKArgs}, rootByPK, ti)
	b.root(ast.Subscription, b.subscription, &ast.FieldDefinition{Name: t.Name + "_aggregate", Type: nonNull(agg.Name), Arguments: b.listArgs(ti, true)}, rootAggregate, ti)

	if b.s.role != RoleWrite {
		return
	}
	// Mutation inputs and responses.
	insert := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("insert_input"), Fields: ast.FieldList{
		{Name: gqlbase.ColID, Type: named("ID"), Description: "Only with on_conflict on " + t.Name + "_pkey: the row to update."},
	}}
	set := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("set_input")}
	inc := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("inc_input")}
	updCol := &ast.Definition{Kind: ast.Enum, Name: ti.typ("update_column")}
	for _, c := range t.Columns {
		insert.Fields = append(insert.Fields, &ast.FieldDefinition{Name: c.Name, Type: inputType(c), Description: columnDescription(c)})
		set.Fields = append(set.Fields, &ast.FieldDefinition{Name: c.Name, Type: inputType(c)})
		if c.Type.IsNumeric() && c.Type != gqlbase.TypeLink {
			inc.Fields = append(inc.Fields, &ast.FieldDefinition{Name: c.Name, Type: inputType(c)})
		}
		if enumName(c.Name) {
			updCol.EnumValues = append(updCol.EnumValues, &ast.EnumValueDefinition{Name: c.Name})
		}
	}
	constraint := &ast.Definition{Kind: ast.Enum, Name: ti.typ("constraint")}
	var cnames []string
	for name := range ti.constraints {
		cnames = append(cnames, name)
	}
	sort.Strings(cnames)
	for _, name := range cnames {
		constraint.EnumValues = append(constraint.EnumValues, &ast.EnumValueDefinition{Name: name,
			Description: "Unique on " + ti.constraints[name].Name + "."})
	}
	pk := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("pk_columns_input"), Fields: ast.FieldList{{Name: gqlbase.ColID, Type: nonNull("ID")}}}
	mresp := &ast.Definition{Kind: ast.Object, Name: ti.typ("mutation_response"), Fields: ast.FieldList{
		{Name: "affected_rows", Type: nonNull("Int")},
		{Name: "returning", Type: nonNullList(nonNull(row.Name))},
	}}
	b.addType(insert)
	b.addType(constraint)
	b.addType(pk)
	b.addType(mresp)
	var onConflict *ast.Type
	if len(updCol.EnumValues) > 0 {
		b.addType(updCol)
		oc := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("on_conflict"), Fields: ast.FieldList{
			{Name: "constraint", Type: nonNull(constraint.Name)},
			{Name: "update_columns", Type: nonNullList(nonNull(updCol.Name)), DefaultValue: &ast.Value{Kind: ast.ListValue}},
			{Name: "where", Type: named(ti.typ("bool_exp"))},
		}}
		b.addType(oc)
		onConflict = named(oc.Name)
	}
	pkResp.Fields = append(pkResp.Fields, row.Fields...)
	b.addField(pkResp, &ast.FieldDefinition{Name: "affected_rows", Type: nonNull("Int")})
	b.addField(pkResp, &ast.FieldDefinition{Name: "returning", Type: nonNullList(nonNull(row.Name))})
	if b.addType(pkResp) {
		b.s.rowTypes[pkResp.Name] = ti
	}

	insertArgs := ast.ArgumentDefinitionList{arg("objects", nonNullList(nonNull(insert.Name)), "")}
	oneArgs := ast.ArgumentDefinitionList{arg("object", nonNull(insert.Name), "")}
	if onConflict != nil {
		insertArgs = append(insertArgs, arg("on_conflict", onConflict, "Upsert: update the rows that already hold a key."))
		oneArgs = append(oneArgs, arg("on_conflict", onConflict, "Upsert: update the row that already holds the key."))
	}
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "insert_" + t.Name, Type: named(mresp.Name), Arguments: insertArgs,
		Description: "Inserts rows into " + t.Name + "."}, rootInsert, ti)
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "insert_" + t.Name + "_one", Type: named(row.Name), Arguments: oneArgs,
		Description: "Inserts one row into " + t.Name + "."}, rootInsertOne, ti)
	if ti.hasSet {
		b.addType(set)
		where := named(ti.typ("bool_exp"))
		upd := ast.ArgumentDefinitionList{
			arg("where", where, "Rows to update ({} for every row)."),
			arg("filter", where, "Airsequel's name for where."),
			arg("_set", named(set.Name), "Values to set."),
			arg("set", named(set.Name), "Airsequel's name for _set."),
		}
		updPK := ast.ArgumentDefinitionList{
			arg("pk_columns", named(pk.Name), "The row to update."),
			arg("id", named("ID"), "The row to update (instead of pk_columns)."),
			arg("_set", named(set.Name), "Values to set."),
			arg("set", named(set.Name), "Airsequel's name for _set."),
		}
		if len(inc.Fields) > 0 {
			b.addType(inc)
			upd = append(upd, arg("_inc", named(inc.Name), "Amounts to add to numeric columns."))
			updPK = append(updPK, arg("_inc", named(inc.Name), "Amounts to add to numeric columns."))
		}
		b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "update_" + t.Name, Type: named(mresp.Name), Arguments: upd,
			Description: "Updates the rows of " + t.Name + " that match where."}, rootUpdate, ti)
		b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "update_" + t.Name + "_by_pk", Type: named(pkResp.Name), Arguments: updPK,
			Description: "Updates one row of " + t.Name + "; null when it does not exist."}, rootUpdateByPK, ti)
	}
	where := named(ti.typ("bool_exp"))
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "delete_" + t.Name, Type: named(mresp.Name), Arguments: ast.ArgumentDefinitionList{
		arg("where", where, "Rows to delete ({} for every row)."), arg("filter", where, "Airsequel's name for where."),
	}, Description: "Moves the rows of " + t.Name + " that match where to the trash."}, rootDelete, ti)
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "delete_" + t.Name + "_by_pk", Type: named(pkResp.Name),
		Arguments:   ast.ArgumentDefinitionList{arg("id", nonNull("ID"), "")},
		Description: "Moves one row of " + t.Name + " to the trash; null when it does not exist."}, rootDeleteByPK, ti)
}

func orderableColumn(c *gqlbase.Column) bool { return plan.Orderable(c.Type) }

func (b *builder) root(op ast.Operation, d *ast.Definition, f *ast.FieldDefinition, kind rootKind, ti *tableInfo) {
	if b.addField(d, f) {
		b.s.roots[op][f.Name] = &rootField{kind: kind, table: ti}
	}
}
