package gqlbase

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func filterTestTable() *Table {
	t := &Table{Name: "things"}
	for _, typ := range ColumnTypes {
		c := coerceTestColumn(typ)
		c.Nullable = false // filters ignore Nullable
		t.Columns = append(t.Columns, c)
	}
	return t
}

func filterLeaf(column string, op FilterOp, value any) *Filter {
	return &Filter{Column: &column, Op: &op, Value: value}
}

// decodeFilter reads a filter from JSON the way the REST dialects do (UseNumber).
func decodeTestFilter(t *testing.T, s string) *Filter {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var f Filter
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return &f
}

func TestBindFilterErrors(t *testing.T) {
	deep := filterLeaf("c_integer", OpEq, 1)
	for i := 0; i < MaxFilterDepth; i++ {
		deep = &Filter{Not: deep}
	}
	many := &Filter{}
	for i := 0; i <= MaxFilterLeaves; i++ {
		many.Or = append(many.Or, filterLeaf("c_integer", OpEq, i))
	}
	long := make([]any, MaxFilterListLength+1)
	for i := range long {
		long[i] = i
	}
	col := "c_text"
	op := OpEq
	cases := []struct {
		name  string
		f     *Filter
		field string
		want  []string
	}{
		{"unknown column", filterLeaf("nope", OpEq, 1), "nope", []string{"filter:", `unknown column "nope"`}},
		{"unknown column nested", &Filter{And: []*Filter{filterLeaf("c_text", OpEq, "a"), {Or: []*Filter{filterLeaf("x", OpEq, 1)}}}}, "x", []string{"filter.and[1].or[0]:", `unknown column "x"`}},
		{"unknown operator", filterLeaf("c_text", "regex", "a"), "c_text", []string{`column "c_text", operator "regex": unknown operator`}},
		{"mixed node", &Filter{Column: &col, Op: &op, Value: "a", And: []*Filter{}}, "filter", []string{"either a combination", "not both"}},
		{"column without op", &Filter{Column: &col}, "filter", []string{"needs an operator"}},
		{"op without column", &Filter{Op: &op, Value: 1}, "filter", []string{"needs a column"}},
		{"value alone", &Filter{Value: 1}, "filter", []string{"a value without column and op"}},
		{"null child", &Filter{Or: []*Filter{nil}}, "filter", []string{"filter.or[0]: null filter"}},
		{"too deep", deep, "filter", []string{"deeper than 32"}},
		{"too many leaves", many, "filter", []string{"more than 500 comparisons"}},
		{"like on integer", filterLeaf("c_integer", OpLike, "1%"), "c_integer", []string{`operator "like"`, "does not apply to INTEGER columns"}},
		{"ilike on uuid", filterLeaf("c_uuid", OpIlike, "a%"), "c_uuid", []string{"does not apply to UUID columns"}},
		{"starts_with on date", filterLeaf("c_date", OpStartsWith, "2026"), "c_date", []string{"does not apply to DATE columns"}},
		{"lt on json", filterLeaf("c_json", OpLt, 1), "c_json", []string{"does not apply to JSON columns"}},
		{"gt on multi_select", filterLeaf("c_multi_select", OpGt, []any{"a"}), "c_multi_select", []string{"does not apply to MULTI_SELECT columns"}},
		{"in on file", filterLeaf("c_file", OpIn, []any{1}), "c_file", []string{"does not apply to FILE columns"}},
		{"contains on integer", filterLeaf("c_integer", OpContains, 1), "c_integer", []string{"does not apply to INTEGER columns"}},
		{"contains on boolean", filterLeaf("c_boolean", OpContains, true), "c_boolean", []string{"does not apply to BOOLEAN columns"}},
		{"ill-typed value", filterLeaf("c_integer", OpEq, "abc"), "c_integer", []string{`column "c_integer", operator "eq": "abc" is not an integer`}},
		{"fraction for integer", filterLeaf("c_integer", OpGt, 1.5), "c_integer", []string{"1.5 is not an integer"}},
		{"bad date", filterLeaf("c_date", OpLt, "2026-02-30"), "c_date", []string{"is not a date"}},
		{"bad uuid", filterLeaf("c_uuid", OpEq, "xyz"), "c_uuid", []string{"is not a UUID"}},
		{"bad decimal", filterLeaf("c_decimal", OpGte, "1,5"), "c_decimal", []string{"is not a decimal number"}},
		{"bad bool", filterLeaf("c_boolean", OpEq, "yes"), "c_boolean", []string{"is not a boolean"}},
		{"missing value", filterLeaf("c_integer", OpLt, nil), "c_integer", []string{"needs a value"}},
		{"missing like value", filterLeaf("c_text", OpLike, nil), "c_text", []string{"needs a value"}},
		{"is_null without bool", filterLeaf("c_text", OpIsNull, "yes"), "c_text", []string{"is not a boolean (is_null takes true or false)"}},
		{"is_null missing", filterLeaf("c_text", OpIsNull, nil), "c_text", []string{"is_null takes true or false"}},
		{"in not a list", filterLeaf("c_integer", OpIn, 3), "c_integer", []string{"3 is not a list"}},
		{"in too long", filterLeaf("c_integer", OpIn, long), "c_integer", []string{"longer than 1000"}},
		{"in null item", filterLeaf("c_integer", OpNin, []any{1, nil}), "c_integer", []string{"item 1 is null"}},
		{"in bad item", filterLeaf("c_integer", OpIn, []any{1, "x"}), "c_integer", []string{`item 1: "x" is not an integer`}},
		{"like not a string", filterLeaf("c_text", OpLike, 5), "c_text", []string{"5 is not a string"}},
		{"like trailing escape", filterLeaf("c_text", OpLike, `abc\`), "c_text", []string{"ends with an escape character"}},
		{"ilike trailing escape", filterLeaf("c_email", OpIlike, `abc\\\`), "c_email", []string{"ends with an escape character"}},
		{"contains text not a string", filterLeaf("c_text", OpContains, []any{"a"}), "c_text", []string{"a list is not a string"}},
		{"contains multi bad item", filterLeaf("c_multi_select", OpContains, []any{"a", 3}), "c_multi_select", []string{"item 1: 3 is not a string"}},
		{"contains file bad id", filterLeaf("c_file", OpContains, "x"), "c_file", []string{`"x" is not a file id`}},
		{"contains json null", filterLeaf("c_json", OpContains, nil), "c_json", []string{"needs a value"}},
		{"contains json bad", filterLeaf("c_json", OpContains, map[string]any{"a": "\x00"}), "c_json", []string{"NUL"}},
		{"text with NUL", filterLeaf("c_text", OpEq, "a\x00"), "c_text", []string{"NUL"}},
		{"multi eq not a list", filterLeaf("c_multi_select", OpEq, "red"), "c_multi_select", []string{"is not a list of options"}},
		{"system column ill-typed", filterLeaf("created_at", OpGt, "soon"), "created_at", []string{"is not a date-time"}},
	}
	tbl := filterTestTable()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := BindFilter(tc.f, tbl)
			if err == nil {
				t.Fatalf("bound without error: %v", b.Root())
			}
			e, ok := AsError(err)
			if !ok || e.Code != CodeBadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			if e.Field != tc.field {
				t.Errorf("field %q, want %q", e.Field, tc.field)
			}
			if !strings.HasPrefix(e.Message, "filter") {
				t.Errorf("message %q does not start with the filter path", e.Message)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q does not contain %q", e.Message, w)
				}
			}
		})
	}
}

func TestBindFilterLimitsAreInclusive(t *testing.T) {
	tbl := filterTestTable()
	deep := filterLeaf("c_integer", OpEq, 1)
	for i := 1; i < MaxFilterDepth; i++ {
		deep = &Filter{Not: deep}
	}
	if _, err := BindFilter(deep, tbl); err != nil {
		t.Fatalf("depth %d: %v", MaxFilterDepth, err)
	}
	many := &Filter{}
	for i := 0; i < MaxFilterLeaves; i++ {
		many.Or = append(many.Or, filterLeaf("c_integer", OpEq, i))
	}
	if _, err := BindFilter(many, tbl); err != nil {
		t.Fatalf("%d leaves: %v", MaxFilterLeaves, err)
	}
}

func TestBindFilterCanonicalOperands(t *testing.T) {
	tbl := filterTestTable()
	cases := []struct {
		f    *Filter
		op   FilterOp
		want any
	}{
		{filterLeaf("c_text", OpEq, nil), OpIsNull, true},
		{filterLeaf("c_text", OpNeq, nil), OpIsNull, false},
		{decodeTestFilter(t, `{"column":"c_integer","op":"in","value":[1,"2",3.0]}`), OpIn, []int64{1, 2, 3}},
		{decodeTestFilter(t, `{"column":"c_decimal","op":"gt","value":1e3}`), OpGt, "1000"},
		{decodeTestFilter(t, `{"column":"c_number","op":"nin","value":[1,"2.5"]}`), OpNin, []float64{1, 2.5}},
		{decodeTestFilter(t, `{"column":"c_uuid","op":"in","value":["A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"]}`), OpIn, []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}},
		{decodeTestFilter(t, `{"column":"c_datetime","op":"in","value":["2026-01-02T03:04:05+01:00"]}`), OpIn, []time.Time{time.Date(2026, 1, 2, 2, 4, 5, 0, time.UTC)}},
		{decodeTestFilter(t, `{"column":"c_boolean","op":"in","value":[true]}`), OpIn, []bool{true}},
		{filterLeaf("c_select", OpEq, "not-an-option"), OpEq, "not-an-option"},
		{filterLeaf("c_email", OpLt, "m"), OpLt, "m"},
		{filterLeaf("c_rating", OpLt, 100), OpLt, int64(100)},
		{filterLeaf("c_multi_select", OpContains, "x"), OpContains, []string{"x"}},
		{filterLeaf("c_file", OpContains, "7"), OpContains, []int64{7}},
		{filterLeaf("c_file", OpContains, []any{7, 8}), OpContains, []int64{7, 8}},
		{filterLeaf("id", OpEq, "12"), OpEq, int64(12)},
	}
	for _, tc := range cases {
		b, err := BindFilter(tc.f, tbl)
		if err != nil {
			t.Errorf("%s: %v", *tc.f.Column, err)
			continue
		}
		n := b.Root()
		if n.Kind != BoundLeaf || n.Op != tc.op || fmt.Sprintf("%#v", n.Value) != fmt.Sprintf("%#v", tc.want) {
			t.Errorf("%s: bound %v %#v, want %s %#v", *tc.f.Column, n.Op, n.Value, tc.op, tc.want)
		}
	}
}

func TestBindFilterCombinations(t *testing.T) {
	tbl := filterTestTable()
	row := map[string]any{"c_integer": json.Number("5")}
	cases := []struct {
		f    string
		want bool
	}{
		{`{}`, true},
		{`{"and":[]}`, true},
		{`{"or":[]}`, false},
		{`{"not":{"or":[]}}`, true},
		{`{"and":[{"column":"c_integer","op":"eq","value":5}],"or":[]}`, false},
		{`{"and":[{"column":"c_integer","op":"eq","value":5}],"not":{"column":"c_integer","op":"gt","value":9}}`, true},
		{`{"or":[{"column":"c_integer","op":"eq","value":4},{"column":"c_integer","op":"eq","value":5}]}`, true},
	}
	for _, tc := range cases {
		b, err := BindFilter(decodeTestFilter(t, tc.f), tbl)
		if err != nil {
			t.Errorf("%s: %v", tc.f, err)
			continue
		}
		if got := b.Match(row); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", tc.f, got, tc.want)
		}
	}
	var nilFilter *BoundFilter
	if !nilFilter.Match(row) {
		t.Error("a nil BoundFilter must match every row")
	}
	b, err := BindFilter(nil, tbl)
	if err != nil || !b.Match(row) || b.Root().Kind != BoundAnd || len(b.Root().Children) != 0 {
		t.Errorf("nil filter: %v %v", b, err)
	}
}
