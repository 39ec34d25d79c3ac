// Row values read back from their JSON form and compared, for the in-memory evaluation of
// filters (filter_match.go).

package gqlbase

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// valueKind is how values of a column type are normalised and compared in memory.
type valueKind int

const (
	kText     valueKind = iota // string, byte order
	kInt                       // int64
	kFloat                     // float64, NaN equal to itself and greatest
	kDecimal                   // decimal
	kBool                      // bool, false < true
	kDate                      // int64 days since 1970-01-01, ±infinity as MinInt64/MaxInt64
	kTime                      // int64 microseconds since the epoch, ±infinity likewise
	kUUID                      // lowercase hyphenated string
	kJSON                      // nil, bool, string, *big.Rat, []any, map[string]any
	kStrArray                  // []any of string or nil
	kIntArray                  // []any of int64 or nil
)

const (
	negInfinity = math.MinInt64
	posInfinity = math.MaxInt64
)

func kindOf(t ColumnType) valueKind {
	switch t {
	case TypeInteger, TypeLink, TypeRating:
		return kInt
	case TypeNumber:
		return kFloat
	case TypeDecimal:
		return kDecimal
	case TypeBoolean:
		return kBool
	case TypeDate:
		return kDate
	case TypeDateTime:
		return kTime
	case TypeUUID:
		return kUUID
	case TypeJSON:
		return kJSON
	case TypeMultiSelect:
		return kStrArray
	case TypeFile:
		return kIntArray
	}
	return kText
}

// decimal is a Postgres numeric: a finite rational or one of the special values, ordered
// -Infinity < finite < Infinity < NaN (NaN equals NaN).
type pgDecimal struct {
	class int // 0 -Infinity, 1 finite, 2 Infinity, 3 NaN
	r     *big.Rat
}

// normalize reads v as a value of the kind; nil means null (or unreadable).
func normalizeValue(kind valueKind, v any) any {
	if v == nil {
		return nil
	}
	switch kind {
	case kText:
		if s, ok := v.(string); ok {
			return s
		}
	case kUUID:
		if s, ok := v.(string); ok {
			if u, ok := canonicalUUID(s); ok {
				return u
			}
			return strings.ToLower(s)
		}
	case kInt:
		if n, p := coerceInt(v, ""); p == "" {
			return n
		}
	case kFloat:
		return readFloat(v)
	case kDecimal:
		return readDecimal(v)
	case kBool:
		if b, ok := v.(bool); ok {
			return b
		}
	case kDate:
		return readDate(v)
	case kTime:
		return readTime(v)
	case kJSON:
		return readJSON(v, 0)
	case kStrArray:
		items, ok := listItems(v)
		if !ok {
			return nil
		}
		out := make([]any, len(items))
		for i, it := range items {
			if s, ok := it.(string); ok {
				out[i] = s
			} else if it != nil {
				return nil
			}
		}
		return out
	case kIntArray:
		items, ok := listItems(v)
		if !ok {
			return nil
		}
		out := make([]any, len(items))
		for i, it := range items {
			if it == nil {
				continue
			}
			n, p := coerceInt(it, "")
			if p != "" {
				return nil
			}
			out[i] = n
		}
		return out
	}
	return nil
}

func readFloat(v any) any {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case string:
		switch x {
		case "NaN":
			return math.NaN()
		case "Infinity":
			return math.Inf(1)
		case "-Infinity":
			return math.Inf(-1)
		}
	}
	text, p := numberText(v, true)
	if p != "" {
		return nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !isRangeErr(err) {
		return nil
	}
	return f
}

func readDecimal(v any) any {
	switch v {
	case "NaN":
		return pgDecimal{class: 3}
	case "Infinity":
		return pgDecimal{class: 2}
	case "-Infinity":
		return pgDecimal{class: 0}
	}
	if f, ok := v.(float64); ok && math.IsInf(f, 0) {
		if f > 0 {
			return pgDecimal{class: 2}
		}
		return pgDecimal{class: 0}
	}
	r := readRat(v)
	if r == nil {
		return nil
	}
	return pgDecimal{class: 1, r: r}
}

// readRat reads a number (json.Number, Go number, numeric string) exactly. Exponents longer
// than 6 digits are refused so that a hostile value cannot allocate without bound.
func readRat(v any) *big.Rat {
	text, p := numberText(v, true)
	if p != "" {
		return nil
	}
	if i := strings.IndexAny(text, "eE"); i >= 0 && len(strings.TrimLeft(text[i+1:], "+-0")) > 6 {
		return nil
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil
	}
	return r
}

