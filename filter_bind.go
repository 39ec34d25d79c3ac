package gqlbase

import (
	"fmt"
	"strconv"
	"time"
)

// Limits on filters.
const (
	// MaxFilterDepth is the deepest nesting of and/or/not a filter may have.
	MaxFilterDepth = 32
	// MaxFilterLeaves is the most comparisons a filter may hold.
	MaxFilterLeaves = 500
	// MaxFilterListLength is the most items of an in/nin list.
	MaxFilterListLength = 1_000
)

// Filter semantics. They are the same in SQL (storage/plan compiles a BoundFilter into a
// parameterised expression) and in memory (BoundFilter.Match), and the storage/plan tests check
// that both agree on every operator and type:
//
//   - Two-valued logic: a filter is true or false for every row, never unknown. A comparison
//     with a NULL column value is false, except neq (IS DISTINCT FROM: null neq "x" is true),
//     nin (null is in no list: true) and is_null. not negates its whole subtree, so
//     not(age gt 3) holds for rows whose age is null.
//   - A combination node holds when all its given parts hold: every item of and (none: true),
//     at least one item of or (none: false), and not. A node with nothing at all is true.
//   - eq and neq with a null value mean is_null true and is_null false.
//   - Text (TEXT, LONG_TEXT, EMAIL, URL, PHONE, SELECT) compares bytes (COLLATE "C"); like is
//     case-sensitive with % for any run, _ for one character and \ escaping the next
//     character; ilike and contains fold ASCII letters only (lower() under COLLATE "C");
//     contains is a substring test; starts_with is a case-sensitive prefix test.
//   - UUIDs order as their lowercase text (the byte order of the 16 bytes); false < true.
//   - NUMBER compares float64 values (NaN equals NaN and is greater than everything, as in
//     Postgres); DECIMAL compares exactly (0.1 = 0.10); DATE compares days; DATETIME compares
//     instants at microsecond precision.
//   - JSON: a JSON null is treated as a null value; eq is jsonb equality (deep equality,
//     numbers compared numerically, object keys unordered, arrays ordered); contains is jsonb
//     containment (@>). JSON has no ordering, in, like.
//   - MULTI_SELECT and FILE: eq is array equality (same items in the same order); contains
//     holds when every given item is present (a single item or a list). No ordering, no in.
//   - in/nin take a list of at most 1,000 non-null values; an empty in list matches nothing,
//     an empty nin list matches every row.

// BoundKind is the kind of a node of a BoundFilter.
type BoundKind int

const (
	// BoundAnd holds when every child holds (no children: true).
	BoundAnd BoundKind = iota + 1
	// BoundOr holds when some child holds (no children: false).
	BoundOr
	// BoundNot holds when its one child does not.
	BoundNot
	// BoundLeaf compares a column with a value.
	BoundLeaf
)

// BoundNode is one node of a validated filter.
type BoundNode struct {
	Kind     BoundKind
	Children []*BoundNode // And, Or: any number; Not: exactly one
	// Leaf fields.
	Column *Column
	// Op is never eq or neq with a null value: those are bound as is_null.
	Op FilterOp
	// Value is the canonical operand:
	//   is_null: bool
	//   eq, neq, lt, lte, gt, gte: as CoerceValue returns for the column type (MULTI_SELECT
	//     []string, FILE []int64, JSON the JSON value with json.Number numbers)
	//   in, nin: []string (text types, DECIMAL, DATE, UUID), []int64 (INTEGER, LINK, RATING),
	//     []float64 (NUMBER), []bool (BOOLEAN), []time.Time (DATETIME)
	//   like, ilike, starts_with: string (the pattern or prefix)
	//   contains: string (text types), []string (MULTI_SELECT), []int64 (FILE), JSON value
	Value any
	// Link is set on the leaves of has, has_not and has_any (filter_links.go).
	Link *LinkLeaf

	// Precomputed for Match.
	norm     any       // normalised operand (see normalize)
	normList []any     // normalised in/nin items
	like     []likeTok // compiled like/ilike pattern
	folded   string    // ASCII-lowered operand of text contains
}

// BoundFilter is a Filter validated against a table: columns resolved, operators checked
// against the column types, operands coerced to canonical values. It is immutable once bound
// and safe for concurrent use.
type BoundFilter struct {
	root *BoundNode
}

// Root returns the top node. A nil BoundFilter or one bound from a nil Filter has an empty
// And root (true).
func (b *BoundFilter) Root() *BoundNode {
	if b == nil || b.root == nil {
		return &BoundNode{Kind: BoundAnd}
	}
	return b.root
}

