// Formats of text and structured values: UUID, email, URL, phone, JSON (see CoerceValue in
// coerce.go).

package gqlbase

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

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