// readDate reads "YYYY-MM-DD" (any number of year digits, optionally " BC"), "infinity",
// "-infinity" or a time.Time, as days since 1970-01-01.
func readDate(v any) any {
	switch x := v.(type) {
	case time.Time:
		y, m, d := x.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	case string:
		switch x {
		case "infinity":
			return int64(posInfinity)
		case "-infinity":
			return int64(negInfinity)
		}
		y, m, d, rest, ok := scanDate(x)
		if !ok || rest != "" {
			return nil
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	}
	return nil
}

// scanDate reads a leading date "Y+-MM-DD" and strips a trailing " BC" from the whole string
// first (BC years are turned into astronomical years: 1 BC is year 0).
func scanDate(s string) (y, m, d int, rest string, ok bool) {
	bc := false
	if strings.HasSuffix(s, " BC") {
		bc, s = true, strings.TrimSuffix(s, " BC")
	}
	dash := strings.IndexByte(s, '-')
	if dash < 4 || len(s) < dash+6 || s[dash+3] != '-' {
		return 0, 0, 0, "", false
	}
	y, ok1 := atoiN(s[:dash])
	m, ok2 := atoiN(s[dash+1 : dash+3])
	d, ok3 := atoiN(s[dash+4 : dash+6])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, "", false
	}
	if bc {
		y = 1 - y
	}
	return y, m, d, s[dash+6:], true
}

// readTime reads a Postgres timestamptz as JSON writes it ("2026-01-02T03:04:05.123456+00:00",
// offsets ±HH[:MM[:SS]], optional " BC", "infinity", "-infinity"), the inputs CoerceValue
// accepts, or a time.Time, as microseconds since the epoch.
func readTime(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Round(time.Microsecond).UnixMicro()
	case string:
		switch x {
		case "infinity":
			return int64(posInfinity)
		case "-infinity":
			return int64(negInfinity)
		}
		if t, ok := parseDateTimeInput(x); ok {
			return t.Round(time.Microsecond).UnixMicro()
		}
		y, mo, d, rest, ok := scanDate(x)
		if !ok || len(rest) < 9 || (rest[0] != 'T' && rest[0] != ' ') || rest[3] != ':' || rest[6] != ':' {
			return nil
		}
		hh, ok1 := atoiN(rest[1:3])
		mi, ok2 := atoiN(rest[4:6])
		ss, ok3 := atoiN(rest[7:9])
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		rest = rest[9:]
		micros := int64(0)
		if rest != "" && rest[0] == '.' {
			i := 1
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			frac := rest[1:i]
			if frac == "" || len(frac) > 6 {
				return nil
			}
			n, _ := atoiN(frac)
			for k := len(frac); k < 6; k++ {
				n *= 10
			}
			micros = int64(n)
			rest = rest[i:]
		}
		offset := 0
		if rest != "" && rest != "Z" {
			if rest[0] != '+' && rest[0] != '-' {
				return nil
			}
			sign := 1
			if rest[0] == '-' {
				sign = -1
			}
			parts := strings.Split(rest[1:], ":")
			if len(parts) > 3 {
				return nil
			}
			mult := 3600
			for _, p := range parts {
				if len(p) != 2 {
					return nil
				}
				n, ok := atoiN(p)
				if !ok {
					return nil
				}
				offset += n * mult
				mult /= 60
			}
			offset *= sign
		}
		sec := time.Date(y, time.Month(mo), d, hh, mi, ss, 0, time.UTC).Unix() - int64(offset)
		return sec*1_000_000 + micros
	}
	return nil
}

// readJSON normalises a decoded JSON value: numbers become *big.Rat, other Go values
// (typed slices and maps) go through a JSON round trip. A top-level JSON null is null.
func readJSON(v any, depth int) any {
	if depth > maxJSONDepth+1 {
		return nil
	}
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = readJSONItem(item, depth)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = readJSONItem(item, depth)
		}
		return out
	case json.RawMessage:
		return decodeJSON(x, depth)
	}
	if r := readRat(v); r != nil {
		return r
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return decodeJSON(data, depth)
}

func decodeJSON(data []byte, depth int) any {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil
	}
	return readJSON(out, depth)
}

// readJSONItem normalises a nested value, where a JSON null stays a JSON null (jsonNull).
func readJSONItem(v any, depth int) any {
	if v == nil {
		return jsonNull{}
	}
	out := readJSON(v, depth+1)
	if out == nil {
		return jsonNull{}
	}
	return out
}

// jsonNull is a JSON null inside an array or object (a top-level JSON null is a null value).
type jsonNull struct{}

func equalValues(kind valueKind, a, b any) bool {
	switch kind {
	case kJSON:
		return jsonEqual(a, b)
	case kStrArray, kIntArray:
		x, y := a.([]any), b.([]any)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return compareValues(kind, a, b) == 0
}

func compareValues(kind valueKind, a, b any) int {
	switch kind {
	case kText, kUUID:
		return strings.Compare(a.(string), b.(string))
	case kInt, kDate, kTime:
		return compareInt64(a.(int64), b.(int64))
	case kFloat:
		return cmpFloat(a.(float64), b.(float64))
	case kDecimal:
		x, y := a.(pgDecimal), b.(pgDecimal)
		if x.class != y.class {
			return compareInt64(int64(x.class), int64(y.class))
		}
		if x.class != 1 {
			return 0
		}
		return x.r.Cmp(y.r)
	case kBool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	panic("gqlbase: no ordering for this column type")
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders like Postgres float8: NaN equals NaN and sorts after everything.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
