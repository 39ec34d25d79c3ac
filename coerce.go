package gqlbase

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
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

// numberText returns the decimal text of a number given as json.Number, a Go number or (when
// strings is set) a numeric string. On failure it returns the quoted input as the problem
// subject.
func numberText(v any, strs bool) (string, string) {
	switch x := v.(type) {
	case json.Number:
		if !numberRe.MatchString(string(x)) {
			return "", quoteInput(v)
		}
		return string(x), ""
	case string:
		if !strs || !numberRe.MatchString(x) {
			return "", quoteInput(v)
		}
		return x, ""
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", quoteInput(v)
		}
		return strconv.FormatFloat(x, 'g', -1, 64), ""
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return "", quoteInput(v)
		}
		return strconv.FormatFloat(float64(x), 'g', -1, 32), ""
	case int:
		return strconv.FormatInt(int64(x), 10), ""
	case int8:
		return strconv.FormatInt(int64(x), 10), ""
	case int16:
		return strconv.FormatInt(int64(x), 10), ""
	case int32:
		return strconv.FormatInt(int64(x), 10), ""
	case int64:
		return strconv.FormatInt(x, 10), ""
	case uint:
		return strconv.FormatUint(uint64(x), 10), ""
	case uint8:
		return strconv.FormatUint(uint64(x), 10), ""
	case uint16:
		return strconv.FormatUint(uint64(x), 10), ""
	case uint32:
		return strconv.FormatUint(uint64(x), 10), ""
	case uint64:
		return strconv.FormatUint(x, 10), ""
	}
	return "", quoteInput(v)
}

// canonicalDecimal turns numeric text (already matching numberRe) into Postgres' canonical
// numeric text: no exponent, no leading zeros, the scale of the input kept ("12.50"), "-0"
// written "0". It rejects values with more than MaxDecimalDigits digits before or after the
// point.
func canonicalDecimal(s string) (string, string) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e := s[i+1:]
		s = s[:i]
		digits := strings.TrimLeft(strings.TrimLeft(e, "+-"), "0")
		if len(digits) > 6 {
			return "", "exponent out of range"
		}
		n, _ := strconv.Atoi(strings.TrimLeft(e, "+"))
		exp = n
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	scale := len(frac) - exp
	if scale > MaxDecimalDigits {
		if digits == "" {
			return "", "too many digits after the point"
		}
		return "", fmt.Sprintf("more than %d digits after the point", MaxDecimalDigits)
	}
	if digits != "" && len(digits)-scale > MaxDecimalDigits {
		return "", fmt.Sprintf("more than %d digits before the point", MaxDecimalDigits)
	}
	if scale < 0 {
		if digits != "" {
			digits += strings.Repeat("0", -scale)
		}
		scale = 0
	}
	if digits == "" {
		neg = false
	}
	if len(digits) < scale+1 {
		digits = strings.Repeat("0", scale+1-len(digits)) + digits
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(digits[:len(digits)-scale])
	if scale > 0 {
		b.WriteByte('.')
		b.WriteString(digits[len(digits)-scale:])
	}
	return b.String(), ""
}

