package gqlbase

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on stored values.
const (
	MaxTextLength     = 10_000    // characters of TEXT, EMAIL (254 in practice), URL, PHONE, SELECT
	MaxLongTextLength = 1_000_000 // characters of LONG_TEXT
	MaxEmailLength    = 254
	MaxListLength     = 1_000 // items of MULTI_SELECT and FILE values
	// MaxDecimalDigits bounds the digits before and after the point of DECIMAL values and of
	// numbers inside JSON values.
	MaxDecimalDigits = 1_000
	maxJSONDepth     = 100
	defaultMaxRating = 5
	quoteLimit       = 40 // characters of user input echoed in messages
)

// coerceMode says what a value is coerced for.
type coerceMode int

const (
	// modeStore validates a value to be written into a column.
	modeStore coerceMode = iota
	// modeOperand validates a filter operand compared with a column: SELECT values need not be
	// options, EMAIL/URL/PHONE formats are not checked (so ranges and partial values work),
	// RATING and LINK accept any int64.
	modeOperand
)

// CoerceValue validates v for column c and returns the canonical Go value to store:
//
//	TEXT, LONG_TEXT, EMAIL, URL, PHONE, SELECT → string
//	INTEGER, LINK                              → int64 (LINK: a positive id)
//	RATING                                     → int64 in 0..MaxRating (0 means 5)
//	NUMBER                                     → float64, finite
//	DECIMAL                                    → canonical decimal string ("12.50", "1000", "0.0015")
//	BOOLEAN                                    → bool (only JSON booleans)
//	DATE                                       → "YYYY-MM-DD"
//	DATETIME                                   → time.Time in UTC, rounded to the microsecond
//	JSON                                       → the JSON value, numbers as json.Number
//	UUID                                       → lowercase 8-4-4-4-12 string
//	MULTI_SELECT                               → []string of options, duplicates removed
//	FILE                                       → []int64 of positive ids
//
// v is a value decoded from JSON with UseNumber (json.Number, string, bool, nil, []any,
// map[string]any) or from GraphQL input (which may also give int, int64, float64). A nil v
// is accepted (and returned as nil) only for nullable columns. Errors are *Error with code
// BAD_USER_INPUT and Field set to the column name.
func CoerceValue(c *Column, v any) (any, error) {
	if v == nil {
		if !c.Nullable {
			return nil, columnError(c, "null is not allowed (the column is not nullable)")
		}
		return nil, nil
	}
	out, problem := coerce(c, v, modeStore)
	if problem != "" {
		return nil, columnError(c, problem)
	}
	return out, nil
}

func columnError(c *Column, problem string) *Error {
	return BadInput("column %q: %s", c.Name, problem).WithField(c.Name)
}

// coerce converts a non-nil v for column c. It returns the problem (without the column
// prefix) when v does not fit.
func coerce(c *Column, v any, mode coerceMode) (any, string) {
	switch c.Type {
	case TypeText:
		return coerceText(v, MaxTextLength)
	case TypeLongText:
		return coerceText(v, MaxLongTextLength)
	case TypeEmail:
		s, p := coerceText(v, MaxTextLength)
		if p != "" || mode == modeOperand {
			return s, p
		}
		if !validEmail(s.(string)) {
			return nil, quoteInput(v) + " is not an email address"
		}
		return s, ""
	case TypeURL:
		s, p := coerceText(v, MaxTextLength)
		if p != "" || mode == modeOperand {
			return s, p
		}
		if problem := checkURL(s.(string)); problem != "" {
			return nil, quoteInput(v) + " is not " + problem
		}
		return s, ""
	case TypePhone:
		s, p := coerceText(v, MaxTextLength)
		if p != "" || mode == modeOperand {
			return s, p
		}
		if !validPhone(s.(string)) {
			return nil, quoteInput(v) + " is not a phone number (3 to 32 characters: digits, spaces, + - ( ) . and x, at least 3 digits)"
		}
		return s, ""
	case TypeSelect:
		s, p := coerceText(v, MaxTextLength)
		if p != "" || mode == modeOperand {
			return s, p
		}
		if !hasOption(c, s.(string)) {
			return nil, quoteInput(v) + " is not one of the options" + optionList(c)
		}
		return s, ""
	case TypeInteger:
		n, p := coerceInt(v, "an integer")
		return n, p
	case TypeLink:
		n, p := coerceInt(v, "a row id")
		if p == "" && mode == modeStore && n.(int64) <= 0 {
			return nil, quoteInput(v) + " is not a row id (ids are positive)"
		}
		return n, p
	case TypeRating:
		n, p := coerceInt(v, "a rating")
		if p != "" || mode == modeOperand {
			return n, p
		}
		top := int64(c.MaxRating)
		if top <= 0 {
			top = defaultMaxRating
		}
		if r := n.(int64); r < 0 || r > top {
			return nil, fmt.Sprintf("%s is not a rating from 0 to %d", quoteInput(v), top)
		}
		return n, ""
	case TypeNumber:
		return coerceFloat(v)
	case TypeDecimal:
		text, p := numberText(v, true)
		if p != "" {
			return nil, p + " is not a decimal number"
		}
		d, p := canonicalDecimal(text)
		if p != "" {
			return nil, quoteInput(v) + " is not a decimal number: " + p
		}
		return d, ""
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, quoteInput(v) + " is not a boolean (true or false)"
		}
		return b, ""
	case TypeDate:
		s, ok := v.(string)
		if !ok {
			return nil, quoteInput(v) + " is not a date (YYYY-MM-DD)"
		}
		if _, ok := parseDateInput(s); !ok {
			return nil, quoteInput(v) + " is not a date (YYYY-MM-DD, a valid calendar date from year 1 to 9999)"
		}
		return s, ""
	case TypeDateTime:
		t, ok := coerceDateTime(v)
		if !ok {
			return nil, quoteInput(v) + " is not a date-time (RFC 3339, e.g. 2026-01-02T03:04:05Z, between years 1 and 9999)"
		}
		return t, ""
	case TypeJSON:
		return canonicalJSON(v, 0)
	case TypeUUID:
		s, ok := v.(string)
		if !ok {
			return nil, quoteInput(v) + " is not a UUID"
		}
		u, ok := canonicalUUID(s)
		if !ok {
			return nil, quoteInput(v) + " is not a UUID (8-4-4-4-12 hexadecimal digits)"
		}
		return u, ""
	case TypeMultiSelect:
		items, ok := listItems(v)
		if !ok {
			return nil, quoteInput(v) + " is not a list of options"
		}
		return coerceStringList(c, items, mode)
	case TypeFile:
		items, ok := listItems(v)
		if !ok {
			return nil, quoteInput(v) + " is not a list of file ids"
		}
		return coerceIDList(items, mode)
	}
	return nil, fmt.Sprintf("unsupported column type %s", c.Type)
}

