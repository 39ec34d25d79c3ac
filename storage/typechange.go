package storage

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// TypeChange is the new type of a column with the settings that type needs.
type TypeChange struct {
	Type        gqlbase.ColumnType
	Options     []gqlbase.SelectOption // SELECT, MULTI_SELECT: when nil, taken from the data
	LinkTableID *int64                 // LINK
	MaxRating   int                    // RATING
}

// conversionExpr returns the USING expression that converts column col from one type to
// another, or "" when no safe conversion exists.
func conversionExpr(from, to gqlbase.ColumnType, col string) string {
	pg := to.PGType()
	switch {
	case from == to:
		return col
	case from.PGType() == pg && from.IsText() && to.IsText():
		return col // values are checked in Go before the change
	case to == gqlbase.TypeText || to == gqlbase.TypeLongText:
		switch {
		case from.IsArray():
			return "array_to_string(" + col + ", ', ')"
		case from == gqlbase.TypeJSON:
			return "CASE WHEN jsonb_typeof(" + col + ") = 'string' THEN " + col + " #>> '{}' ELSE " + col + "::text END"
		}
		return col + "::text"
	case from.IsText():
		switch to {
		case gqlbase.TypeInteger, gqlbase.TypeNumber, gqlbase.TypeDecimal, gqlbase.TypeBoolean, gqlbase.TypeDate,
			gqlbase.TypeDateTime, gqlbase.TypeUUID, gqlbase.TypeRating:
			return "nullif(btrim(" + col + "), '')::" + pg
		case gqlbase.TypeJSON:
			return "to_jsonb(" + col + ")"
		case gqlbase.TypeMultiSelect:
			return "CASE WHEN " + col + " IS NULL OR " + col + " = '' THEN NULL ELSE ARRAY[" + col + "] END"
		}
	case from.IsNumeric() && from != gqlbase.TypeLink:
		switch to {
		case gqlbase.TypeInteger, gqlbase.TypeRating:
			return "round(" + col + ")::" + pg
		case gqlbase.TypeNumber, gqlbase.TypeDecimal:
			return col + "::" + pg
		case gqlbase.TypeBoolean:
			return "(" + col + " <> 0)"
		case gqlbase.TypeLink:
			if from == gqlbase.TypeInteger {
				return col
			}
		case gqlbase.TypeJSON:
			return "to_jsonb(" + col + ")"
		}
	case from == gqlbase.TypeLink:
		if to == gqlbase.TypeInteger {
			return col
		}
	case from == gqlbase.TypeBoolean:
		switch to {
		case gqlbase.TypeInteger, gqlbase.TypeNumber, gqlbase.TypeDecimal:
			return "(" + col + ")::int::" + pg
		case gqlbase.TypeJSON:
			return "to_jsonb(" + col + ")"
		}
	case from == gqlbase.TypeDate && to == gqlbase.TypeDateTime:
		return "(" + col + ")::timestamp AT TIME ZONE 'UTC'"
	case from == gqlbase.TypeDateTime && to == gqlbase.TypeDate:
		return "(" + col + " AT TIME ZONE 'UTC')::date"
	case from == gqlbase.TypeSelect && to == gqlbase.TypeMultiSelect:
		return "CASE WHEN " + col + " IS NULL THEN NULL ELSE ARRAY[" + col + "] END"
	case from == gqlbase.TypeMultiSelect && to == gqlbase.TypeSelect:
		return col + "[1]" // checked in Go: no row may hold more than one value
	case from == gqlbase.TypeMultiSelect && to == gqlbase.TypeJSON:
		return "to_jsonb(" + col + ")"
	}
	return ""
}