// coerceInt accepts whole numbers (Go integers, whole floats, json.Number like 12, 12.0 or
// 1e3) and strings of digits, within the int64 range.
func coerceInt(v any, what string) (any, string) {
	switch x := v.(type) {
	case int:
		return int64(x), ""
	case int8:
		return int64(x), ""
	case int16:
		return int64(x), ""
	case int32:
		return int64(x), ""
	case int64:
		return x, ""
	case uint8:
		return int64(x), ""
	case uint16:
		return int64(x), ""
	case uint32:
		return int64(x), ""
	case uint:
		if uint64(x) > math.MaxInt64 {
			return nil, quoteInput(v) + " is out of range for " + what
		}
		return int64(x), ""
	case uint64:
		if x > math.MaxInt64 {
			return nil, quoteInput(v) + " is out of range for " + what
		}
		return int64(x), ""
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || x != math.Trunc(x) {
			return nil, quoteInput(v) + " is not " + what
		}
		if x < -9.223372036854775808e18 || x >= 9.223372036854775808e18 {
			return nil, quoteInput(v) + " is out of range for " + what
		}
		return int64(x), ""
	case string:
		if !digitsRe.MatchString(x) {
			return nil, quoteInput(v) + " is not " + what
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(x, "+"), 10, 64)
		if err != nil {
			return nil, quoteInput(v) + " is out of range for " + what
		}
		return n, ""
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n, ""
		}
		if !numberRe.MatchString(string(x)) {
			return nil, quoteInput(v) + " is not " + what
		}
		d, p := canonicalDecimal(string(x))
		if p != "" {
			return nil, quoteInput(v) + " is out of range for " + what
		}
		intPart, frac, _ := strings.Cut(d, ".")
		if strings.Trim(frac, "0") != "" {
			return nil, quoteInput(v) + " is not " + what + " (it has a fraction)"
		}
		n, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil {
			return nil, quoteInput(v) + " is out of range for " + what
		}
		return n, ""
	}
	return nil, quoteInput(v) + " is not " + what
}

func coerceFloat(v any) (any, string) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, quoteInput(v) + " is not a finite number"
		}
		return x, ""
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, quoteInput(v) + " is not a finite number"
		}
		return float64(x), ""
	}
	text, p := numberText(v, true)
	if p != "" {
		return nil, p + " is not a number"
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
		return nil, quoteInput(v) + " is out of range for a number (double precision)"
	}
	if err != nil && !isRangeErr(err) {
		return nil, quoteInput(v) + " is not a number"
	}
	return f, ""
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseDateInput parses "YYYY-MM-DD" with a year from 1 to 9999 and a valid calendar day.
func parseDateInput(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := atoiN(s[0:4])
	m, ok2 := atoiN(s[5:7])
	d, ok3 := atoiN(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || !validYMD(y, m, d) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

func validYMD(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && int(t.Month()) == m
}

// atoiN parses a string of ASCII digits only.
func atoiN(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func coerceDateTime(v any) (time.Time, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		var ok bool
		t, ok = parseDateTimeInput(x)
		if !ok {
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	t = t.UTC().Round(time.Microsecond)
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// parseDateTimeInput accepts RFC 3339 ("2026-01-02T03:04:05Z", "...05.123+02:00"), the same
// with a space for the T, without a zone (taken as UTC), and a bare date (midnight UTC).
// Fractional seconds may have 1 to 9 digits.
func parseDateTimeInput(s string) (time.Time, bool) {
	if len(s) < 10 {
		return time.Time{}, false
	}
	date, ok := parseDateInput(s[:10])
	if !ok {
		return time.Time{}, false
	}
	rest := s[10:]
	if rest == "" {
		return date, true
	}
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return time.Time{}, false
	}
	rest = rest[1:]
	if len(rest) < 8 || rest[2] != ':' || rest[5] != ':' {
		return time.Time{}, false
	}
	hh, ok1 := atoiN(rest[0:2])
	mm, ok2 := atoiN(rest[3:5])
	ss, ok3 := atoiN(rest[6:8])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false
	}
	rest = rest[8:]
	nanos := 0
	if rest != "" && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		frac := rest[1:i]
		if frac == "" || len(frac) > 9 {
			return time.Time{}, false
		}
		n, _ := atoiN(frac)
		for k := len(frac); k < 9; k++ {
			n *= 10
		}
		nanos = n
		rest = rest[i:]
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := atoiN(rest[1:3])
		om, ok2 := atoiN(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(date.Year(), date.Month(), date.Day(), hh, mm, ss, nanos, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

var uuidHexDigits = "0123456789abcdef"

// canonicalUUID accepts 8-4-4-4-12 hexadecimal digits (any case) or 32 digits without
// hyphens and returns the lowercase hyphenated form.
func canonicalUUID(s string) (string, bool) {
	var hex []byte
	switch len(s) {
	case 36:
		for i := 0; i < 36; i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return "", false
				}
				continue
			}
			hex = append(hex, s[i])
		}
	case 32:
		hex = []byte(s)
	default:
		return "", false
	}
	out := make([]byte, 0, 36)
	for i, ch := range hex {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			out = append(out, '-')
		}
		if ch >= 'A' && ch <= 'F' {
			ch += 'a' - 'A'
		}
		if strings.IndexByte(uuidHexDigits, ch) < 0 {
			return "", false
		}
		out = append(out, ch)
	}
	return string(out), true
}

// validEmail is a sane address check: local@domain, no spaces or control characters, a local
// part of at most 64 bytes without leading, trailing or doubled dots, and a domain of at least
// two dot-separated labels of letters, digits and hyphens (non-ASCII letters allowed), the
// labels not starting or ending with a hyphen.
func validEmail(s string) bool {
	if len(s) > MaxEmailLength {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`@()<>[]:;,\"`, r) {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			ok := r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r > 0x7f
			if !ok {
				return false
			}
		}
	}
	return true
}

// checkURL accepts absolute URLs: a scheme, no spaces or control characters, and for
// http/https (and ftp, ws, wss) a host. Script-bearing schemes are refused.
func checkURL(s string) string {
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return "a URL (it contains spaces or control characters)"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "an absolute URL (scheme://host/...)"
	}
	switch strings.ToLower(u.Scheme) {
	case "javascript", "vbscript", "data":
		return "an allowed URL (the " + strings.ToLower(u.Scheme) + " scheme is refused)"
	case "http", "https", "ftp", "ws", "wss":
		if u.Host == "" || u.Hostname() == "" {
			return "an absolute URL (it has no host)"
		}
	default:
		if u.Opaque == "" && u.Host == "" && u.Path == "" {
			return "an absolute URL (nothing after the scheme)"
		}
	}
	return ""
}