// quote renders user input for a message, truncated so that large values are never echoed.
func quoteInput(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(truncateInput(x))
	case json.Number:
		return truncateInput(string(x))
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return truncateInput(strconv.FormatFloat(x, 'g', -1, 64))
	case float32:
		return truncateInput(strconv.FormatFloat(float64(x), 'g', -1, 32))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case map[string]any:
		return "an object"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	if _, ok := listItems(v); ok {
		return "a list"
	}
	return "a value of type " + fmt.Sprintf("%T", v)
}

func truncateInput(s string) string {
	if utf8.RuneCountInString(s) <= quoteLimit {
		return s
	}
	n := 0
	for i := range s {
		if n == quoteLimit {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// checkString reports why s cannot be stored as text of at most max characters.
func checkString(s string, max int) string {
	if !utf8.ValidString(s) {
		return "text is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return quoteInput(s) + " contains a NUL character"
	}
	if len(s) > max && utf8.RuneCountInString(s) > max {
		return fmt.Sprintf("text is longer than %d characters", max)
	}
	return ""
}

func coerceText(v any, max int) (any, string) {
	s, ok := v.(string)
	if !ok {
		return nil, quoteInput(v) + " is not a string"
	}
	if p := checkString(s, max); p != "" {
		return nil, p
	}
	return s, ""
}

func hasOption(c *Column, s string) bool {
	for _, o := range c.Options {
		if o.Value == s {
			return true
		}
	}
	return false
}

func optionList(c *Column) string {
	if len(c.Options) == 0 {
		return " (the column has no options)"
	}
	var b strings.Builder
	b.WriteString(" (")
	for i, o := range c.Options {
		if i == 10 {
			fmt.Fprintf(&b, ", … %d more", len(c.Options)-10)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(truncateInput(o.Value)))
	}
	b.WriteString(")")
	return b.String()
}

// asList returns the items of a list value ([]any, []string, []int64, ...). []byte is not a list.
func listItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []byte, string, json.RawMessage:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func coerceStringList(c *Column, items []any, mode coerceMode) (any, string) {
	if len(items) > MaxListLength {
		return nil, fmt.Sprintf("a list of %d items is longer than %d", len(items), MaxListLength)
	}
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Sprintf("item %d: %s is not a string", i, quoteInput(it))
		}
		if p := checkString(s, MaxTextLength); p != "" {
			return nil, fmt.Sprintf("item %d: %s", i, p)
		}
		if mode == modeStore && !hasOption(c, s) {
			return nil, fmt.Sprintf("item %d: %s is not one of the options%s", i, quoteInput(s), optionList(c))
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, ""
}

func coerceIDList(items []any, mode coerceMode) (any, string) {
	if len(items) > MaxListLength {
		return nil, fmt.Sprintf("a list of %d items is longer than %d", len(items), MaxListLength)
	}
	out := make([]int64, 0, len(items))
	for i, it := range items {
		n, p := coerceInt(it, "a file id")
		if p != "" {
			return nil, fmt.Sprintf("item %d: %s", i, p)
		}
		if mode == modeStore && n.(int64) <= 0 {
			return nil, fmt.Sprintf("item %d: %s is not a file id (ids are positive)", i, quoteInput(it))
		}
		out = append(out, n.(int64))
	}
	return out, ""
}

var (
	// numberRe is the grammar of numeric strings: optional sign, digits with an optional point,
	// optional exponent. JSON numbers are a subset.
	numberRe = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	// jsonNumberRe is the JSON number grammar.
	jsonNumberRe = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	digitsRe     = regexp.MustCompile(`^[+-]?[0-9]+$`)
)