// BindFilter validates f against table t (its user columns and the system columns) and returns
// the bound filter. A nil f matches every row. Errors are *Error with code BAD_USER_INPUT whose
// message names the place in the filter ("filter.and[1].not"), the column and the operator.
func BindFilter(f *Filter, t *Table) (*BoundFilter, error) {
	if f == nil {
		return &BoundFilter{root: &BoundNode{Kind: BoundAnd}}, nil
	}
	b := &binder{t: t}
	root, err := b.bind(f, "filter", 1)
	if err != nil {
		return nil, err
	}
	return &BoundFilter{root: root}, nil
}

type binder struct {
	t      *Table
	leaves int
}

func filterError(path, format string, args ...any) *Error {
	return BadInput("%s: %s", path, fmt.Sprintf(format, args...)).WithField("filter")
}

func (b *binder) bind(f *Filter, path string, depth int) (*BoundNode, error) {
	if depth > MaxFilterDepth {
		return nil, filterError(path, "filter is nested deeper than %d levels", MaxFilterDepth)
	}
	isCombo := f.And != nil || f.Or != nil || f.Not != nil
	isLeaf := f.Column != nil || f.Op != nil
	switch {
	case isCombo && isLeaf:
		return nil, filterError(path, "a filter node is either a combination (and, or, not) or a comparison (column, op, value), not both")
	case isLeaf:
		return b.bindLeaf(f, path)
	case f.Value != nil:
		return nil, filterError(path, "a value without column and op")
	}
	var parts []*BoundNode
	if f.And != nil {
		n := &BoundNode{Kind: BoundAnd}
		for i, c := range f.And {
			child, err := b.bindChild(c, fmt.Sprintf("%s.and[%d]", path, i), depth)
			if err != nil {
				return nil, err
			}
			n.Children = append(n.Children, child)
		}
		parts = append(parts, n)
	}
	if f.Or != nil {
		n := &BoundNode{Kind: BoundOr}
		for i, c := range f.Or {
			child, err := b.bindChild(c, fmt.Sprintf("%s.or[%d]", path, i), depth)
			if err != nil {
				return nil, err
			}
			n.Children = append(n.Children, child)
		}
		parts = append(parts, n)
	}
	if f.Not != nil {
		child, err := b.bindChild(f.Not, path+".not", depth)
		if err != nil {
			return nil, err
		}
		parts = append(parts, &BoundNode{Kind: BoundNot, Children: []*BoundNode{child}})
	}
	switch len(parts) {
	case 0:
		return &BoundNode{Kind: BoundAnd}, nil
	case 1:
		return parts[0], nil
	}
	return &BoundNode{Kind: BoundAnd, Children: parts}, nil
}

func (b *binder) bindChild(f *Filter, path string, depth int) (*BoundNode, error) {
	if f == nil {
		return nil, filterError(path, "null filter")
	}
	return b.bind(f, path, depth+1)
}

// opApplies reports whether op can compare values of type t.
func opApplies(op FilterOp, t ColumnType) bool {
	switch op {
	case OpEq, OpNeq, OpIsNull:
		return true
	case OpLt, OpLte, OpGt, OpGte, OpIn, OpNin:
		return t != TypeJSON && !t.IsArray()
	case OpLike, OpIlike, OpStartsWith:
		return t.IsText()
	case OpContains:
		return t.IsText() || t.IsArray() || t == TypeJSON
	}
	return false
}

func knownOp(op FilterOp) bool {
	for _, o := range FilterOps {
		if o == op {
			return true
		}
	}
	return false
}

