// The aggregate functions and group-by keys of Store.Aggregate (history.go).

package storage

import (
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// dateBuckets are the group-by buckets of DATE and DATETIME columns (column:bucket).
var dateBuckets = map[string]bool{"day": true, "week": true, "month": true}

// groupExpr is the SQL of one group-by key: a column, or a date column's bucket
// (column:day|week|month, the bucket's first day as YYYY-MM-DD; DATETIME in UTC).
func groupExpr(t *gqlbase.Table, g string) (string, error) {
	name, bucket, bucketed := strings.Cut(g, ":")
	c := t.Column(name)
	if c == nil {
		return "", gqlbase.BadInput("cannot group by %q: table %q has no such column", name, t.Name).WithField("groupBy")
	}
	expr := "r." + plan.QuoteIdent(c.Name)
	if !bucketed {
		return expr, nil
	}
	if !dateBuckets[bucket] {
		return "", gqlbase.BadInput("cannot group by %q: a bucket is day, week or month", g).WithField("groupBy")
	}
	switch c.Type {
	case gqlbase.TypeDate:
	case gqlbase.TypeDateTime:
		expr = "(" + expr + " AT TIME ZONE 'UTC')"
	default:
		return "", gqlbase.BadInput("cannot group %q by %s: it is %s, not DATE or DATETIME", c.Name, bucket, c.Type).WithField("groupBy")
	}
	// The bucket is a constant of ours, never caller text.
	return "to_char(date_trunc('" + bucket + "', " + expr + "), 'YYYY-MM-DD')", nil
}

// emptyCond is the condition that col (of type c) is empty: null, and for text ”, for lists
// none, for booleans false, for JSON null.
func emptyCond(c *gqlbase.Column, col string) string {
	switch {
	case c.Type.IsArray():
		return "coalesce(cardinality(" + col + "), 0) = 0"
	case c.Type.IsText():
		return "coalesce(" + col + ", '') = ''"
	case c.Type == gqlbase.TypeBoolean:
		return "NOT coalesce(" + col + ", false)"
	case c.Type == gqlbase.TypeJSON:
		return "coalesce(" + col + ", 'null'::jsonb) = 'null'::jsonb"
	}
	return col + " IS NULL"
}

// percentOf is 100 × count / rows, 0 without rows.
func percentOf(count string) string {
	return "coalesce(100.0 * (" + count + ") / nullif(count(*), 0), 0)::float8"
}

func aggregateExpr(t *gqlbase.Table, ag gqlbase.Aggregate) (string, error) {
	if ag.Fn == gqlbase.AggregateFnCount && ag.Column == "" {
		return "count(*)", nil
	}
	c := t.Column(ag.Column)
	if c == nil {
		return "", gqlbase.BadInput("cannot aggregate %q: table %q has no such column", ag.Column, t.Name).WithField("aggregates")
	}
	col := "r." + plan.QuoteIdent(c.Name)
	numeric := func() error {
		if !c.Type.IsNumeric() || c.Type == gqlbase.TypeLink {
			return gqlbase.BadInput("%s needs a number column; %q is %s", ag.Fn, c.Name, c.Type).WithField("aggregates")
		}
		return nil
	}
	boolean := func() error {
		if c.Type != gqlbase.TypeBoolean {
			return gqlbase.BadInput("%s needs a BOOLEAN column; %q is %s", ag.Fn, c.Name, c.Type).WithField("aggregates")
		}
		return nil
	}
	empty := "count(*) FILTER (WHERE " + emptyCond(c, col) + ")"
	notEmpty := "count(*) FILTER (WHERE NOT (" + emptyCond(c, col) + "))"
	unique := "count(DISTINCT " + col + ") FILTER (WHERE NOT (" + emptyCond(c, col) + "))"
	if c.Type == gqlbase.TypeJSON || c.Type.IsArray() {
		unique = "count(DISTINCT " + col + "::text) FILTER (WHERE NOT (" + emptyCond(c, col) + "))"
	}
	checked := "count(*) FILTER (WHERE " + col + ")"
	notChecked := "count(*) FILTER (WHERE NOT coalesce(" + col + ", false))"
	switch ag.Fn {
	case gqlbase.AggregateFnCount:
		return "count(" + col + ")", nil
	case gqlbase.AggregateFnCountDistinct:
		return "count(DISTINCT " + col + ")", nil
	case gqlbase.AggregateFnSum, gqlbase.AggregateFnAvg:
		if err := numeric(); err != nil {
			return "", err
		}
		fn := "sum"
		if ag.Fn == gqlbase.AggregateFnAvg {
			fn = "avg"
		}
		return fn + "(" + col + ")", nil
	case gqlbase.AggregateFnMin, gqlbase.AggregateFnMax:
		if c.Type.IsArray() || c.Type == gqlbase.TypeJSON || c.Type == gqlbase.TypeBoolean {
			return "", gqlbase.BadInput("%s cannot be computed over %s column %q", ag.Fn, c.Type, c.Name).WithField("aggregates")
		}
		fn := "min"
		if ag.Fn == gqlbase.AggregateFnMax {
			fn = "max"
		}
		return fn + "(" + col + ")", nil
	case gqlbase.AggregateFnMedian:
		if err := numeric(); err != nil {
			return "", err
		}
		return "percentile_cont(0.5) WITHIN GROUP (ORDER BY " + col + "::float8)", nil
	case gqlbase.AggregateFnStddev, gqlbase.AggregateFnVariance:
		if err := numeric(); err != nil {
			return "", err
		}
		fn := "stddev_samp"
		if ag.Fn == gqlbase.AggregateFnVariance {
			fn = "var_samp"
		}
		return fn + "(" + col + "::float8)", nil
	case gqlbase.AggregateFnEmpty:
		return empty, nil
	case gqlbase.AggregateFnNotEmpty:
		return notEmpty, nil
	case gqlbase.AggregateFnUnique:
		return unique, nil
	case gqlbase.AggregateFnEmptyPct:
		return percentOf(empty), nil
	case gqlbase.AggregateFnNotEmptyPct:
		return percentOf(notEmpty), nil
	case gqlbase.AggregateFnUniquePct:
		return percentOf(unique), nil
	case gqlbase.AggregateFnChecked, gqlbase.AggregateFnNotChecked, gqlbase.AggregateFnCheckedPct, gqlbase.AggregateFnNotCheckedPct:
		if err := boolean(); err != nil {
			return "", err
		}
		switch ag.Fn {
		case gqlbase.AggregateFnChecked:
			return checked, nil
		case gqlbase.AggregateFnNotChecked:
			return notChecked, nil
		case gqlbase.AggregateFnCheckedPct:
			return percentOf(checked), nil
		}
		return percentOf(notChecked), nil
	}
	return "", gqlbase.BadInput("unknown aggregate %q", ag.Fn).WithField("aggregates")
}
