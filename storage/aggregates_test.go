package storage_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMoreAggregatesAndDateBuckets(t *testing.T) {
	ctx := context.Background()
	st, db := pgtest.NewTenant(t)
	tb, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "sales", Columns: []*gqlbase.Column{
		{Name: "n", Type: gqlbase.TypeNumber, Nullable: true},
		{Name: "note", Type: gqlbase.TypeText, Nullable: true},
		{Name: "done", Type: gqlbase.TypeBoolean, Nullable: true},
		{Name: "day", Type: gqlbase.TypeDate, Nullable: true},
	}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.InsertRows(ctx, tb, []map[string]any{
		{"n": 1, "note": "a", "done": true, "day": "2026-01-05"},
		{"n": 2, "note": "", "done": false, "day": "2026-01-06"},
		{"n": 3, "note": "a", "done": true, "day": "2026-01-12"},
		{"n": 10, "note": nil, "done": nil, "day": "2026-02-01"},
	}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	fns := []gqlbase.AggregateFn{gqlbase.AggregateFnMedian, gqlbase.AggregateFnVariance, gqlbase.AggregateFnEmpty,
		gqlbase.AggregateFnNotEmpty, gqlbase.AggregateFnUnique, gqlbase.AggregateFnEmptyPct, gqlbase.AggregateFnUniquePct}
	var aggs []gqlbase.Aggregate
	for _, fn := range fns {
		col := "note"
		if fn == gqlbase.AggregateFnMedian || fn == gqlbase.AggregateFnVariance {
			col = "n"
		}
		aggs = append(aggs, gqlbase.Aggregate{Fn: fn, Column: col, Alias: string(fn)})
	}
	aggs = append(aggs, gqlbase.Aggregate{Fn: gqlbase.AggregateFnChecked, Column: "done", Alias: "checked"},
		gqlbase.Aggregate{Fn: gqlbase.AggregateFnNotCheckedPct, Column: "done", Alias: "not_checked_pct"},
		gqlbase.Aggregate{Fn: gqlbase.AggregateFnStddev, Column: "n", Alias: "sd"})
	groups, err := st.Aggregate(ctx, tb, storage.RowQuery{}, nil, aggs)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(groups[0].Values, &got); err != nil {
		t.Fatalf("%s: %v", groups[0].Values, err)
	}
	// n: 1 2 3 10 → median 2.5, variance (sample) 16.6667; note: "a" "" "a" null → 2 empty,
	// 2 not empty, 1 unique (50%, 25%); done: true false true null → 2 checked, 50% not.
	want := map[string]float64{"MEDIAN": 2.5, "EMPTY_COUNT": 2, "NOT_EMPTY_COUNT": 2, "UNIQUE_COUNT": 1,
		"EMPTY_PERCENT": 50, "UNIQUE_PERCENT": 25, "checked": 2, "not_checked_pct": 50}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %s)", k, got[k], v, groups[0].Values)
		}
	}
	if v := got["VARIANCE"]; v < 16.66 || v > 16.67 {
		t.Errorf("variance %v", v)
	}
	if v := got["sd"]; v*v < 16.66 || v*v > 16.67 {
		t.Errorf("stddev %v", v)
	}

	// Weeks start on Monday: 2026-01-05 and -06 are one week, -12 the next, 02-01 (a Sunday)
	// the week of 2026-01-26.
	groups, err = st.Aggregate(ctx, tb, storage.RowQuery{}, []string{"day:week"}, []gqlbase.Aggregate{{Fn: gqlbase.AggregateFnCount, Alias: "count"}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, g := range groups {
		keys = append(keys, string(g.Key)+string(g.Values))
	}
	wantKeys := []string{`{"day:week" : "2026-01-05"}{"count" : 2}`, `{"day:week" : "2026-01-12"}{"count" : 1}`, `{"day:week" : "2026-01-26"}{"count" : 1}`}
	if len(keys) != 3 || keys[0] != wantKeys[0] || keys[1] != wantKeys[1] || keys[2] != wantKeys[2] {
		t.Errorf("weeks: %q", keys)
	}
	groups, err = st.Aggregate(ctx, tb, storage.RowQuery{}, []string{"day:month"}, []gqlbase.Aggregate{{Fn: gqlbase.AggregateFnCount, Alias: "count"}})
	if err != nil || len(groups) != 2 {
		t.Fatalf("months: %v %v", groups, err)
	}

	refused := []struct {
		groupBy []string
		agg     gqlbase.Aggregate
	}{
		{nil, gqlbase.Aggregate{Fn: gqlbase.AggregateFnMedian, Column: "note", Alias: "x"}},
		{nil, gqlbase.Aggregate{Fn: gqlbase.AggregateFnChecked, Column: "n", Alias: "x"}},
		{[]string{"note:week"}, gqlbase.Aggregate{Fn: gqlbase.AggregateFnCount, Alias: "x"}},
		{[]string{"day:year"}, gqlbase.Aggregate{Fn: gqlbase.AggregateFnCount, Alias: "x"}},
	}
	for _, r := range refused {
		if _, err := st.Aggregate(ctx, tb, storage.RowQuery{}, r.groupBy, []gqlbase.Aggregate{r.agg}); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%v %v: %v, want BAD_USER_INPUT", r.groupBy, r.agg.Fn, err)
		}
	}
}
