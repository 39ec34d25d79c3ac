package plan_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/gqlbase/gqlbase"
)

// filterGen builds random filters over the fixture table, drawing operands from the fixture's
// own values (so that comparisons often hold) and from a few others.
type filterGen struct {
	r       *rand.Rand
	columns []*gqlbase.Column
	pools   map[string][]any // column → candidate operands (JSON-decoded forms)
}

func newFilterGen(t testing.TB, seed int64, tbl *gqlbase.Table) *filterGen {
	g := &filterGen{r: rand.New(rand.NewSource(seed)), pools: map[string][]any{}}
	g.columns = append(g.columns, tbl.Columns...)
	g.columns = append(g.columns, gqlbase.SystemColumns...)
	for _, raw := range filterFixtureRows {
		for k, v := range filterDecodeJSON(t, raw).(map[string]any) {
			if v != nil {
				g.pools[k] = append(g.pools[k], v)
			}
		}
	}
	extra := map[string][]string{
		"Title":      {`"apple"`, `"b"`, `"Z"`, `"ä"`, `""`},
		"qty":        {`-1`, `"7"`, `4.0`, `1e1`},
		"score":      {`0.1`, `-0`, `1e-300`, `"2.5"`, `-1e308`},
		"price":      {`"0.1"`, `"1000.0"`, `1e3`, `-0.5`, `"0.00000010"`},
		"born":       {`"2000-01-02"`, `"1000-06-15"`},
		"seen_at":    {`"2026-01-02T03:04:05.123456+00:00"`, `"2026-01-02"`, `"1969-12-31T23:59:59.9999995Z"`},
		"uid":        {`"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12"`, `"80000000000000000000000000000000"`},
		"color":      {`"purple"`, `"Red"`},
		"stars":      {`2`, `9`},
		"owner":      {`2`, `99`},
		"id":         {`1`, `2`, `5`, `16`, `29`, `30`, `31`, `"12"`},
		"created_at": {`"2026-03-01T00:00:00Z"`, `"2026-03-01T03:00:00Z"`, `"2026-03-01T02:30:00+01:00"`},
		"updated_at": {`"2026-03-01T00:00:10Z"`, `"2026-03-01T06:00:30.8641Z"`},
		"created_by": {`"ann"`, `"Ann"`, `"bob"`, `"Bob"`, `"zed"`},
		"version":    {`1`, `2`, `3`},
		"meta":       {`{"a":1}`, `[1]`, `1`, `"x"`, `{"a":[1]}`, `[{"k":1}]`, `{"b":{"c":[]}}`, `null`},
		"tags":       {`["red"]`, `["blue","red"]`, `[]`, `["green","blue"]`},
		"files":      {`[1]`, `[2,1]`, `[]`, `[3,5]`},
	}
	for k, vals := range extra {
		for _, v := range vals {
			g.pools[k] = append(g.pools[k], filterDecodeJSON(t, v))
		}
	}
	return g
}

func (g *filterGen) pick(vals []any) any {
	if len(vals) == 0 {
		return nil
	}
	return vals[g.r.Intn(len(vals))]
}

// ops lists the operators that apply to a column type.
func filterOpsFor(t gqlbase.ColumnType) []gqlbase.FilterOp {
	ops := []gqlbase.FilterOp{gqlbase.OpEq, gqlbase.OpNeq, gqlbase.OpIsNull}
	if t != gqlbase.TypeJSON && !t.IsArray() {
		ops = append(ops, gqlbase.OpLt, gqlbase.OpLte, gqlbase.OpGt, gqlbase.OpGte, gqlbase.OpIn, gqlbase.OpNin)
	}
	if t.IsText() {
		ops = append(ops, gqlbase.OpLike, gqlbase.OpIlike, gqlbase.OpStartsWith)
	}
	if t.IsText() || t.IsArray() || t == gqlbase.TypeJSON {
		ops = append(ops, gqlbase.OpContains)
	}
	return ops
}

func (g *filterGen) filter(depth int) *gqlbase.Filter {
	if depth >= 5 || g.r.Intn(10) < 4 {
		return g.leaf()
	}
	switch g.r.Intn(7) {
	case 0, 1:
		f := &gqlbase.Filter{And: []*gqlbase.Filter{}}
		for i := g.r.Intn(4); i > 0; i-- {
			f.And = append(f.And, g.filter(depth+1))
		}
		return f
	case 2, 3:
		f := &gqlbase.Filter{Or: []*gqlbase.Filter{}}
		for i := g.r.Intn(4); i > 0; i-- {
			f.Or = append(f.Or, g.filter(depth+1))
		}
		return f
	case 4, 5:
		return &gqlbase.Filter{Not: g.filter(depth + 1)}
	}
	// A node combining and, or and not.
	return &gqlbase.Filter{
		And: []*gqlbase.Filter{g.filter(depth + 1)},
		Or:  []*gqlbase.Filter{g.filter(depth + 1), g.filter(depth + 1)},
		Not: g.filter(depth + 1),
	}
}

