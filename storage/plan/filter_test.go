package plan_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// filterFixture is a real table with one column of every type plus the system columns, and
// its rows as the in-memory evaluator sees them (to_jsonb decoded with UseNumber).
type filterFixture struct {
	db    *sqlx.DB
	table *gqlbase.Table
	rows  []map[string]any
}

var filterColorOptions = []gqlbase.SelectOption{{Value: "red"}, {Value: "green"}, {Value: "blue"}}

func filterFixtureTable() *gqlbase.Table {
	cols := []*gqlbase.Column{
		{Name: "Title", Type: gqlbase.TypeText},
		{Name: "notes", Type: gqlbase.TypeLongText},
		{Name: "qty", Type: gqlbase.TypeInteger},
		{Name: "score", Type: gqlbase.TypeNumber},
		{Name: "price", Type: gqlbase.TypeDecimal},
		{Name: "active", Type: gqlbase.TypeBoolean},
		{Name: "born", Type: gqlbase.TypeDate},
		{Name: "seen_at", Type: gqlbase.TypeDateTime},
		{Name: "email", Type: gqlbase.TypeEmail},
		{Name: "site", Type: gqlbase.TypeURL},
		{Name: "phone", Type: gqlbase.TypePhone},
		{Name: "meta", Type: gqlbase.TypeJSON},
		{Name: "color", Type: gqlbase.TypeSelect, Options: filterColorOptions},
		{Name: "tags", Type: gqlbase.TypeMultiSelect, Options: filterColorOptions},
		{Name: "uid", Type: gqlbase.TypeUUID},
		{Name: "owner", Type: gqlbase.TypeLink},
		{Name: "files", Type: gqlbase.TypeFile},
		{Name: "stars", Type: gqlbase.TypeRating},
	}
	for _, c := range cols {
		c.Nullable = true
	}
	return &gqlbase.Table{Name: "things", Columns: cols}
}

// filterFixtureRows are the rows of the fixture, ids 1 to 31 in order, as JSON inputs that go
// through CoerceValue before they are inserted. Rows 29 and 30 are then overwritten with
// values only raw SQL can write (jsonb null, NaN, infinities, BC dates, NULL array items).
var filterFixtureRows = []string{
	/* 1 */ `{"Title":"Apple","notes":"Crisp RED fruit","qty":5,"score":0.1,"price":"0.1","active":true,"born":"2000-01-01","seen_at":"2026-01-02T03:04:05.123456Z","email":"Ann@Example.com","site":"https://example.com/a","phone":"+1 555 0100","meta":{"a":1,"b":{"c":[1,2,3]}},"color":"red","tags":["red","blue"],"uid":"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11","owner":1,"files":[1,2],"stars":5,"created_by":"ann"}`,
	/* 2 */ `{"Title":"apple","notes":"crisp red fruit","qty":5,"score":0.10,"price":"0.10","active":false,"born":"2000-01-01","seen_at":"2026-01-02T03:04:05.123457Z","email":"bob@example.org","site":"http://Example.com","phone":"(555) 0101","meta":{"a":1.0},"color":"green","tags":["blue","red"],"uid":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12","owner":2,"files":[2,1],"stars":4,"created_by":"Ann"}`,
	/* 3 */ `{"Title":"APPLE PIE","notes":"Pie","qty":-3,"score":-2.5,"price":1e3,"active":true,"born":"1999-12-31","seen_at":"2026-01-02T04:04:05.123456+01:00","email":"carol@EXAMPLE.com","site":"https://example.org/?q=%25","phone":"555.0102 x7","meta":{"a":"1"},"color":"blue","tags":["red"],"uid":"00000000-0000-0000-0000-000000000000","owner":1,"files":[3],"stars":0,"created_by":"bob"}`,
	/* 4 */ `{}`,
	/* 5 */ `{"Title":"Ärger über Öl","notes":"ÄRGER","qty":0,"score":0,"price":"1000.000","active":false,"born":"2024-02-29","seen_at":"2026-01-02T03:04:05Z","email":"dave@example.com","meta":[1,2,[3,4]],"color":"red","tags":[],"uid":"ffffffff-ffff-ffff-ffff-ffffffffffff","files":[],"stars":1}`,
	/* 6 */ `{"Title":"naïve café","notes":"CAFÉ au lait","qty":1,"score":1e300,"price":"-0.5","born":"0001-01-01","seen_at":"1970-01-01T00:00:00Z","meta":["x","y"],"tags":["green","red","blue"],"owner":3,"files":[1,2,3],"stars":2}`,
	/* 7 */ `{"Title":"100%_sure","notes":"percent % and under_score","qty":9223372036854775807,"score":-1e-300,"price":"123456789012345678901234567890.5","born":"9999-12-31","seen_at":"1969-12-31T23:59:59.999999Z","meta":"x","color":"green","tags":["green"],"files":[5],"stars":3}`,
	/* 8 */ `{"Title":"back\\slash","notes":"a\\b","qty":-9223372036854775808,"score":2.5,"price":"0","active":true,"meta":1,"uid":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13"}`,
	/* 9 */ `{"Title":"","notes":"","qty":2,"score":3,"price":"0.0000001","meta":1.0,"tags":["blue"]}`,
	/* 10 */ `{"Title":" leading space","qty":3,"meta":true,"phone":"112"}`,
	/* 11 */ `{"Title":"Zebra","qty":4,"meta":false,"email":"zed@example.com"}`,
	/* 12 */ `{"Title":"zebra","qty":4,"meta":{},"email":"Zed@Example.com"}`,
	/* 13 */ `{"Title":"🍎 apple","qty":10,"meta":[],"score":10}`,
	/* 14 */ `{"Title":"a_c","meta":{"tags":["red","blue"],"n":null}}`,
	/* 15 */ `{"Title":"abc","meta":{"a":{"b":{"c":"deep"}}}}`,
	/* 16 */ `{"Title":"aXc","meta":0.10}`,
	/* 17 */ `{"Title":"ab","meta":1e3}`,
	/* 18 */ `{"Title":"Ab","meta":[{"k":1},{"k":2}]}`,
	/* 19 */ `{"Title":"%","meta":[null]}`,
	/* 20 */ `{"Title":"_"}`,
	/* 21 */ `{"Title":"apple","seen_at":"2026-01-02T03:04:05.123456Z"}`,
	/* 22 */ `{"color":"red","tags":["red","red"]}`,
	/* 23 */ `{"email":"ann@example.com"}`,
	/* 24 */ `{"active":false,"stars":5}`,
	/* 25 */ `{"uid":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}`,
	/* 26 */ `{"owner":1,"files":[1]}`,
	/* 27 */ `{"price":"-0.50","score":-2.5}`,
	/* 28 */ `{"born":"2000-01-01","seen_at":"2000-01-01T00:00:00Z"}`,
	/* 29 */ `{"Title":"raw values"}`,
	/* 30 */ `{"Title":"before Christ"}`,
	/* 31 */ `{"Title":"MiXeD CaSe","notes":"x","meta":{"a":[1,{"b":2}],"z":"q"}}`,
}

