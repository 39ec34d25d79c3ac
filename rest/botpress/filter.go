package botpress

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// columnName maps a Botpress row field to the table's column name.
func columnName(field string) string {
	switch field {
	case "createdAt":
		return gqlbase.ColCreatedAt
	case "updatedAt":
		return gqlbase.ColUpdatedAt
	}
	return field
}

func filterErr(path, format string, args ...any) error {
	return gqlbase.BadInput("filter%s: %s", path, fmt.Sprintf(format, args...)).WithField("filter")
}

func leaf(col string, op gqlbase.FilterOp, v any) *gqlbase.Filter {
	return &gqlbase.Filter{Column: &col, Op: &op, Value: v}
}

// translateFilter turns a Mongo-like filter into gqlbase's filter AST. Keys of an object are
// ANDed; a field maps to a value (equality) or to an object of operators.
func translateFilter(f map[string]any) (*gqlbase.Filter, error) {
	return translateObject(f, "", 0)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func translateObject(f map[string]any, path string, depth int) (*gqlbase.Filter, error) {
	if depth > gqlbase.MaxFilterDepth {
		return nil, filterErr(path, "nested deeper than %d levels", gqlbase.MaxFilterDepth)
	}
	var parts []*gqlbase.Filter
	for _, k := range sortedKeys(f) {
		v := f[k]
		p := path + "." + k
		switch k {
		case "$and", "$or", "$nor":
			list, ok := v.([]any)
			if !ok {
				return nil, filterErr(p, "takes a list of filters")
			}
			var subs []*gqlbase.Filter
			for i, item := range list {
				m, ok := item.(map[string]any)
				if !ok {
					return nil, filterErr(fmt.Sprintf("%s[%d]", p, i), "must be an object")
				}
				sub, err := translateObject(m, fmt.Sprintf("%s[%d]", p, i), depth+1)
				if err != nil {
					return nil, err
				}
				subs = append(subs, sub)
			}
			switch k {
			case "$and":
				parts = append(parts, &gqlbase.Filter{And: nonNil(subs)})
			case "$or":
				parts = append(parts, &gqlbase.Filter{Or: nonNil(subs)})
			default:
				parts = append(parts, &gqlbase.Filter{Not: &gqlbase.Filter{Or: nonNil(subs)}})
			}
		case "$not":
			m, ok := v.(map[string]any)
			if !ok {
				return nil, filterErr(p, "takes a filter object")
			}
			sub, err := translateObject(m, p, depth+1)
			if err != nil {
				return nil, err
			}
			parts = append(parts, &gqlbase.Filter{Not: sub})
		default:
			if strings.HasPrefix(k, "$") {
				return nil, filterErr(p, "unknown operator %q at this level (use $and, $or, $nor, $not, or a column name)", k)
			}
			sub, err := translateField(columnName(k), v, p, depth)
			if err != nil {
				return nil, err
			}
			parts = append(parts, sub)
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return &gqlbase.Filter{And: nonNil(parts)}, nil
}

func nonNil(fs []*gqlbase.Filter) []*gqlbase.Filter {
	if fs == nil {
		return []*gqlbase.Filter{}
	}
	return fs
}

func isOperatorObject(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for k := range m {
		if !strings.HasPrefix(k, "$") {
			return false
		}
	}
	return true
}

// translateField is the condition on one column: a plain value means equality.
func translateField(col string, v any, path string, depth int) (*gqlbase.Filter, error) {
	m, ok := v.(map[string]any)
	if !ok || !isOperatorObject(m) {
		return leaf(col, gqlbase.OpEq, v), nil
	}
	options, _ := m["$options"].(string)
	if _, has := m["$options"]; has {
		if _, hasRegex := m["$regex"]; !hasRegex {
			return nil, filterErr(path, "$options goes with $regex")
		}
	}
	var parts []*gqlbase.Filter
	for _, op := range sortedKeys(m) {
		arg := m[op]
		p := path + "." + op
		switch op {
		case "$options":
			continue
		case "$eq":
			parts = append(parts, leaf(col, gqlbase.OpEq, arg))
		case "$ne":
			parts = append(parts, leaf(col, gqlbase.OpNeq, arg))
		case "$gt":
			parts = append(parts, leaf(col, gqlbase.OpGt, arg))
		case "$gte":
			parts = append(parts, leaf(col, gqlbase.OpGte, arg))
		case "$lt":
			parts = append(parts, leaf(col, gqlbase.OpLt, arg))
		case "$lte":
			parts = append(parts, leaf(col, gqlbase.OpLte, arg))
		case "$in", "$nin":
			if _, ok := arg.([]any); !ok {
				return nil, filterErr(p, "takes a list of values")
			}
			o := gqlbase.OpIn
			if op == "$nin" {
				o = gqlbase.OpNin
			}
			parts = append(parts, leaf(col, o, arg))
		case "$exists":
			b, ok := arg.(bool)
			if !ok {
				return nil, filterErr(p, "takes true or false")
			}
			parts = append(parts, leaf(col, gqlbase.OpIsNull, !b))
		case "$regex":
			pattern, ok := arg.(string)
			if !ok {
				return nil, filterErr(p, "takes a pattern string")
			}
			like, err := regexToLike(pattern)
			if err != nil {
				return nil, filterErr(p, "%v", err)
			}
			o := gqlbase.OpLike
			switch options {
			case "":
			case "i":
				o = gqlbase.OpIlike
			default:
				return nil, filterErr(path+".$options", "only \"i\" (case-insensitive) is supported, not %q", options)
			}
			parts = append(parts, leaf(col, o, like))
		case "$not":
			sub, err := translateField(col, arg, p, depth+1)
			if err != nil {
				return nil, err
			}
			parts = append(parts, &gqlbase.Filter{Not: sub})
		default:
			return nil, filterErr(p, "unknown operator (one of $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $not)")
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return &gqlbase.Filter{And: nonNil(parts)}, nil
}

// regexToLike turns a regular expression LIKE can express into a LIKE pattern: literal
// characters (metacharacters escaped with \), . (one character), .* and .+, ^ and $ anchors.
// Anything else (classes, groups, alternation, other quantifiers) is refused.
func regexToLike(re string) (string, error) {
	var b strings.Builder
	s := re
	anchoredStart := strings.HasPrefix(s, "^")
	if anchoredStart {
		s = s[1:]
	}
	anchoredEnd := false
	if strings.HasSuffix(s, "$") && !strings.HasSuffix(s, `\$`) {
		anchoredEnd = true
		s = s[:len(s)-1]
	}
	if !anchoredStart {
		b.WriteByte('%')
	}
	lastPercent := !anchoredStart
	unsupported := func(what string) error {
		return fmt.Errorf("$regex %q uses %s, which gqlbase cannot run; use literal text, ., .*, .+, ^ and $ (with $options \"i\" for case-insensitive)", re, what)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) {
				return "", unsupported("a trailing backslash")
			}
			i++
			n := s[i]
			if strings.IndexByte(`.*+?()[]{}|\^$/-`, n) < 0 {
				return "", unsupported(`the escape \` + string(n))
			}
			writeLikeLiteral(&b, n)
			lastPercent = false
		case '.':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '+') {
				if s[i+1] == '+' {
					b.WriteByte('_')
				}
				if !lastPercent {
					b.WriteByte('%')
				}
				lastPercent = true
				i++
				continue
			}
			b.WriteByte('_')
			lastPercent = false
		case '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$':
			return "", unsupported(fmt.Sprintf("%q", string(c)))
		default:
			writeLikeLiteral(&b, c)
			lastPercent = false
		}
	}
	if !anchoredEnd && !lastPercent {
		b.WriteByte('%')
	}
	return b.String(), nil
}

func writeLikeLiteral(b *strings.Builder, c byte) {
	if c == '%' || c == '_' || c == '\\' {
		b.WriteByte('\\')
	}
	b.WriteByte(c)
}