func (g *filterGen) leaf() *gqlbase.Filter {
	c := g.columns[g.r.Intn(len(g.columns))]
	ops := filterOpsFor(c.Type)
	op := ops[g.r.Intn(len(ops))]
	name := c.Name
	f := &gqlbase.Filter{Column: &name, Op: &op}
	pool := g.pools[c.Name]
	switch op {
	case gqlbase.OpIsNull:
		f.Value = g.r.Intn(2) == 0
	case gqlbase.OpEq, gqlbase.OpNeq:
		if g.r.Intn(8) > 0 {
			f.Value = g.pick(pool)
		}
		if c.Type == gqlbase.TypeJSON && f.Value != nil && g.r.Intn(3) == 0 {
			f.Value = g.jsonPart(f.Value)
		}
	case gqlbase.OpLt, gqlbase.OpLte, gqlbase.OpGt, gqlbase.OpGte:
		f.Value = g.pick(pool)
	case gqlbase.OpIn, gqlbase.OpNin:
		list := []any{}
		for i := g.r.Intn(5); i > 0; i-- {
			list = append(list, g.pick(pool))
		}
		f.Value = list
	case gqlbase.OpLike, gqlbase.OpIlike:
		f.Value = g.pattern(g.text(pool), op == gqlbase.OpIlike)
	case gqlbase.OpStartsWith:
		s := []rune(g.text(pool))
		f.Value = string(s[:g.r.Intn(len(s)+1)])
	case gqlbase.OpContains:
		switch c.Type {
		case gqlbase.TypeMultiSelect:
			opts := []any{"red", "green", "blue", "purple"}
			if g.r.Intn(3) == 0 {
				f.Value = g.pick(opts)
			} else {
				f.Value = g.subset(opts)
			}
		case gqlbase.TypeFile:
			ids := []any{json.Number("1"), json.Number("2"), json.Number("3"), json.Number("5"), "4"}
			if g.r.Intn(3) == 0 {
				f.Value = g.pick(ids)
			} else {
				f.Value = g.subset(ids)
			}
		case gqlbase.TypeJSON:
			v := g.pick(pool)
			for v == nil {
				v = g.pick(pool)
			}
			f.Value = g.jsonPart(v)
		default:
			s := []rune(g.text(pool))
			i := g.r.Intn(len(s) + 1)
			j := i + g.r.Intn(len(s)-i+1)
			f.Value = g.flipCase(string(s[i:j]))
		}
	}
	return f
}

func (g *filterGen) text(pool []any) string {
	for i := 0; i < 10; i++ {
		if s, ok := g.pick(pool).(string); ok {
			return s
		}
	}
	return "abc"
}

func (g *filterGen) subset(items []any) []any {
	out := []any{}
	for _, it := range items {
		if g.r.Intn(3) == 0 {
			out = append(out, it)
		}
	}
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func (g *filterGen) flipCase(s string) string {
	if g.r.Intn(2) == 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if g.r.Intn(2) == 0 {
			if unicode.IsUpper(r) {
				r = unicode.ToLower(r)
			} else {
				r = unicode.ToUpper(r)
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pattern derives a LIKE pattern from s: literal characters escaped, some replaced by _,
// a random prefix and suffix replaced by %.
func (g *filterGen) pattern(s string, flip bool) string {
	if flip {
		s = g.flipCase(s)
	}
	rs := []rune(s)
	i := g.r.Intn(len(rs) + 1)
	j := i + g.r.Intn(len(rs)-i+1)
	var b strings.Builder
	if i > 0 || g.r.Intn(4) == 0 {
		b.WriteByte('%')
	}
	for _, r := range rs[i:j] {
		switch {
		case g.r.Intn(6) == 0:
			b.WriteByte('_')
		case r == '%' || r == '_' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case g.r.Intn(20) == 0:
			b.WriteString(`\`) // escaping an ordinary character makes it literal
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	if j < len(rs) || g.r.Intn(4) == 0 {
		b.WriteByte('%')
	}
	return b.String()
}

// jsonPart returns a random part of a JSON value: a subset of an object's keys or an
// array's items (recursively), or the value itself.
func (g *filterGen) jsonPart(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := map[string]any{}
		for _, k := range keys {
			if g.r.Intn(2) == 0 {
				out[k] = g.jsonPart(x[k])
			}
		}
		return out
	case []any:
		out := []any{}
		for _, it := range x {
			if g.r.Intn(2) == 0 {
				out = append(out, g.jsonPart(it))
			}
		}
		if len(out) == 1 && g.r.Intn(3) == 0 && !filterIsContainer(out[0]) {
			return out[0] // an array contains a primitive at the top level
		}
		return out
	}
	return v
}

func filterIsContainer(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return true
	}
	return false
}

func TestFilterSQLAgreesWithMatchRandom(t *testing.T) {
	fx := newFilterFixture(t)
	const perSeed = 1500
	selective := 0
	for _, seed := range []int64{1, 2} {
		g := newFilterGen(t, seed, fx.table)
		for i := 0; i < perSeed; i++ {
			f := g.filter(0)
			data, _ := json.Marshal(f)
			label := fmt.Sprintf("seed %d filter %d %s", seed, i, data)
			if _, err := gqlbase.BindFilter(f, fx.table); err != nil {
				t.Errorf("%s: generated filter does not bind: %v", label, err)
				continue
			}
			ids := fx.check(t, label, f)
			if len(ids) > 0 && len(ids) < len(filterFixtureRows) {
				selective++
			}
			if t.Failed() && i > 20 {
				t.FailNow() // one seed's failures are enough to read
			}
		}
	}
	t.Logf("%d of %d random filters select a proper, non-empty subset of the rows", selective, 2*perSeed)
	if selective < perSeed/2 {
		t.Errorf("only %d of %d random filters select a proper, non-empty subset", selective, 2*perSeed)
	}
}