// validPhone: 3 to 32 characters among digits, spaces, + - ( ) . and x/X, at least 3 digits.
func validPhone(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= '0' && ch <= '9':
			digits++
		case strings.IndexByte(" +-().xX", ch) >= 0:
		default:
			return false
		}
	}
	return digits >= 3
}

// canonicalJSON validates a JSON value and returns a copy whose numbers are json.Number with
// their exact decimal text (Go floats are written in their shortest form, so 0.1 stays 0.1).
// Strings (and keys) must be valid UTF-8 without NUL (jsonb refuses \u0000).
func canonicalJSON(v any, depth int) (any, string) {
	if depth > maxJSONDepth {
		return nil, fmt.Sprintf("JSON value nested deeper than %d levels", maxJSONDepth)
	}
	switch x := v.(type) {
	case nil:
		return nil, ""
	case bool:
		return x, ""
	case string:
		if p := checkString(x, MaxLongTextLength); p != "" {
			return nil, "JSON string: " + p
		}
		return x, ""
	case json.Number:
		if !jsonNumberRe.MatchString(string(x)) {
			return nil, quoteInput(v) + " is not a JSON number"
		}
		if _, p := canonicalDecimal(string(x)); p != "" {
			return nil, "JSON number " + quoteInput(v) + ": " + p
		}
		return x, ""
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			if p := checkString(k, MaxTextLength); p != "" {
				return nil, "JSON key: " + p
			}
			c, p := canonicalJSON(item, depth+1)
			if p != "" {
				return nil, p
			}
			out[k] = c
		}
		return out, ""
	case time.Time:
		return nil, "a time is not a JSON value"
	}
	if items, ok := listItems(v); ok {
		out := make([]any, len(items))
		for i, item := range items {
			c, p := canonicalJSON(item, depth+1)
			if p != "" {
				return nil, p
			}
			out[i] = c
		}
		return out, ""
	}
	text, p := numberText(v, false)
	if p != "" {
		return nil, p + " is not a JSON value"
	}
	if _, p := canonicalDecimal(text); p != "" {
		return nil, "JSON number " + quoteInput(v) + ": " + p
	}
	return json.Number(text), ""
}
