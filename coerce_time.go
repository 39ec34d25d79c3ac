// Dates and date-times (see CoerceValue in coerce.go).

package gqlbase

import (
	"time"
)

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
