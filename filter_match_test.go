package gqlbase

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestLikeMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"a%", "a", true},
		{"a%", "abc", true},
		{"%c", "abc", true},
		{"%b%", "abc", true},
		{"%b%", "ac", false},
		{"a_c", "abc", true},
		{"a_c", "ac", false},
		{"a_c", "aéc", true}, // _ is one character, not one byte
		{"_", "🍎", true},
		{"__", "🍎", false},
		{`a\%`, "a%", true},
		{`a\%`, "ab", false},
		{`a\_`, "a_", true},
		{`a\_`, "ab", false},
		{`a\\`, `a\`, true},
		{`\a\b`, "ab", true},
		{"%a%a%a%", "banana", true},
		{"%a%a%a%a%", "banana", false},
		{"%%%", "", true},
		{"", "", true},
		{"", "x", false},
		{"%_%_", "ab", true},
		{"%_%_", "a", false},
		{"b%n_n%", "banana", true},
	}
	for _, tc := range cases {
		toks, ok := compileLike(tc.pattern)
		if !ok {
			t.Errorf("%q: does not compile", tc.pattern)
			continue
		}
		if got := likeMatch(toks, tc.s); got != tc.want {
			t.Errorf("%q LIKE %q = %v, want %v", tc.s, tc.pattern, got, tc.want)
		}
	}
	if _, ok := compileLike(`abc\`); ok {
		t.Error("a trailing escape must not compile")
	}
	// A pathological pattern finishes quickly (no exponential backtracking).
	toks, _ := compileLike(strings.Repeat("%a", 50) + "b")
	start := time.Now()
	if likeMatch(toks, strings.Repeat("a", 5000)) {
		t.Error("pathological pattern matched")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("pathological pattern took %v", d)
	}
}

func mustBindFilter(t *testing.T, f *Filter) *BoundFilter {
	t.Helper()
	b, err := BindFilter(f, filterTestTable())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Match accepts the canonical Go values of CoerceValue as well as decoded JSON.
func TestMatchCanonicalGoRow(t *testing.T) {
	row := map[string]any{
		"c_integer":      int64(7),
		"c_number":       2.5,
		"c_decimal":      "12.50",
		"c_datetime":     time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC),
		"c_date":         "2026-01-02",
		"c_multi_select": []string{"red", "blue"},
		"c_file":         []int64{4, 5},
		"c_json":         map[string]any{"a": []any{1, 2.5}},
		"c_uuid":         "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
		"c_boolean":      true,
	}
	cases := []struct {
		f    *Filter
		want bool
	}{
		{filterLeaf("c_integer", OpEq, json.Number("7")), true},
		{filterLeaf("c_number", OpGt, "2.4"), true},
		{filterLeaf("c_decimal", OpEq, json.Number("12.5")), true},
		{filterLeaf("c_decimal", OpLt, "12.500001"), true},
		{filterLeaf("c_datetime", OpEq, "2026-01-02T05:04:05.123456+02:00"), true},
		{filterLeaf("c_datetime", OpLt, "2026-01-02T03:04:05.123457Z"), true},
		{filterLeaf("c_date", OpGte, "2026-01-02"), true},
		{filterLeaf("c_multi_select", OpContains, "blue"), true},
		{filterLeaf("c_multi_select", OpEq, []any{"blue", "red"}), false},
		{filterLeaf("c_file", OpContains, []any{5, 4}), true},
		{filterLeaf("c_json", OpContains, map[string]any{"a": []any{json.Number("2.50")}}), true},
		{filterLeaf("c_json", OpEq, map[string]any{"a": []any{json.Number("1.0"), json.Number("2.5")}}), true},
		{filterLeaf("c_uuid", OpEq, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), true},
		{filterLeaf("c_boolean", OpGt, false), true},
		{filterLeaf("c_text", OpNeq, "x"), true}, // missing column is null: neq holds
		{filterLeaf("c_text", OpEq, "x"), false}, // ... eq does not
		{filterLeaf("c_text", OpNin, []any{}), true},
		{filterLeaf("c_text", OpIn, []any{"x"}), false},
		{&Filter{Not: filterLeaf("c_text", OpLike, "%")}, true},
	}
	for _, tc := range cases {
		b := mustBindFilter(t, tc.f)
		if got := b.Match(row); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", b.Root(), got, tc.want)
		}
	}
}

// Row values as Postgres' to_jsonb writes them, including values only raw SQL can store.
func TestMatchPostgresJSONForms(t *testing.T) {
	row := map[string]any{
		"c_datetime": "0044-03-15T12:00:00.5+00:00 BC",
		"c_date":     "infinity",
		"c_number":   "NaN",
		"c_decimal":  "-Infinity",
		"created_at": "2026-01-02T08:34:05.000001+05:30",
		"c_json":     nil,
	}
	cases := []struct {
		f    *Filter
		want bool
	}{
		{filterLeaf("c_datetime", OpLt, "0001-01-01T00:00:00Z"), true},
		{filterLeaf("c_date", OpGt, "9999-12-31"), true},
		{filterLeaf("c_number", OpGt, 1e308), true}, // NaN sorts after every number
		{filterLeaf("c_number", OpEq, 1), false},
		{filterLeaf("c_decimal", OpLt, "-1e999"), true},
		{filterLeaf("created_at", OpEq, "2026-01-02T03:04:05.000001Z"), true},
		{filterLeaf("c_json", OpIsNull, true), true},
	}
	for _, tc := range cases {
		b := mustBindFilter(t, tc.f)
		if got := b.Match(row); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", b.Root(), got, tc.want)
		}
	}
	if readFloat("Infinity") != math.Inf(1) || readFloat("-Infinity") != math.Inf(-1) {
		t.Error("float infinities not read")
	}
}

// One bound filter serves many subscriptions at once: Match must be safe for concurrent use.
func TestMatchConcurrent(t *testing.T) {
	b := mustBindFilter(t, decodeTestFilter(t, `{"or":[{"column":"c_decimal","op":"gt","value":"1.5"},
		{"column":"c_json","op":"contains","value":{"a":[1]}},{"column":"c_text","op":"ilike","value":"a%"}]}`))
	rows := []map[string]any{
		{"c_decimal": json.Number("2")},
		{"c_json": map[string]any{"a": []any{json.Number("1.0")}}},
		{"c_text": "Abc"},
		{"c_decimal": json.Number("1"), "c_text": "b"},
	}
	want := []bool{true, true, true, false}
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			ok := true
			for i := 0; i < 200; i++ {
				for k, r := range rows {
					if b.Match(r) != want[k] {
						ok = false
					}
				}
			}
			done <- ok
		}()
	}
	for g := 0; g < 8; g++ {
		if !<-done {
			t.Error("concurrent Match gave a wrong answer")
		}
	}
}
