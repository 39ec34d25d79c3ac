package gqlbase

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func coerceTestColumn(t ColumnType) *Column {
	return &Column{Name: "c_" + strings.ToLower(string(t)), Type: t, Nullable: true,
		Options: []SelectOption{{Value: "red"}, {Value: "green"}, {Value: "blue"}}}
}

func TestCoerceValueAcceptsAndCanonicalises(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	cases := []struct {
		typ  ColumnType
		in   any
		want any
	}{
		{TypeText, "héllo wörld", "héllo wörld"},
		{TypeText, "", ""},
		{TypeText, strings.Repeat("é", MaxTextLength), strings.Repeat("é", MaxTextLength)},
		{TypeLongText, strings.Repeat("x", MaxTextLength+1), strings.Repeat("x", MaxTextLength+1)},
		{TypeEmail, "Ann.Lee+tag@Example.co.uk", "Ann.Lee+tag@Example.co.uk"},
		{TypeEmail, "jörg@bücher.de", "jörg@bücher.de"},
		{TypeURL, "https://example.com/a?b=c#d", "https://example.com/a?b=c#d"},
		{TypeURL, "http://localhost:8080", "http://localhost:8080"},
		{TypeURL, "mailto:ann@example.com", "mailto:ann@example.com"},
		{TypePhone, "+1 (555) 010-9999 x12", "+1 (555) 010-9999 x12"},
		{TypePhone, "112", "112"},
		{TypeSelect, "green", "green"},
		{TypeInteger, json.Number("42"), int64(42)},
		{TypeInteger, json.Number("-9223372036854775808"), int64(math.MinInt64)},
		{TypeInteger, json.Number("12.0"), int64(12)},
		{TypeInteger, json.Number("1e3"), int64(1000)},
		{TypeInteger, "123", int64(123)},
		{TypeInteger, "-7", int64(-7)},
		{TypeInteger, 5, int64(5)},
		{TypeInteger, int64(6), int64(6)},
		{TypeInteger, float64(7), int64(7)},
		{TypeLink, json.Number("9"), int64(9)},
		{TypeLink, "10", int64(10)},
		{TypeRating, json.Number("0"), int64(0)},
		{TypeRating, json.Number("5"), int64(5)},
		{TypeNumber, json.Number("0.1"), 0.1},
		{TypeNumber, json.Number("-1.5e300"), -1.5e300},
		{TypeNumber, "2.5", 2.5},
		{TypeNumber, 3, 3.0},
		{TypeNumber, 4.25, 4.25},
		{TypeDecimal, "12.50", "12.50"},
		{TypeDecimal, json.Number("12.50"), "12.50"},
		{TypeDecimal, json.Number("0.10"), "0.10"},
		{TypeDecimal, json.Number("1e3"), "1000"},
		{TypeDecimal, "1.50e1", "15.0"},
		{TypeDecimal, "1.5e-3", "0.0015"},
		{TypeDecimal, ".5", "0.5"},
		{TypeDecimal, "007.20", "7.20"},
		{TypeDecimal, "-0.00", "0.00"},
		{TypeDecimal, "+3", "3"},
		{TypeDecimal, 0.1, "0.1"},
		{TypeDecimal, 42, "42"},
		{TypeDecimal, "123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"},
		{TypeBoolean, true, true},
		{TypeBoolean, false, false},
		{TypeDate, "2024-02-29", "2024-02-29"},
		{TypeDate, "0001-01-01", "0001-01-01"},
		{TypeDateTime, "2026-01-02T03:04:05Z", utc("2026-01-02T03:04:05Z")},
		{TypeDateTime, "2026-01-02T03:04:05.123456789+02:00", utc("2026-01-02T01:04:05.123457Z")},
		{TypeDateTime, "2026-01-02T03:04:05.5", utc("2026-01-02T03:04:05.5Z")},
		{TypeDateTime, "2026-01-02 03:04:05", utc("2026-01-02T03:04:05Z")},
		{TypeDateTime, "2026-01-02t03:04:05z", utc("2026-01-02T03:04:05Z")},
		{TypeDateTime, "2026-01-02", utc("2026-01-02T00:00:00Z")},
		{TypeDateTime, time.Date(2026, 1, 2, 3, 4, 5, 999, time.FixedZone("x", 3600)), utc("2026-01-02T02:04:05.000001Z")},
		{TypeJSON, map[string]any{"a": []any{json.Number("1"), "x", nil, true}}, map[string]any{"a": []any{json.Number("1"), "x", nil, true}}},
		{TypeJSON, 0.1, json.Number("0.1")},
		{TypeJSON, 3, json.Number("3")},
		{TypeJSON, "text", "text"},
		{TypeJSON, []any{}, []any{}},
		{TypeUUID, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{TypeUUID, "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{TypeMultiSelect, []any{"blue", "red", "blue"}, []string{"blue", "red"}},
		{TypeMultiSelect, []any{}, []string{}},
		{TypeMultiSelect, []string{"green"}, []string{"green"}},
		{TypeFile, []any{json.Number("3"), "4", 5}, []int64{3, 4, 5}},
		{TypeFile, []any{}, []int64{}},
	}
	for _, tc := range cases {
		c := coerceTestColumn(tc.typ)
		got, err := CoerceValue(c, tc.in)
		if err != nil {
			t.Errorf("%s %#v: unexpected error %v", tc.typ, tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %#v: got %#v (%T), want %#v (%T)", tc.typ, tc.in, got, got, tc.want, tc.want)
		}
	}
}

func TestCoerceValueRatingScale(t *testing.T) {
	c := &Column{Name: "stars", Type: TypeRating, MaxRating: 10}
	if got, err := CoerceValue(c, json.Number("10")); err != nil || got != int64(10) {
		t.Fatalf("10 on a 10-star scale: %v %v", got, err)
	}
	if _, err := CoerceValue(c, json.Number("11")); err == nil {
		t.Fatal("11 on a 10-star scale was accepted")
	}
	c.MaxRating = 0 // default scale of 5
	if _, err := CoerceValue(c, json.Number("6")); err == nil || !strings.Contains(err.Error(), "from 0 to 5") {
		t.Fatalf("6 on the default scale: %v", err)
	}
}

func TestCoerceValueNull(t *testing.T) {
	for _, typ := range ColumnTypes {
		c := coerceTestColumn(typ)
		if got, err := CoerceValue(c, nil); err != nil || got != nil {
			t.Errorf("%s nullable: null gave %v, %v", typ, got, err)
		}
		c.Nullable = false
		_, err := CoerceValue(c, nil)
		e, ok := AsError(err)
		if !ok || e.Code != CodeBadUserInput || e.Field != c.Name || !strings.Contains(e.Message, "not nullable") {
			t.Errorf("%s not nullable: null gave %v", typ, err)
		}
	}
}

func TestCoerceValueRejects(t *testing.T) {
	huge := strings.Repeat("a", 2_000_000)
	cases := []struct {
		typ  ColumnType
		in   any
		want string // part of the message
	}{
		{TypeText, 12, "12 is not a string"},
		{TypeText, true, "true is not a string"},
		{TypeText, "a\x00b", "NUL"},
		{TypeText, "bad \xff utf8", "not valid UTF-8"},
		{TypeText, strings.Repeat("é", MaxTextLength+1), "longer than 10000"},
		{TypeLongText, huge, "longer than 1000000"},
		{TypeText, []any{"a"}, "a list is not a string"},
		{TypeEmail, "no-at-sign", "is not an email address"},
		{TypeEmail, "a@b", "is not an email address"},
		{TypeEmail, "a b@example.com", "is not an email address"},
		{TypeEmail, "a@-example.com", "is not an email address"},
		{TypeEmail, "a..b@example.com", "is not an email address"},
		{TypeEmail, "@example.com", "is not an email address"},
		{TypeURL, "example.com/path", "absolute URL"},
		{TypeURL, "https://", "no host"},
		{TypeURL, "https:///path", "no host"},
		{TypeURL, "javascript:alert(1)", "refused"},
		{TypeURL, "https://exa mple.com", "spaces"},
		{TypePhone, "12", "is not a phone number"},
		{TypePhone, "call me", "is not a phone number"},
		{TypePhone, "+-()", "is not a phone number"},
		{TypePhone, strings.Repeat("1", 33), "is not a phone number"},
		{TypeSelect, "purple", `"purple" is not one of the options ("red", "green", "blue")`},
		{TypeSelect, 3, "is not a string"},
		{TypeInteger, "abc", `"abc" is not an integer`},
		{TypeInteger, json.Number("1.5"), "it has a fraction"},
		{TypeInteger, 1.5, "1.5 is not an integer"},
		{TypeInteger, "1.0", `"1.0" is not an integer`},
		{TypeInteger, json.Number("9223372036854775808"), "out of range"},
		{TypeInteger, "99999999999999999999", "out of range"},
		{TypeInteger, 1e19, "out of range"},
		{TypeInteger, json.Number("1e5000"), "out of range"},
		{TypeInteger, true, "true is not an integer"},
		{TypeInteger, math.NaN(), "is not an integer"},
		{TypeLink, json.Number("0"), "ids are positive"},
		{TypeLink, "-4", "ids are positive"},
		{TypeRating, json.Number("6"), "from 0 to 5"},
		{TypeRating, json.Number("-1"), "from 0 to 5"},
		{TypeRating, json.Number("2.5"), "fraction"},
		{TypeNumber, "abc", `"abc" is not a number`},
		{TypeNumber, "NaN", "is not a number"},
		{TypeNumber, "Infinity", "is not a number"},
		{TypeNumber, math.Inf(1), "not a finite number"},
		{TypeNumber, math.NaN(), "not a finite number"},
		{TypeNumber, json.Number("1e400"), "out of range"},
		{TypeNumber, false, "is not a number"},
		{TypeDecimal, "12,5", "is not a decimal number"},
		{TypeDecimal, "NaN", "is not a decimal number"},
		{TypeDecimal, "Infinity", "is not a decimal number"},
		{TypeDecimal, math.Inf(-1), "is not a decimal number"},
		{TypeDecimal, "1e1001", "digits before the point"},
		{TypeDecimal, "1e-1001", "digits after the point"},
		{TypeDecimal, "1e99999999", "exponent out of range"},
		{TypeDecimal, "", "is not a decimal number"},
		{TypeBoolean, "true", `"true" is not a boolean`},
		{TypeBoolean, json.Number("1"), "is not a boolean"},
		{TypeDate, "2023-02-29", "valid calendar date"},
		{TypeDate, "2023-13-01", "valid calendar date"},
		{TypeDate, "0000-01-01", "valid calendar date"},
		{TypeDate, "2023-1-01", "is not a date"},
		{TypeDate, "2023-01-01T00:00:00Z", "is not a date"},
		{TypeDate, 20230101, "is not a date"},
		{TypeDateTime, "2026-01-02T25:00:00Z", "is not a date-time"},
		{TypeDateTime, "2026-01-02T03:04:60Z", "is not a date-time"},
		{TypeDateTime, "2026-01-02T03:04Z", "is not a date-time"},
		{TypeDateTime, "2026-01-02T03:04:05+0200", "is not a date-time"},
		{TypeDateTime, "yesterday", "is not a date-time"},
		{TypeDateTime, "2026-01-02T03:04:05.1234567890Z", "is not a date-time"},
		{TypeDateTime, "0001-01-01T00:00:00+01:00", "between years 1 and 9999"},
		{TypeDateTime, json.Number("1700000000"), "is not a date-time"},
		{TypeJSON, map[string]any{"a\x00": 1}, "JSON key"},
		{TypeJSON, []any{"bad\x00"}, "NUL"},
		{TypeJSON, json.Number("01"), "is not a JSON number"},
		{TypeJSON, math.NaN(), "is not a JSON value"},
		{TypeJSON, []any{json.Number("1e5000")}, "digits before the point"},
		{TypeJSON, time.Now(), "not a JSON value"},
		{TypeJSON, struct{}{}, "is not a JSON value"},
		{TypeUUID, "not-a-uuid", "is not a UUID"},
		{TypeUUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "is not a UUID"},
		{TypeUUID, "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11", "is not a UUID"},
		{TypeUUID, 5, "is not a UUID"},
		{TypeMultiSelect, "red", "is not a list of options"},
		{TypeMultiSelect, []any{"red", "pink"}, `item 1: "pink" is not one of the options`},
		{TypeMultiSelect, []any{"red", 4}, "item 1: 4 is not a string"},
		{TypeMultiSelect, make([]any, MaxListLength+1), "longer than 1000"},
		{TypeFile, json.Number("3"), "is not a list of file ids"},
		{TypeFile, []any{"x"}, `item 0: "x" is not a file id`},
		{TypeFile, []any{json.Number("0")}, "ids are positive"},
		{TypeFile, []any{json.Number("1.5")}, "fraction"},
	}
	for _, tc := range cases {
		c := coerceTestColumn(tc.typ)
		got, err := CoerceValue(c, tc.in)
		if err == nil {
			t.Errorf("%s %.60q: accepted as %#v, want an error containing %q", tc.typ, quoteInput(tc.in), got, tc.want)
			continue
		}
		e, ok := AsError(err)
		if !ok || e.Code != CodeBadUserInput || e.Field != c.Name {
			t.Errorf("%s %.60q: error %#v is not BAD_USER_INPUT on field %q", tc.typ, quoteInput(tc.in), err, c.Name)
			continue
		}
		if !strings.HasPrefix(e.Message, `column "`+c.Name+`": `) || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: message %q does not name the column and contain %q", tc.typ, e.Message, tc.want)
		}
		if len(e.Message) > 300 {
			t.Errorf("%s: message of %d bytes echoes too much input", tc.typ, len(e.Message))
		}
	}
}

func TestCoerceValueMessageExample(t *testing.T) {
	_, err := CoerceValue(&Column{Name: "age", Type: TypeInteger}, "abc")
	if err == nil || err.Error() != `column "age": "abc" is not an integer` {
		t.Fatalf("got %v", err)
	}
	_, err = CoerceValue(&Column{Name: "age", Type: TypeInteger}, strings.Repeat("x", 1000))
	if err == nil || len(err.Error()) > 100 || !strings.Contains(err.Error(), "…") {
		t.Fatalf("long input not truncated: %v", err)
	}
}
