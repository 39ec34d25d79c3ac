package resolvers

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
)

// The rows of a view: its filter and sorts applied, further filters on top; a kanban's
// groups by its select column; a calendar's or timeline's days by its date columns.

const (
	maxKanbanPerGroup = 100
	maxBucketDays     = 366
	maxBucketRows     = 1000
)

// combine is the filter of a view's rows with more conditions on top.
func combine(view, extra *gqlbase.Filter) *gqlbase.Filter {
	switch {
	case view == nil:
		return extra
	case extra == nil:
		return view
	}
	return &gqlbase.Filter{And: []*gqlbase.Filter{view, extra}}
}

func viewSorts(v *gqlbase.View) []*gqlbase.Sort {
	out := make([]*gqlbase.Sort, len(v.Sorts))
	for i := range v.Sorts {
		out[i] = &v.Sorts[i]
	}
	return out
}

// ViewRows lists the rows of a view: the view's filter AND p.Where, ordered by p.OrderBy
// when given and by the view's sorts otherwise; paging as in ListRows.
func (r *Resolver) ViewRows(ctx context.Context, viewID int64, p gqlbase.ListParams) (*gqlbase.RowConnection, error) {
	v, t, err := r.viewFor(ctx, viewID, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	p.Where = combine(v.Filter, p.Where)
	if len(p.OrderBy) == 0 {
		p.OrderBy = viewSorts(v)
	}
	return r.ListRows(ctx, t, p)
}

// ViewGroups are a kanban view's columns: one group per option of its select column, in the
// options' order, then the rows without a value; each with its count and its first perGroup
// rows (default 20, at most 100) in the view's order.
func (r *Resolver) ViewGroups(ctx context.Context, viewID int64, where *gqlbase.Filter, perGroup *int) ([]*gqlbase.ViewGroup, error) {
	v, t, err := r.viewFor(ctx, viewID, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	if v.Type != gqlbase.ViewKanban || v.GroupColumn == nil {
		return nil, gqlbase.BadInput("view %d is a %s view; only a kanban view has groups", v.ID, v.Type).WithField("view")
	}
	col := t.UserColumn(*v.GroupColumn)
	if col == nil {
		return nil, gqlbase.BadInput("the group column %q of view %d no longer exists", *v.GroupColumn, v.ID)
	}
	n := 20
	if perGroup != nil {
		if *perGroup < 0 || *perGroup > maxKanbanPerGroup {
			return nil, gqlbase.BadInput("perGroup is between 0 and %d", maxKanbanPerGroup).WithField("perGroup")
		}
		n = *perGroup
	}
	base := combine(v.Filter, where)
	values := make([]any, 0, len(col.Options)+1)
	for _, o := range col.Options {
		values = append(values, o.Value)
	}
	values = append(values, nil)
	groups := make([]*gqlbase.ViewGroup, 0, len(values))
	for _, value := range values {
		name := col.Name
		leaf := &gqlbase.Filter{Column: &name}
		if value == nil {
			op, yes := gqlbase.OpIsNull, true
			leaf.Op, leaf.Value = &op, yes
		} else {
			op := gqlbase.OpEq
			leaf.Op, leaf.Value = &op, value
		}
		conn, err := r.ListRows(ctx, t, gqlbase.ListParams{Where: combine(base, leaf), OrderBy: viewSorts(v), First: &n})
		if err != nil {
			return nil, err
		}
		count, err := conn.Count(ctx)
		if err != nil {
			return nil, err
		}
		groups = append(groups, &gqlbase.ViewGroup{Value: value, Count: count, Rows: conn.Nodes})
	}
	return groups, nil
}

// ViewBuckets are the days from from to to (inclusive, at most 366) of a calendar or
// timeline view, each with the rows that fall on it: a calendar's row on the day of its date
// column, a timeline's on every day from its date column to its end date column (or only its
// start day without one). At most 1000 rows are placed, in the view's order.
func (r *Resolver) ViewBuckets(ctx context.Context, viewID int64, from, to string, where *gqlbase.Filter) ([]*gqlbase.ViewBucket, error) {
	v, t, err := r.viewFor(ctx, viewID, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	if (v.Type != gqlbase.ViewCalendar && v.Type != gqlbase.ViewTimeline) || v.DateColumn == nil {
		return nil, gqlbase.BadInput("view %d is a %s view; only calendar and timeline views have days", v.ID, v.Type).WithField("view")
	}
	start, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, gqlbase.BadInput("from must be a date (YYYY-MM-DD)").WithField("from")
	}
	end, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, gqlbase.BadInput("to must be a date (YYYY-MM-DD)").WithField("to")
	}
	days := int(end.Sub(start).Hours()/24) + 1
	if days < 1 || days > maxBucketDays {
		return nil, gqlbase.BadInput("from must not be after to, and the range is at most %d days", maxBucketDays).WithField("to")
	}
	startCol, endCol := *v.DateColumn, *v.DateColumn
	if v.Type == gqlbase.ViewTimeline && v.EndDateColumn != nil {
		endCol = *v.EndDateColumn
	}
	after := end.AddDate(0, 0, 1).Format(time.DateOnly)
	lt, gte, isNull := gqlbase.OpLt, gqlbase.OpGte, gqlbase.OpIsNull
	// Rows that begin before the range ends and end (or begin, without an end) in it or later.
	inRange := &gqlbase.Filter{And: []*gqlbase.Filter{
		{Column: &startCol, Op: &lt, Value: after},
		{Or: []*gqlbase.Filter{
			{Column: &endCol, Op: &gte, Value: from},
			{And: []*gqlbase.Filter{{Column: &endCol, Op: &isNull, Value: true}, {Column: &startCol, Op: &gte, Value: from}}},
		}},
	}}
	limit := maxBucketRows
	conn, err := r.ListRows(ctx, t, gqlbase.ListParams{Where: combine(combine(v.Filter, where), inRange), OrderBy: viewSorts(v), First: &limit})
	if err != nil {
		return nil, err
	}
	buckets := make([]*gqlbase.ViewBucket, days)
	for i := range buckets {
		buckets[i] = &gqlbase.ViewBucket{Day: start.AddDate(0, 0, i).Format(time.DateOnly), Rows: []*gqlbase.Row{}}
	}
	for _, row := range conn.Nodes {
		var data map[string]json.RawMessage
		if err := json.Unmarshal(row.Data, &data); err != nil {
			return nil, err
		}
		first, ok := dayOf(data[startCol])
		if !ok {
			continue
		}
		last := first
		if endCol != startCol {
			if d, ok := dayOf(data[endCol]); ok && !d.Before(first) {
				last = d
			}
		}
		for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
			i := int(d.Sub(start).Hours() / 24)
			if i >= 0 && i < days {
				buckets[i].Rows = append(buckets[i].Rows, row)
			}
		}
	}
	return buckets, nil
}

// dayOf is the calendar day of a DATE or DATETIME value as JSON ("2026-03-01" or an RFC 3339
// time, whose date part is taken as written).
func dayOf(raw json.RawMessage) (time.Time, bool) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil || len(s) < 10 {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s[:10]))
	return d, err == nil
}
