// Numbers: integers, floats and exact decimals (see CoerceValue in coerce.go).

package gqlbase

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
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
	case int, int8, int16, int32, int64:
		return strconv.FormatInt(reflect.ValueOf(x).Int(), 10), ""
	case uint, uint8, uint16, uint32, uint64:
		return strconv.FormatUint(reflect.ValueOf(x).Uint(), 10), ""
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
	case int, int8, int16, int32, int64:
		return reflect.ValueOf(x).Int(), ""
	case uint, uint8, uint16, uint32, uint64:
		u := reflect.ValueOf(x).Uint()
		if u > math.MaxInt64 {
			return nil, quoteInput(v) + " is out of range for " + what
		}
		return int64(u), ""
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