var filterFixtureRawUpdates = []string{
	`UPDATE things SET meta = 'null'::jsonb, score = 'NaN', price = 'NaN', born = 'infinity',
		seen_at = '-infinity', tags = '{red,NULL}', files = '{1,NULL}' WHERE id = 29`,
	`UPDATE things SET meta = '{"a": [1, {"b": 2}]}', score = '-Infinity', price = 'Infinity',
		born = '0044-03-15 BC', seen_at = '0044-03-15 12:00:00.5+00 BC', created_by = 'Bob' WHERE id = 30`,
}

func filterDecodeJSON(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// filterSQLParam turns a value CoerceValue returned into a lib/pq parameter.
func filterSQLParam(t testing.TB, c *gqlbase.Column, v any) any {
	switch x := v.(type) {
	case []string:
		return pq.Array(x)
	case []int64:
		return pq.Array(x)
	}
	if c.Type == gqlbase.TypeJSON && v != nil {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	return v
}

func newFilterFixture(t testing.TB) *filterFixture {
	t.Helper()
	ctx := context.Background()
	db := openTestDB(t)
	db.SetMaxOpenConns(1) // one session, so SET TIME ZONE holds for every query
	if _, err := db.ExecContext(ctx, `SET TIME ZONE 'UTC'`); err != nil {
		t.Fatal(err)
	}
	tbl := filterFixtureTable()
	if _, err := db.ExecContext(ctx, `CREATE TABLE things (`+columnsDDL(tbl)+`)`); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	createdBy := &gqlbase.Column{Name: "created_by", Type: gqlbase.TypeText, Nullable: true}
	for i, raw := range filterFixtureRows {
		id := int64(i + 1)
		in := filterDecodeJSON(t, raw).(map[string]any)
		created := base.Add(time.Duration(i%7) * time.Hour)
		names := []string{"id", "created_at", "updated_at", "version", "created_by"}
		cb, err := gqlbase.CoerceValue(createdBy, in["created_by"])
		if err != nil {
			t.Fatal(err)
		}
		params := []any{id, created, created.Add(time.Duration(i) * 1234567 * time.Microsecond), int64(i%3 + 1), cb}
		casts := []string{"bigint", "timestamptz", "timestamptz", "int", "text"}
		for _, c := range tbl.Columns {
			v, err := gqlbase.CoerceValue(c, in[c.Name])
			if err != nil {
				t.Fatalf("row %d: %v", id, err)
			}
			names = append(names, pq.QuoteIdentifier(c.Name))
			params = append(params, filterSQLParam(t, c, v))
			casts = append(casts, c.Type.PGType())
		}
		ph := make([]string, len(params))
		for k := range ph {
			ph[k] = fmt.Sprintf("$%d::%s", k+1, casts[k])
		}
		q := `INSERT INTO things (` + strings.Join(names, ", ") + `) VALUES (` + strings.Join(ph, ", ") + `)`
		if _, err := db.ExecContext(ctx, q, params...); err != nil {
			t.Fatalf("insert row %d: %v", id, err)
		}
	}
	for _, q := range filterFixtureRawUpdates {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var docs [][]byte
	if err := db.SelectContext(ctx, &docs, `SELECT to_jsonb(t) FROM things t ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	fx := &filterFixture{db: db, table: tbl}
	for _, d := range docs {
		fx.rows = append(fx.rows, filterDecodeJSON(t, string(d)).(map[string]any))
	}
	if len(fx.rows) != len(filterFixtureRows) {
		t.Fatalf("%d rows read back, want %d", len(fx.rows), len(filterFixtureRows))
	}
	return fx
}

// sqlIDs runs the compiled filter as storage runs it, in a WHERE clause, and returns the
// matching ids. (Outside NOT a comparison with NULL may be NULL, which WHERE treats as false;
// under NOT every comparison is two-valued, so negation agrees with the in-memory evaluation.)
func (fx *filterFixture) sqlIDs(t testing.TB, b *gqlbase.BoundFilter, label string) []int64 {
	t.Helper()
	expr, params := compileFilter(b, "t")
	rows, err := fx.db.Query(`SELECT id FROM things t WHERE `+expr+` ORDER BY id`, params...)
	if err != nil {
		t.Fatalf("%s: SQL %s %v: %v", label, expr, params, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func (fx *filterFixture) memoryIDs(b *gqlbase.BoundFilter) []int64 {
	ids := []int64{}
	for _, r := range fx.rows {
		if b.Match(r) {
			n, err := r["id"].(json.Number).Int64()
			if err != nil {
				panic(err)
			}
			ids = append(ids, n)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// check binds f, runs it both ways and fails when the id sets differ. It returns the ids.
func (fx *filterFixture) check(t testing.TB, label string, f *gqlbase.Filter) []int64 {
	t.Helper()
	b, err := gqlbase.BindFilter(f, fx.table)
	if err != nil {
		t.Errorf("%s: bind: %v", label, err)
		return nil
	}
	got := fx.sqlIDs(t, b, label)
	mem := fx.memoryIDs(b)
	if !reflect.DeepEqual(got, mem) {
		expr, params := compileFilter(b, "t")
		t.Errorf("%s\n  bound:  %s\n  SQL:    %s %v\n  sql ids:    %v\n  memory ids: %v", label, b.Root(), expr, params, got, mem)
	}
	return got
}

func filterDecodeFilter(t testing.TB, s string) *gqlbase.Filter {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var f gqlbase.Filter
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode filter %s: %v", s, err)
	}
	return &f
}

// filterCases are run both ways; where want is set, the SQL result must also equal it.
var filterCases = []struct {
	f    string
	want []int64
}{
	// TEXT ("Title", a mixed-case identifier)
	{`{"column":"Title","op":"eq","value":"apple"}`, []int64{2, 21}},
	{`{"column":"Title","op":"eq","value":"Apple"}`, []int64{1}},
	{`{"column":"Title","op":"eq","value":""}`, []int64{9}},
	{`{"column":"Title","op":"eq","value":null}`, []int64{4, 22, 23, 24, 25, 26, 27, 28}},
	{`{"column":"Title","op":"neq","value":"apple"}`, nil},
	{`{"column":"Title","op":"neq","value":null}`, nil},
	{`{"column":"Title","op":"lt","value":"a"}`, nil},
	{`{"column":"Title","op":"lte","value":"apple"}`, nil},
	{`{"column":"Title","op":"gt","value":"Zebra"}`, nil},
	{`{"column":"Title","op":"gte","value":"zebra"}`, []int64{5, 12, 13}},
	{`{"column":"Title","op":"lt","value":"Ä"}`, nil},
	{`{"column":"Title","op":"gt","value":"🍎"}`, nil},
	{`{"column":"Title","op":"in","value":["apple","Zebra","nope"]}`, []int64{2, 11, 21}},
	{`{"column":"Title","op":"in","value":[]}`, []int64{}},
	{`{"column":"Title","op":"nin","value":["apple"]}`, nil},
	{`{"column":"Title","op":"nin","value":[]}`, nil},
	{`{"column":"Title","op":"like","value":"a%"}`, []int64{2, 14, 15, 16, 17, 21}},
	{`{"column":"Title","op":"like","value":"%pple"}`, []int64{1, 2, 13, 21}},
	{`{"column":"Title","op":"like","value":"A_ple"}`, []int64{1}},
	{`{"column":"Title","op":"like","value":"100\\%\\_sure"}`, []int64{7}},
	{`{"column":"Title","op":"like","value":"%\\\\%"}`, []int64{8}},
	{`{"column":"Title","op":"like","value":"_"}`, []int64{19, 20}},
	{`{"column":"Title","op":"like","value":"\\_"}`, []int64{20}},
	{`{"column":"Title","op":"like","value":"%"}`, nil},
	{`{"column":"Title","op":"like","value":""}`, []int64{9}},
	{`{"column":"Title","op":"like","value":"a_c"}`, []int64{14, 15, 16}},
	{`{"column":"Title","op":"like","value":"a\\_c"}`, []int64{14}},
	{`{"column":"Title","op":"like","value":"na_ve caf_"}`, []int64{6}},
	{`{"column":"Title","op":"like","value":"_ apple"}`, []int64{13}},
	{`{"column":"Title","op":"like","value":"%a%a%"}`, nil},
	{`{"column":"Title","op":"ilike","value":"APPLE%"}`, []int64{1, 2, 3, 21}},
	{`{"column":"Title","op":"ilike","value":"ärger%"}`, []int64{}},
	{`{"column":"Title","op":"ilike","value":"Ärger ÜBER Öl"}`, []int64{}},
	{`{"column":"Title","op":"ilike","value":"Ärger über öl"}`, []int64{}},
	{`{"column":"Title","op":"ilike","value":"%CAFÉ"}`, []int64{}},
	{`{"column":"Title","op":"ilike","value":"%Café"}`, []int64{6}},
	{`{"column":"Title","op":"ilike","value":"mixed case"}`, []int64{31}},
	{`{"column":"Title","op":"ilike","value":"a_C"}`, []int64{14, 15, 16}},
	{`{"column":"Title","op":"starts_with","value":"app"}`, []int64{2, 21}},
	{`{"column":"Title","op":"starts_with","value":"App"}`, []int64{1}},
	{`{"column":"Title","op":"starts_with","value":""}`, nil},
	{`{"column":"Title","op":"starts_with","value":"🍎"}`, []int64{13}},
	{`{"column":"Title","op":"starts_with","value":"%"}`, []int64{19}},
	{`{"column":"Title","op":"contains","value":"PPL"}`, []int64{1, 2, 3, 13, 21}},
	{`{"column":"Title","op":"contains","value":"é"}`, []int64{6}},
	{`{"column":"Title","op":"contains","value":"É"}`, []int64{}},
	{`{"column":"Title","op":"contains","value":""}`, nil},
	{`{"column":"Title","op":"contains","value":"%"}`, []int64{7, 19}},
	{`{"column":"Title","op":"contains","value":"\\"}`, []int64{8}},
	{`{"column":"Title","op":"contains","value":"_"}`, []int64{7, 14, 20}},
	{`{"column":"Title","op":"is_null","value":true}`, []int64{4, 22, 23, 24, 25, 26, 27, 28}},
	{`{"column":"Title","op":"is_null","value":false}`, nil},
	// LONG_TEXT
	{`{"column":"notes","op":"contains","value":"red"}`, []int64{1, 2}},
	{`{"column":"notes","op":"ilike","value":"%red%"}`, []int64{1, 2}},
	{`{"column":"notes","op":"like","value":"%RED%"}`, []int64{1}},
	{`{"column":"notes","op":"eq","value":"Pie"}`, []int64{3}},
	{`{"column":"notes","op":"lt","value":"b"}`, nil},
	{`{"column":"notes","op":"starts_with","value":"crisp"}`, []int64{2}},
	{`{"column":"notes","op":"contains","value":"ä"}`, []int64{}},
	{`{"column":"notes","op":"contains","value":"Ärger"}`, []int64{5}},
	{`{"column":"notes","op":"contains","value":"café"}`, []int64{}},
	{`{"column":"notes","op":"contains","value":"cafÉ"}`, []int64{6}},
	{`{"column":"notes","op":"like","value":"%\\%%"}`, []int64{7}},
	{`{"column":"notes","op":"like","value":"a\\\\b"}`, []int64{8}},
	{`{"column":"notes","op":"in","value":["", "x"]}`, []int64{9, 31}},
	// INTEGER
	{`{"column":"qty","op":"eq","value":5}`, []int64{1, 2}},
	{`{"column":"qty","op":"eq","value":"5"}`, []int64{1, 2}},
	{`{"column":"qty","op":"neq","value":5}`, nil},
	{`{"column":"qty","op":"lt","value":0}`, []int64{3, 8}},
	{`{"column":"qty","op":"lte","value":0}`, []int64{3, 5, 8}},
	{`{"column":"qty","op":"gt","value":3}`, []int64{1, 2, 7, 11, 12, 13}},
	{`{"column":"qty","op":"gte","value":4}`, []int64{1, 2, 7, 11, 12, 13}},
	{`{"column":"qty","op":"in","value":[1,2,3]}`, []int64{6, 9, 10}},
	{`{"column":"qty","op":"nin","value":[5,4]}`, nil},
	{`{"column":"qty","op":"eq","value":9223372036854775807}`, []int64{7}},
	{`{"column":"qty","op":"lt","value":-9223372036854775807}`, []int64{8}},
	{`{"column":"qty","op":"gt","value":1e3}`, []int64{7}},
	{`{"column":"qty","op":"is_null","value":true}`, nil},
	{`{"not":{"column":"qty","op":"gt","value":3}}`, nil},
	// NUMBER
	{`{"column":"score","op":"eq","value":0.1}`, []int64{1, 2}},
	{`{"column":"score","op":"eq","value":"0.10"}`, []int64{1, 2}},
	{`{"column":"score","op":"lt","value":0}`, []int64{3, 7, 27, 30}},
	{`{"column":"score","op":"gt","value":1e299}`, []int64{6, 29}},
	{`{"column":"score","op":"gte","value":2.5}`, nil},
	{`{"column":"score","op":"lte","value":-2.5}`, []int64{3, 27, 30}},
	{`{"column":"score","op":"in","value":[0.1,3]}`, []int64{1, 2, 9}},
	{`{"column":"score","op":"nin","value":[0]}`, nil},
	{`{"column":"score","op":"neq","value":0}`, nil},
	{`{"column":"score","op":"eq","value":-0}`, []int64{5}},
	{`{"column":"score","op":"lt","value":-1e308}`, []int64{30}},
	{`{"column":"score","op":"gte","value":0}`, nil},
	{`{"column":"score","op":"gt","value":-1e-300}`, nil},
	// DECIMAL
	{`{"column":"price","op":"eq","value":0.1}`, []int64{1, 2}},
	{`{"column":"price","op":"eq","value":"0.10"}`, []int64{1, 2}},
	{`{"column":"price","op":"eq","value":"1000"}`, []int64{3, 5}},
	{`{"column":"price","op":"gt","value":999.9999}`, []int64{3, 5, 7, 29, 30}},
	{`{"column":"price","op":"lt","value":0}`, []int64{6, 27}},
	{`{"column":"price","op":"lte","value":"-0.5"}`, []int64{6, 27}},
	{`{"column":"price","op":"gt","value":"1e29"}`, []int64{7, 29, 30}},
	{`{"column":"price","op":"in","value":["0.1",1000]}`, []int64{1, 2, 3, 5}},
	{`{"column":"price","op":"nin","value":["0"]}`, nil},
	{`{"column":"price","op":"neq","value":"0"}`, nil},
	{`{"column":"price","op":"gte","value":0.0000001}`, nil},
	{`{"column":"price","op":"lt","value":"0.00000011"}`, nil},
	{`{"column":"price","op":"eq","value":"123456789012345678901234567890.50"}`, []int64{7}},
	// BOOLEAN
	{`{"column":"active","op":"eq","value":true}`, []int64{1, 3, 8}},
	{`{"column":"active","op":"eq","value":false}`, []int64{2, 5, 24}},
	{`{"column":"active","op":"neq","value":true}`, nil},
	{`{"column":"active","op":"lt","value":true}`, []int64{2, 5, 24}},
	{`{"column":"active","op":"gt","value":false}`, []int64{1, 3, 8}},
	{`{"column":"active","op":"lte","value":false}`, nil},
	{`{"column":"active","op":"in","value":[true]}`, nil},
	{`{"column":"active","op":"nin","value":[false]}`, nil},
	{`{"column":"active","op":"is_null","value":true}`, nil},
	// DATE
	{`{"column":"born","op":"eq","value":"2000-01-01"}`, []int64{1, 2, 28}},
	{`{"column":"born","op":"lt","value":"2000-01-01"}`, []int64{3, 6, 30}},
	{`{"column":"born","op":"gt","value":"2000-01-01"}`, []int64{5, 7, 29}},
	{`{"column":"born","op":"gte","value":"9999-12-31"}`, []int64{7, 29}},
	{`{"column":"born","op":"lte","value":"0001-01-01"}`, []int64{6, 30}},
	{`{"column":"born","op":"in","value":["2024-02-29","1999-12-31"]}`, []int64{3, 5}},
	{`{"column":"born","op":"nin","value":["2000-01-01"]}`, nil},
	{`{"column":"born","op":"neq","value":"2000-01-01"}`, nil},
	// DATETIME
	{`{"column":"seen_at","op":"eq","value":"2026-01-02T03:04:05.123456Z"}`, []int64{1, 3, 21}},
	{`{"column":"seen_at","op":"eq","value":"2026-01-02T03:04:05.1234561Z"}`, []int64{1, 3, 21}},
	{`{"column":"seen_at","op":"eq","value":"2026-01-02T05:04:05.123457+02:00"}`, []int64{2}},
	{`{"column":"seen_at","op":"gt","value":"2026-01-02T03:04:05.123456Z"}`, []int64{2}},
	{`{"column":"seen_at","op":"lt","value":"1970-01-01T00:00:00Z"}`, []int64{7, 29, 30}},
	{`{"column":"seen_at","op":"lte","value":"1970-01-01"}`, []int64{6, 7, 29, 30}},
	{`{"column":"seen_at","op":"gte","value":"2026-01-02 03:04:05"}`, nil},
	{`{"column":"seen_at","op":"in","value":["2000-01-01T00:00:00Z","2026-01-02T03:04:05Z"]}`, []int64{5, 28}},
	{`{"column":"seen_at","op":"nin","value":["2026-01-02T03:04:05.123456Z"]}`, nil},
	{`{"column":"seen_at","op":"neq","value":"1970-01-01T00:00:00Z"}`, nil},
	// System columns
	{`{"column":"id","op":"in","value":[1,2,3]}`, []int64{1, 2, 3}},
	{`{"column":"id","op":"gt","value":"28"}`, []int64{29, 30, 31}},
	{`{"column":"created_at","op":"eq","value":"2026-03-01T01:00:00Z"}`, []int64{2, 9, 16, 23, 30}},
	{`{"column":"created_at","op":"gte","value":"2026-03-01T06:00:00Z"}`, []int64{7, 14, 21, 28}},
	{`{"column":"updated_at","op":"lt","value":"2026-03-01T00:00:05Z"}`, nil},
	{`{"column":"created_by","op":"eq","value":"ann"}`, []int64{1}},
	{`{"column":"created_by","op":"ilike","value":"ANN"}`, []int64{1, 2}},
	{`{"column":"created_by","op":"is_null","value":false}`, []int64{1, 2, 3, 30}},
	{`{"column":"created_by","op":"lt","value":"a"}`, []int64{2, 30}},
	{`{"column":"version","op":"eq","value":2}`, nil},
	{`{"column":"version","op":"in","value":[1,3]}`, nil},
	// EMAIL, URL, PHONE
	{`{"column":"email","op":"ilike","value":"%@example.com"}`, []int64{1, 3, 5, 11, 12, 23}},
	{`{"column":"email","op":"eq","value":"ann@example.com"}`, []int64{23}},
	{`{"column":"email","op":"contains","value":"EXAMPLE.COM"}`, []int64{1, 3, 5, 11, 12, 23}},
	{`{"column":"email","op":"lt","value":"a"}`, []int64{1, 12}},
	{`{"column":"email","op":"starts_with","value":"Zed"}`, []int64{12}},
	{`{"column":"site","op":"starts_with","value":"https://"}`, []int64{1, 3}},
	{`{"column":"site","op":"contains","value":"example.ORG"}`, []int64{3}},
	{`{"column":"site","op":"like","value":"%\\%25"}`, []int64{3}},
	{`{"column":"site","op":"eq","value":"http://Example.com"}`, []int64{2}},
	{`{"column":"phone","op":"contains","value":"555"}`, []int64{1, 2, 3}},
	{`{"column":"phone","op":"like","value":"(%"}`, []int64{2}},
	{`{"column":"phone","op":"starts_with","value":"+"}`, []int64{1}},
	{`{"column":"phone","op":"gt","value":"5"}`, []int64{3}},
	{`{"column":"phone","op":"is_null","value":false}`, []int64{1, 2, 3, 10}},
	// JSON
	{`{"column":"meta","op":"eq","value":{"a":1}}`, []int64{2}},
	{`{"column":"meta","op":"eq","value":1}`, []int64{8, 9}},
	{`{"column":"meta","op":"eq","value":"x"}`, []int64{7}},
	{`{"column":"meta","op":"eq","value":[1,2,[3,4]]}`, []int64{5}},
	{`{"column":"meta","op":"eq","value":[2,1,[3,4]]}`, []int64{}},
	{`{"column":"meta","op":"eq","value":{}}`, []int64{12}},
	{`{"column":"meta","op":"eq","value":[]}`, []int64{13}},
	{`{"column":"meta","op":"eq","value":true}`, []int64{10}},
	{`{"column":"meta","op":"eq","value":false}`, []int64{11}},
	{`{"column":"meta","op":"eq","value":0.1}`, []int64{16}},
	{`{"column":"meta","op":"eq","value":1000}`, []int64{17}},
	{`{"column":"meta","op":"eq","value":[null]}`, []int64{19}},
	{`{"column":"meta","op":"eq","value":{"tags":["red","blue"],"n":null}}`, []int64{14}},
	{`{"column":"meta","op":"eq","value":{"z":"q","a":[1,{"b":2}]}}`, []int64{31}},
	{`{"column":"meta","op":"eq","value":null}`, []int64{4, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29}},
	{`{"column":"meta","op":"neq","value":{"a":1}}`, nil},
	{`{"column":"meta","op":"contains","value":{"a":1}}`, []int64{1, 2}},
	{`{"column":"meta","op":"contains","value":{"b":{"c":[2]}}}`, []int64{1}},
	{`{"column":"meta","op":"contains","value":[1]}`, []int64{5}},
	{`{"column":"meta","op":"contains","value":[[3]]}`, []int64{5}},
	{`{"column":"meta","op":"contains","value":[3]}`, []int64{}},
	{`{"column":"meta","op":"contains","value":1}`, []int64{5, 8, 9}},
	{`{"column":"meta","op":"contains","value":"x"}`, []int64{6, 7}},
	{`{"column":"meta","op":"contains","value":["x"]}`, []int64{6}},
	{`{"column":"meta","op":"contains","value":{}}`, []int64{1, 2, 3, 12, 14, 15, 30, 31}},
	{`{"column":"meta","op":"contains","value":[]}`, []int64{5, 6, 13, 18, 19}},
	{`{"column":"meta","op":"contains","value":{"tags":["red"]}}`, []int64{14}},
	{`{"column":"meta","op":"contains","value":{"n":null}}`, []int64{14}},
	{`{"column":"meta","op":"contains","value":[{"k":2}]}`, []int64{18}},
	{`{"column":"meta","op":"contains","value":[{}]}`, []int64{18}},
	{`{"column":"meta","op":"contains","value":[null]}`, []int64{19}},
	{`{"column":"meta","op":"contains","value":{"a":{"b":{}}}}`, []int64{15}},
	{`{"column":"meta","op":"contains","value":{"a":[{"b":2}]}}`, []int64{30, 31}},
	{`{"column":"meta","op":"contains","value":{"a":[1]}}`, []int64{30, 31}},
	{`{"column":"meta","op":"contains","value":{"a":"1"}}`, []int64{3}},
	{`{"column":"meta","op":"contains","value":{"a":[]}}`, []int64{30, 31}},
	{`{"column":"meta","op":"contains","value":true}`, []int64{10}},
	{`{"column":"meta","op":"contains","value":0.100}`, []int64{16}},
	{`{"column":"meta","op":"is_null","value":false}`, nil},
	// SELECT
	{`{"column":"color","op":"eq","value":"red"}`, []int64{1, 5, 22}},
	{`{"column":"color","op":"neq","value":"red"}`, nil},
	{`{"column":"color","op":"in","value":["red","blue"]}`, []int64{1, 3, 5, 22}},
	{`{"column":"color","op":"nin","value":["red"]}`, nil},
	{`{"column":"color","op":"lt","value":"green"}`, []int64{3}},
	{`{"column":"color","op":"like","value":"r%"}`, []int64{1, 5, 22}},
	{`{"column":"color","op":"ilike","value":"RED"}`, []int64{1, 5, 22}},
	{`{"column":"color","op":"contains","value":"E"}`, []int64{1, 2, 3, 5, 7, 22}},
	{`{"column":"color","op":"starts_with","value":"g"}`, []int64{2, 7}},
	{`{"column":"color","op":"eq","value":"purple"}`, []int64{}},
	{`{"column":"color","op":"is_null","value":true}`, nil},
	// MULTI_SELECT
	{`{"column":"tags","op":"eq","value":["red","blue"]}`, []int64{1}},
	{`{"column":"tags","op":"eq","value":["blue","red"]}`, []int64{2}},
	{`{"column":"tags","op":"eq","value":[]}`, []int64{5}},
	{`{"column":"tags","op":"eq","value":["red"]}`, []int64{3, 22}},
	{`{"column":"tags","op":"neq","value":["red"]}`, nil},
	{`{"column":"tags","op":"contains","value":"red"}`, []int64{1, 2, 3, 6, 22, 29}},
	{`{"column":"tags","op":"contains","value":["red","blue"]}`, []int64{1, 2, 6}},
	{`{"column":"tags","op":"contains","value":[]}`, []int64{1, 2, 3, 5, 6, 7, 9, 22, 29}},
	{`{"column":"tags","op":"contains","value":"purple"}`, []int64{}},
	{`{"column":"tags","op":"is_null","value":true}`, nil},
	{`{"column":"tags","op":"eq","value":null}`, nil},
	{`{"not":{"column":"tags","op":"contains","value":"red"}}`, nil},
	// UUID
	{`{"column":"uid","op":"eq","value":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}`, []int64{1, 25}},
	{`{"column":"uid","op":"eq","value":"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}`, []int64{1, 25}},
	{`{"column":"uid","op":"lt","value":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12"}`, []int64{1, 3, 25}},
	{`{"column":"uid","op":"gt","value":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12"}`, []int64{5, 8}},
	{`{"column":"uid","op":"gte","value":"ffffffffffffffffffffffffffffffff"}`, []int64{5}},
	{`{"column":"uid","op":"in","value":["00000000-0000-0000-0000-000000000000","a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13"]}`, []int64{3, 8}},
	{`{"column":"uid","op":"nin","value":["00000000-0000-0000-0000-000000000000"]}`, nil},
	{`{"column":"uid","op":"neq","value":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}`, nil},
	{`{"column":"uid","op":"is_null","value":false}`, []int64{1, 2, 3, 5, 8, 25}},
	// LINK
	{`{"column":"owner","op":"eq","value":1}`, []int64{1, 3, 26}},
	{`{"column":"owner","op":"in","value":[1,2]}`, []int64{1, 2, 3, 26}},
	{`{"column":"owner","op":"gt","value":1}`, []int64{2, 6}},
	{`{"column":"owner","op":"neq","value":1}`, nil},
	{`{"column":"owner","op":"nin","value":[3]}`, nil},
	{`{"column":"owner","op":"is_null","value":true}`, nil},
	// FILE
	{`{"column":"files","op":"eq","value":[1,2]}`, []int64{1}},
	{`{"column":"files","op":"eq","value":[2,1]}`, []int64{2}},
	{`{"column":"files","op":"eq","value":[]}`, []int64{5}},
	{`{"column":"files","op":"eq","value":[1]}`, []int64{26}},
	{`{"column":"files","op":"contains","value":1}`, []int64{1, 2, 6, 26, 29}},
	{`{"column":"files","op":"contains","value":[1,2]}`, []int64{1, 2, 6}},
	{`{"column":"files","op":"contains","value":[]}`, []int64{1, 2, 3, 5, 6, 7, 26, 29}},
	{`{"column":"files","op":"contains","value":"3"}`, []int64{3, 6}},
	{`{"column":"files","op":"neq","value":[1,2]}`, nil},
	{`{"column":"files","op":"is_null","value":true}`, nil},
	// RATING
	{`{"column":"stars","op":"eq","value":5}`, []int64{1, 24}},
	{`{"column":"stars","op":"gt","value":3}`, []int64{1, 2, 24}},
	{`{"column":"stars","op":"lte","value":1}`, []int64{3, 5}},
	{`{"column":"stars","op":"in","value":[0,5]}`, []int64{1, 3, 24}},
	{`{"column":"stars","op":"nin","value":[5]}`, nil},
	{`{"column":"stars","op":"lt","value":100}`, nil},
	{`{"column":"stars","op":"neq","value":0}`, nil},
	{`{"column":"stars","op":"is_null","value":true}`, nil},
	// Combinations
	{`{}`, nil},
	{`{"and":[]}`, nil},
	{`{"or":[]}`, []int64{}},
	{`{"not":{"and":[]}}`, []int64{}},
	{`{"not":{"or":[]}}`, nil},
	{`{"and":[{"column":"qty","op":"gt","value":0},{"column":"Title","op":"ilike","value":"a%"}]}`, []int64{1, 2}},
	{`{"or":[{"column":"qty","op":"lt","value":0},{"column":"qty","op":"is_null","value":true}]}`, nil},
	{`{"not":{"column":"Title","op":"eq","value":"apple"}}`, nil},
	{`{"not":{"not":{"column":"qty","op":"eq","value":5}}}`, []int64{1, 2}},
	{`{"not":{"or":[{"column":"qty","op":"eq","value":5},{"column":"qty","op":"is_null","value":true}]}}`, nil},
	{`{"and":[{"or":[{"column":"color","op":"eq","value":"red"},{"column":"color","op":"eq","value":"blue"}]},{"not":{"column":"tags","op":"contains","value":"green"}}]}`, []int64{1, 3, 5, 22}},
	{`{"or":[{"and":[{"column":"price","op":"gt","value":0},{"column":"price","op":"lt","value":1}]},{"column":"meta","op":"contains","value":{"a":1}}]}`, []int64{1, 2, 9}},
	{`{"not":{"column":"meta","op":"contains","value":{"a":1}}}`, nil},
	{`{"not":{"column":"tags","op":"eq","value":["red"]}}`, nil},
	{`{"not":{"column":"Title","op":"like","value":"%"}}`, []int64{4, 22, 23, 24, 25, 26, 27, 28}},
	{`{"not":{"column":"qty","op":"nin","value":[5]}}`, []int64{1, 2}},
	{`{"not":{"column":"qty","op":"neq","value":5}}`, []int64{1, 2}},
	{`{"and":[{"column":"qty","op":"gte","value":0}],"or":[{"column":"active","op":"eq","value":true},{"column":"stars","op":"gt","value":3}],"not":{"column":"Title","op":"eq","value":"Apple"}}`, []int64{2}},
	{`{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"column":"score","op":"gt","value":0}}}}}}}}}}}`, nil},
	{`{"not":{"and":[{"column":"score","op":"gt","value":0},{"not":{"column":"price","op":"is_null","value":true}}]}}`, nil},
	{`{"or":[{"not":{"column":"born","op":"lt","value":"2000-01-01"}},{"column":"seen_at","op":"is_null","value":true}]}`, nil},
	{`{"and":[{"column":"meta","op":"neq","value":null},{"not":{"column":"meta","op":"contains","value":{}}},{"not":{"column":"meta","op":"contains","value":[]}}]}`, []int64{7, 8, 9, 10, 11, 16, 17}},
}

func TestFilterSQLAgreesWithMatch(t *testing.T) {
	fx := newFilterFixture(t)
	if len(filterCases) < 150 {
		t.Fatalf("only %d filter cases", len(filterCases))
	}
	nonEmpty := 0
	for i, tc := range filterCases {
		label := fmt.Sprintf("case %d %s", i, tc.f)
		got := fx.check(t, label, filterDecodeFilter(t, tc.f))
		if len(got) > 0 && len(got) < len(filterFixtureRows) {
			nonEmpty++
		}
		if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got ids %v, want %v", label, got, tc.want)
		}
	}
	// Most filters must select some rows but not all, or the comparison proves little.
	if nonEmpty < len(filterCases)*3/4 {
		t.Errorf("only %d of %d filters select a proper, non-empty subset of the rows", nonEmpty, len(filterCases))
	}
}

func TestFilterSQLUnqualifiedAndParameterised(t *testing.T) {
	fx := newFilterFixture(t)
	evil := `x'; DROP TABLE things; --`
	b, err := gqlbase.BindFilter(filterDecodeFilter(t, `{"or":[{"column":"Title","op":"eq","value":`+filterMustJSON(t, evil)+`},{"column":"qty","op":"in","value":[1,2]}]}`), fx.table)
	if err != nil {
		t.Fatal(err)
	}
	expr, params := compileFilter(b, "")
	if strings.Contains(expr, evil) || strings.Contains(expr, "DROP") {
		t.Fatalf("value inlined into SQL: %s", expr)
	}
	if !strings.Contains(expr, `"Title"`) || strings.Contains(expr, "t.") {
		t.Fatalf("unqualified expression expected: %s", expr)
	}
	var ids []int64
	if err := fx.db.Select(&ids, `SELECT id FROM things WHERE `+expr+` ORDER BY id`, params...); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids, []int64{6, 9}) {
		t.Fatalf("ids %v, want [6 9]", ids)
	}
}

func filterMustJSON(t testing.TB, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