// ChangeColumnType converts a column to another type where a safe conversion exists; values
// that do not convert make the whole change fail with the first offending value named.
func (s *Store) ChangeColumnType(ctx context.Context, columnID int64, ch TypeChange, actor string) (*gqlbase.Column, error) {
	var out *gqlbase.Column
	var tableID int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		t, c, err := lockColumn(ctx, tx, columnID)
		if err != nil {
			return err
		}
		tableID = t.ID
		if err := refuseFrozen(t, "changing a column's type"); err != nil {
			return err
		}
		before := *c
		tbl := plan.Qualified(t.Schema, t.Name)
		col := plan.QuoteIdent(c.Name)
		expr := conversionExpr(c.Type, ch.Type, col)
		if expr == "" {
			return gqlbase.BadInput("there is no safe conversion from %s to %s for column %q", c.Type, ch.Type, c.Name).WithField("type")
		}
		next := *c
		next.Type, next.Options, next.MaxRating, next.LinkTableID = ch.Type, ch.Options, ch.MaxRating, nil
		if ch.Type == gqlbase.TypeLink {
			if ch.LinkTableID == nil {
				return gqlbase.BadInput("a LINK column needs linkTable").WithField("linkTable")
			}
			next.LinkTableID = ch.LinkTableID
		}
		if err := checkConvertible(ctx, tx, t, c, &next); err != nil {
			return err
		}
		// Constraints of the old type go first; those of the new type are added after.
		stmts := []string{
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", tbl, plan.QuoteIdent(fkName(c))),
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", tbl, plan.QuoteIdent(checkName(c))),
			fmt.Sprintf("DROP INDEX IF EXISTS %s", plan.Qualified(t.Schema, indexName(c))),
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tbl, col),
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s", tbl, col, columnTypeDDL(ch.Type), expr),
		}
		next.Default = nil // a default of the old type may not fit the new one
		var target *gqlbase.Table
		if next.Type == gqlbase.TypeLink {
			if target, err = linkTarget(ctx, tx, t.DatabaseID, *next.LinkTableID, t); err != nil {
				return err
			}
		}
		for _, con := range columnConstraints(&next, target) {
			if next.Unique && con == columnConstraints(&gqlbase.Column{ID: next.ID, Name: next.Name, Unique: true}, nil)[0] {
				continue // the unique constraint survives a type change
			}
			stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD %s", tbl, con))
		}
		if ix := columnIndex(t, &next); ix != "" {
			stmts = append(stmts, ix)
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
		if err := writeColumnMeta(ctx, tx, &next); err != nil {
			return err
		}
		out = &next
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: t.WorkspaceID, databaseID: t.DatabaseID, tableID: t.ID,
			kind: gqlbase.EventColumnUpdated, actor: actor, before: columnJSON(&before), after: columnJSON(&next)})
	})
	if err != nil {
		return nil, err
	}
	s.tablesChanged(tableID)
	return out, nil
}

// checkConvertible validates existing values where Postgres' cast would not: text becoming
// an email, URL, phone or select; a multi-select becoming a single select. For selects
// without given options, the distinct values become the options.
func checkConvertible(ctx context.Context, tx *Tx, t *gqlbase.Table, from, to *gqlbase.Column) error {
	ctx, err := tenantIn(ctx, tx, t.DatabaseID)
	if err != nil {
		return err
	}
	tbl := plan.Qualified(t.Schema, t.Name)
	col := plan.QuoteIdent(from.Name)
	if from.Type == gqlbase.TypeMultiSelect && to.Type == gqlbase.TypeSelect {
		var n int64
		if err := tx.GetContext(ctx, &n, fmt.Sprintf("SELECT count(*) FROM %s WHERE cardinality(%s) > 1", tbl, col)); err != nil {
			return fmt.Errorf("check values: %w", err)
		}
		if n > 0 {
			return gqlbase.BadInput("column %q cannot become a single select: %d row(s) hold several values", from.Name, n).WithField("type")
		}
	}
	needsCheck := from.Type.IsText() && to.Type.IsText() && to.Type != gqlbase.TypeText && to.Type != gqlbase.TypeLongText
	isSelect := to.Type == gqlbase.TypeSelect || to.Type == gqlbase.TypeMultiSelect
	if !needsCheck && !isSelect {
		return nil
	}
	var values []string
	q := fmt.Sprintf("SELECT DISTINCT v FROM (SELECT %s::text AS v FROM %s) x WHERE v IS NOT NULL AND v <> '' ORDER BY v LIMIT 10001", col, tbl)
	if from.Type.IsArray() {
		q = fmt.Sprintf("SELECT DISTINCT v FROM %s, unnest(%s) AS v WHERE v IS NOT NULL ORDER BY v LIMIT 10001", tbl, col)
	}
	if err := tx.SelectContext(ctx, &values, q); err != nil {
		return fmt.Errorf("read values: %w", err)
	}
	if isSelect && to.Options == nil {
		if len(values) > 1000 {
			return gqlbase.BadInput("column %q has more than 1000 distinct values: too many to become select options", from.Name).WithField("type")
		}
		for _, v := range values {
			to.Options = append(to.Options, gqlbase.SelectOption{Value: v})
		}
	}
	probe := *to
	probe.Nullable = true
	if probe.Type == gqlbase.TypeMultiSelect {
		probe.Type = gqlbase.TypeSelect
	}
	for _, v := range values {
		if _, err := gqlbase.CoerceValue(&probe, v); err != nil {
			return gqlbase.BadInput("column %q cannot become %s: %s", from.Name, to.Type, errMessage(err)).WithField("type")
		}
	}
	return nil
}