func (b *binder) bindLeaf(f *Filter, path string) (*BoundNode, error) {
	if f.Column == nil {
		return nil, filterError(path, "a comparison needs a column")
	}
	if f.Op == nil {
		return nil, filterError(path, "column %q: a comparison needs an operator", *f.Column)
	}
	b.leaves++
	if b.leaves > MaxFilterLeaves {
		return nil, filterError(path, "filter has more than %d comparisons", MaxFilterLeaves)
	}
	name, op := *f.Column, *f.Op
	if isLinkOp(op) {
		return b.bindLinkLeaf(f, path)
	}
	c := b.t.Column(name)
	if c == nil {
		return nil, filterError(path, "unknown column %q", truncateInput(name)).WithField(name)
	}
	fail := func(format string, args ...any) (*BoundNode, error) {
		return nil, filterError(path, "column %q, operator %q: %s", c.Name, truncateInput(string(op)), fmt.Sprintf(format, args...)).WithField(c.Name)
	}
	if !knownOp(op) {
		return fail("unknown operator (one of eq, neq, lt, lte, gt, gte, in, nin, like, ilike, contains, starts_with, is_null)")
	}
	if !opApplies(op, c.Type) {
		return fail("the operator does not apply to %s columns", c.Type)
	}
	n := &BoundNode{Kind: BoundLeaf, Column: c, Op: op}
	v := f.Value
	switch op {
	case OpIsNull:
		flag, ok := v.(bool)
		if !ok {
			return fail("%s is not a boolean (is_null takes true or false)", quoteInput(v))
		}
		n.Value = flag
		return n, nil
	case OpEq, OpNeq:
		if v == nil {
			n.Op, n.Value = OpIsNull, op == OpEq
			return n, nil
		}
	}
	if v == nil {
		return fail("the operator needs a value")
	}
	kind := kindOf(c.Type)
	switch op {
	case OpEq, OpNeq, OpLt, OpLte, OpGt, OpGte:
		val, p := coerce(c, v, modeOperand)
		if p != "" {
			return fail("%s", p)
		}
		n.Value, n.norm = val, normalizeValue(kind, val)
	case OpIn, OpNin:
		items, ok := listItems(v)
		if !ok {
			return fail("%s is not a list", quoteInput(v))
		}
		if len(items) > MaxFilterListLength {
			return fail("a list of %d items is longer than %d", len(items), MaxFilterListLength)
		}
		vals := make([]any, len(items))
		for i, it := range items {
			if it == nil {
				return fail("item %d is null (use is_null to match null values)", i)
			}
			val, p := coerce(c, it, modeOperand)
			if p != "" {
				return fail("item %d: %s", i, p)
			}
			vals[i] = val
			n.normList = append(n.normList, normalizeValue(kind, val))
		}
		n.Value = typedList(c.Type, vals)
	case OpLike, OpIlike, OpStartsWith:
		s, p := coerceText(v, MaxLongTextLength)
		if p != "" {
			return fail("%s", p)
		}
		pattern := s.(string)
		n.Value = pattern
		if op != OpStartsWith {
			if op == OpIlike {
				pattern = asciiLower(pattern)
			}
			toks, ok := compileLike(pattern)
			if !ok {
				return fail("the pattern %s ends with an escape character (\\)", quoteInput(s))
			}
			n.like = toks
		}
	case OpContains:
		switch {
		case c.Type.IsText():
			s, p := coerceText(v, MaxLongTextLength)
			if p != "" {
				return fail("%s", p)
			}
			n.Value, n.folded = s, asciiLower(s.(string))
		case c.Type == TypeJSON:
			val, p := canonicalJSON(v, 0)
			if p != "" {
				return fail("%s", p)
			}
			n.Value, n.norm = val, normalizeValue(kind, val)
		default: // MULTI_SELECT, FILE: one item or a list
			if _, ok := listItems(v); !ok {
				v = []any{v}
			}
			val, p := coerce(c, v, modeOperand)
			if p != "" {
				return fail("%s", p)
			}
			n.Value, n.norm = val, normalizeValue(kind, val)
		}
	}
	return n, nil
}

// typedList turns coerced in/nin items into the typed slice BoundNode.Value documents.
func typedList(t ColumnType, vals []any) any {
	switch kindOf(t) {
	case kInt:
		out := make([]int64, len(vals))
		for i, v := range vals {
			out[i] = v.(int64)
		}
		return out
	case kFloat:
		out := make([]float64, len(vals))
		for i, v := range vals {
			out[i] = v.(float64)
		}
		return out
	case kBool:
		out := make([]bool, len(vals))
		for i, v := range vals {
			out[i] = v.(bool)
		}
		return out
	case kTime:
		out := make([]time.Time, len(vals))
		for i, v := range vals {
			out[i] = v.(time.Time)
		}
		return out
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = v.(string)
	}
	return out
}

// String renders the bound filter for logs and test failures.
func (n *BoundNode) String() string {
	switch n.Kind {
	case BoundLeaf:
		if n.Link != nil {
			return fmt.Sprintf("link %s %s %v", strconv.Quote(n.Link.Link.Name), n.Op, n.Link.IDs)
		}
		return fmt.Sprintf("%s %s %s", strconv.Quote(n.Column.Name), n.Op, fmt.Sprint(n.Value))
	case BoundNot:
		return "not(" + n.Children[0].String() + ")"
	}
	name := "and"
	if n.Kind == BoundOr {
		name = "or"
	}
	s := name + "("
	for i, c := range n.Children {
		if i > 0 {
			s += ", "
		}
		s += c.String()
	}
	return s + ")"
}
