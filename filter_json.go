// JSON equality and containment with the semantics of Postgres' jsonb, and LIKE matching, for
// the in-memory evaluation of filters (filter_match.go).

package gqlbase

import (
	"math/big"
	"unicode/utf8"
)

func isJSONContainer(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return true
	}
	return false
}

// jsonScalarEqual compares two JSON scalars of the same type (numbers numerically).
func jsonScalarEqual(a, b any) bool {
	switch x := a.(type) {
	case jsonNull:
		_, ok := b.(jsonNull)
		return ok
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *big.Rat:
		y, ok := b.(*big.Rat)
		return ok && x.Cmp(y) == 0
	}
	return false
}

// jsonEqual is jsonb equality.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return jsonScalarEqual(a, b)
}

// jsonContains is jsonb @> at the top level: the structures must match, except that an array
// may contain a primitive value.
func jsonContains(a, b any) bool {
	if contains, isContainer := jsonContainerContains(a, b); isContainer {
		return contains
	}
	switch x := a.(type) {
	case map[string]any:
		return false
	case []any:
		return jsonArrayContains(x, []any{b})
	}
	return jsonScalarEqual(a, b)
}

// jsonContainerContains is containment where b is an object or an array: a must be a
// container of the same kind that contains b. isContainer is false when b is a scalar, which
// the callers compare each in their own way.
func jsonContainerContains(a, b any) (contains, isContainer bool) {
	switch y := b.(type) {
	case map[string]any:
		x, ok := a.(map[string]any)
		return ok && jsonObjectContains(x, y), true
	case []any:
		x, ok := a.([]any)
		return ok && jsonArrayContains(x, y), true
	}
	return false, false
}

// jsonNestedContains compares nested values: containers of the same kind recurse, scalars
// must be equal.
func jsonNestedContains(a, b any) bool {
	if contains, isContainer := jsonContainerContains(a, b); isContainer {
		return contains
	}
	return !isJSONContainer(a) && jsonScalarEqual(a, b)
}

func jsonObjectContains(a, b map[string]any) bool {
	for k, bv := range b {
		av, ok := a[k]
		if !ok || !jsonNestedContains(av, bv) {
			return false
		}
	}
	return true
}

// jsonArrayContains: every scalar of b equals some scalar of a; every container of b is
// contained in some container of a.
func jsonArrayContains(a, b []any) bool {
	for _, be := range b {
		found := false
		if isJSONContainer(be) {
			for _, ae := range a {
				if isJSONContainer(ae) && jsonNestedContains(ae, be) {
					found = true
					break
				}
			}
		} else {
			for _, ae := range a {
				if !isJSONContainer(ae) && jsonScalarEqual(ae, be) {
					found = true
					break
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// asciiLower lowers ASCII letters only, as Postgres lower() does under COLLATE "C".
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// likeTok is one element of a LIKE pattern.
type likeTok struct {
	kind byte // 'c' a literal character, '_' any one character, '%' any run
	r    rune
}

// compileLike parses a LIKE pattern: % any run, _ one character, \ makes the next character
// literal. A pattern ending in a lone backslash is invalid (Postgres refuses it).
func compileLike(p string) ([]likeTok, bool) {
	var toks []likeTok
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		switch r {
		case '%':
			if len(toks) == 0 || toks[len(toks)-1].kind != '%' {
				toks = append(toks, likeTok{kind: '%'})
			}
		case '_':
			toks = append(toks, likeTok{kind: '_'})
		case '\\':
			if i >= len(p) {
				return nil, false
			}
			r, size = utf8.DecodeRuneInString(p[i:])
			i += size
			toks = append(toks, likeTok{kind: 'c', r: r})
		default:
			toks = append(toks, likeTok{kind: 'c', r: r})
		}
	}
	return toks, true
}

// likeMatch matches the whole of s against the pattern, character by character, with the
// classic backtrack-to-the-last-% algorithm (linear memory, O(len(s)·len(p)) worst case).
func likeMatch(p []likeTok, str string) bool {
	s := []rune(str)
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) && (p[pi].kind == '_' || (p[pi].kind == 'c' && p[pi].r == s[si])) {
			pi++
			si++
			continue
		}
		if pi < len(p) && p[pi].kind == '%' {
			starP, starS = pi, si
			pi++
			continue
		}
		if starP >= 0 {
			pi = starP + 1
			starS++
			si = starS
			continue
		}
		return false
	}
	for pi < len(p) && p[pi].kind == '%' {
		pi++
	}
	return pi == len(p)
}
