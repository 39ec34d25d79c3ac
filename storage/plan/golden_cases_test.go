package plan_test

import (
	"strconv"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// goldenFixture is the tables the golden statements read: the filter fixture's things (a
// column of every type), and artists ← albums ← tracks linked by LINK columns.
type goldenFixture struct {
	things, artists, albums, tracks *gqlbase.Table
}

func goldenFixtures() *goldenFixture {
	things := filterFixtureTable()
	things.ID, things.DatabaseID, things.Schema = 10, 1, goldenSchema
	artists := &gqlbase.Table{ID: 1, DatabaseID: 1, Schema: goldenSchema, Name: "artists", Columns: []*gqlbase.Column{
		{Name: "name", Type: gqlbase.TypeText},
		{Name: "born", Type: gqlbase.TypeDate, Nullable: true},
	}}
	albums := &gqlbase.Table{ID: 2, DatabaseID: 1, Schema: goldenSchema, Name: "albums", Columns: []*gqlbase.Column{
		{Name: "title", Type: gqlbase.TypeText},
		{Name: "artist", Type: gqlbase.TypeLink, LinkTableID: &artists.ID, Nullable: true},
		{Name: "year", Type: gqlbase.TypeInteger, Nullable: true},
		{Name: "price", Type: gqlbase.TypeDecimal, Nullable: true},
		{Name: "score", Type: gqlbase.TypeNumber, Nullable: true},
		{Name: "tags", Type: gqlbase.TypeMultiSelect, Options: filterColorOptions, Nullable: true},
		{Name: "meta", Type: gqlbase.TypeJSON, Nullable: true},
	}}
	tracks := &gqlbase.Table{ID: 3, DatabaseID: 1, Schema: goldenSchema, Name: "tracks", Columns: []*gqlbase.Column{
		{Name: "Track Name", Type: gqlbase.TypeText},
		{Name: "album", Type: gqlbase.TypeLink, LinkTableID: &albums.ID, Nullable: true},
		{Name: "ms", Type: gqlbase.TypeInteger, Nullable: true},
	}}
	return &goldenFixture{things: things, artists: artists, albums: albums, tracks: tracks}
}

// col is a column of t, which the case must name right.
func col(t *gqlbase.Table, name string) *gqlbase.Column {
	c := t.Column(name)
	if c == nil {
		panic("golden fixture: table " + t.Name + " has no column " + name)
	}
	return c
}

// obj is a NodeObject of key, node pairs.
func obj(pairs ...any) *plan.Node {
	n := &plan.Node{Kind: plan.NodeObject}
	for i := 0; i < len(pairs); i += 2 {
		n.Keys = append(n.Keys, pairs[i].(string))
		n.Children = append(n.Children, pairs[i+1].(*plan.Node))
	}
	return n
}

// cols is an object of the named columns of t, each under its own name.
func cols(t *gqlbase.Table, names ...string) *plan.Node {
	var pairs []any
	for _, n := range names {
		pairs = append(pairs, n, &plan.Node{Kind: plan.NodeColumn, Column: col(t, n)})
	}
	return obj(pairs...)
}

func limit(n int) *int { return &n }

// compiled makes a case of a plan.
func compiled(name string, p *plan.Plan) goldenCase {
	return goldenCase{name: name, compile: func() (string, []any, error) { return plan.Compile(p) }}
}

// where binds a JSON filter to t as a condition.
func where(tb testing.TB, t *gqlbase.Table, filter string) *plan.Cond {
	tb.Helper()
	b, err := gqlbase.BindFilter(filterDecodeFilter(tb, filter), t)
	if err != nil {
		tb.Fatalf("bind %s: %v", filter, err)
	}
	return &plan.Cond{Filter: b}
}

// goldenFilters are filters over the things fixture: every operator on the column types it
// applies to, and the combinations, which change how the leaves under a NOT compile.
var goldenFilters = []string{
	// eq, neq and order comparisons per type
	`{"column":"Title","op":"eq","value":"apple"}`,
	`{"column":"Title","op":"eq","value":null}`,
	`{"column":"Title","op":"neq","value":"apple"}`,
	`{"column":"Title","op":"neq","value":null}`,
	`{"column":"Title","op":"lt","value":"b"}`,
	`{"column":"Title","op":"lte","value":"b"}`,
	`{"column":"Title","op":"gt","value":"b"}`,
	`{"column":"Title","op":"gte","value":"b"}`,
	`{"column":"notes","op":"eq","value":"x"}`,
	`{"column":"email","op":"eq","value":"ann@example.com"}`,
	`{"column":"site","op":"eq","value":"https://example.com"}`,
	`{"column":"phone","op":"eq","value":"+1 555 0100"}`,
	`{"column":"qty","op":"eq","value":5}`,
	`{"column":"qty","op":"gt","value":-3}`,
	`{"column":"score","op":"lt","value":0.5}`,
	`{"column":"price","op":"gte","value":"0.10"}`,
	`{"column":"active","op":"eq","value":true}`,
	`{"column":"born","op":"lte","value":"2000-01-01"}`,
	`{"column":"seen_at","op":"gt","value":"2026-01-02T03:04:05.5Z"}`,
	`{"column":"uid","op":"eq","value":"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}`,
	`{"column":"meta","op":"eq","value":{"a":1}}`,
	`{"column":"meta","op":"neq","value":[1,"x"]}`,
	`{"column":"color","op":"eq","value":"red"}`,
	`{"column":"tags","op":"eq","value":["red","blue"]}`,
	`{"column":"owner","op":"eq","value":1}`,
	`{"column":"files","op":"eq","value":[1,2]}`,
	`{"column":"stars","op":"gte","value":3}`,
	`{"column":"id","op":"lt","value":10}`,
	`{"column":"created_at","op":"gte","value":"2026-03-01T00:00:00Z"}`,
	`{"column":"created_by","op":"eq","value":"ann"}`,
	// lists
	`{"column":"Title","op":"in","value":["apple","Zebra"]}`,
	`{"column":"Title","op":"in","value":[]}`,
	`{"column":"Title","op":"nin","value":["apple"]}`,
	`{"column":"qty","op":"in","value":[1,2,3]}`,
	`{"column":"qty","op":"nin","value":[]}`,
	`{"column":"score","op":"in","value":[0.5,1]}`,
	`{"column":"price","op":"in","value":["0.1","2"]}`,
	`{"column":"active","op":"in","value":[true]}`,
	`{"column":"born","op":"in","value":["2000-01-01","2024-02-29"]}`,
	`{"column":"seen_at","op":"in","value":["2026-01-02T03:04:05Z","1970-01-01T00:00:00+01:00"]}`,
	`{"column":"uid","op":"nin","value":["00000000-0000-0000-0000-000000000000"]}`,
	`{"column":"color","op":"in","value":["red","green"]}`,
	`{"column":"owner","op":"in","value":[1,2]}`,
	// text
	`{"column":"Title","op":"like","value":"a%"}`,
	`{"column":"Title","op":"ilike","value":"APPLE%"}`,
	`{"column":"Title","op":"starts_with","value":"app"}`,
	`{"column":"Title","op":"contains","value":"PPL"}`,
	`{"column":"email","op":"ilike","value":"%@EXAMPLE.com"}`,
	// contains on lists and JSON
	`{"column":"tags","op":"contains","value":["red"]}`,
	`{"column":"files","op":"contains","value":[2]}`,
	`{"column":"meta","op":"contains","value":{"a":1}}`,
	// null
	`{"column":"Title","op":"is_null","value":true}`,
	`{"column":"meta","op":"is_null","value":false}`,
	// and, or, not
	`{"and":[{"column":"qty","op":"gt","value":1},{"column":"Title","op":"like","value":"a%"}]}`,
	`{"or":[{"column":"qty","op":"gt","value":1},{"column":"active","op":"eq","value":true}]}`,
	`{"and":[]}`,
	`{"or":[]}`,
	`{"not":{"column":"Title","op":"eq","value":"apple"}}`,
	`{"not":{"column":"Title","op":"lt","value":"b"}}`,
	`{"not":{"column":"Title","op":"ilike","value":"a%"}}`,
	`{"not":{"column":"Title","op":"contains","value":"p"}}`,
	`{"not":{"column":"tags","op":"contains","value":["red"]}}`,
	`{"not":{"column":"Title","op":"in","value":["a","b"]}}`,
	`{"not":{"column":"Title","op":"nin","value":["a"]}}`,
	`{"not":{"column":"Title","op":"neq","value":"a"}}`,
	`{"not":{"column":"Title","op":"is_null","value":true}}`,
	`{"not":{"and":[{"column":"qty","op":"gt","value":1},{"or":[{"column":"score","op":"lt","value":2},{"column":"born","op":"eq","value":"2000-01-01"}]}]}}`,
	`{"not":{"not":{"column":"qty","op":"eq","value":1}}}`,
	`{"and":[{"column":"qty","op":"lt","value":9}],"or":[{"column":"qty","op":"gt","value":1}],"not":{"column":"qty","op":"eq","value":5}}`,
}

func goldenGroups(tb testing.TB) []goldenGroup {
	f := goldenFixtures()
	things, artists, albums, tracks := f.things, f.artists, f.albums, f.tracks
	albumArtist, trackAlbum := col(albums, "artist"), col(tracks, "album")

	var filters []goldenCase
	for _, s := range goldenFilters {
		b, err := gqlbase.BindFilter(filterDecodeFilter(tb, s), things)
		if err != nil {
			tb.Fatalf("bind %s: %v", s, err)
		}
		filters = append(filters, goldenCase{name: s, compile: func() (string, []any, error) {
			var a plan.Args
			expr := plan.Filter(b, "t", &a)
			return "SELECT t.id FROM " + plan.Qualified(things.Schema, things.Name) + " t WHERE " + expr + " ORDER BY t.id", a.List, nil
		}})
	}
	unqualified, err := gqlbase.BindFilter(filterDecodeFilter(tb, `{"or":[{"column":"Title","op":"eq","value":"it's"},{"not":{"column":"qty","op":"in","value":[1]}}]}`), things)
	if err != nil {
		tb.Fatal(err)
	}
	filters = append(filters, goldenCase{name: "unqualified columns (alias \"\")", compile: func() (string, []any, error) {
		var a plan.Args
		expr := plan.Filter(unqualified, "", &a)
		return "SELECT id FROM " + plan.Qualified(things.Schema, things.Name) + " WHERE " + expr, a.List, nil
	}})
	filters = append(filters, compiled("a filter in a plan's where, with the parameters of the plan around it",
		&plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: things, Limit: limit(5), IDs: []int64{1, 2},
			Where: &plan.Cond{And: []*plan.Cond{where(tb, things, `{"column":"qty","op":"gt","value":1}`), {Not: where(tb, things, `{"column":"Title","op":"eq","value":"a"}`)}}}},
			Node: cols(things, "id")}))

	trackRow := cols(tracks, "id", "Track Name")
	relationships := []goldenCase{
		compiled("object relationship, two levels", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: tracks, Limit: limit(10)},
			Node: obj("name", &plan.Node{Kind: plan.NodeColumn, Column: col(tracks, "Track Name")},
				"album", &plan.Node{Kind: plan.NodeObjectRel, Link: trackAlbum, Target: albums,
					Child: obj("title", &plan.Node{Kind: plan.NodeColumn, Column: col(albums, "title")},
						"artist", &plan.Node{Kind: plan.NodeObjectRel, Link: albumArtist, Target: artists, Child: cols(artists, "name")})})}),
		compiled("object relationship inside an array relationship: joined in the array's subquery", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: artists, Limit: limit(10)},
			Node: obj("albums", &plan.Node{Kind: plan.NodeArrayRel, Link: albumArtist, Rows: &plan.RowSet{Table: albums, Limit: limit(5)},
				Child: obj("title", &plan.Node{Kind: plan.NodeColumn, Column: col(albums, "title")},
					"artist", &plan.Node{Kind: plan.NodeObjectRel, Link: albumArtist, Target: artists, Child: cols(artists, "name")})})}),
		compiled("object relationship of a row by id: joined", &plan.Plan{Kind: plan.One, Rows: plan.RowSet{Table: tracks}, ID: 7,
			Node: obj("album", &plan.Node{Kind: plan.NodeObjectRel, Link: trackAlbum, Target: albums, Child: cols(albums, "title")})}),
		compiled("object relationship in aggregate nodes: a subquery", &plan.Plan{Kind: plan.Aggregate, Rows: plan.RowSet{Table: tracks, Limit: limit(5)},
			Node: obj("nodes", &plan.Node{Kind: plan.NodeRows, Child: obj(
				"album", &plan.Node{Kind: plan.NodeObjectRel, Link: trackAlbum, Target: albums, Child: cols(albums, "title")})})}),
		compiled("array relationship with where, order and limit, nested", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: artists, Limit: limit(10)},
			Node: obj("name", &plan.Node{Kind: plan.NodeColumn, Column: col(artists, "name")},
				"albums", &plan.Node{Kind: plan.NodeArrayRel, Link: albumArtist,
					Rows: &plan.RowSet{Table: albums, Limit: limit(5), Offset: 1, Where: where(tb, albums, `{"column":"year","op":"gt","value":1990}`),
						Order: []plan.OrderKey{{Column: col(albums, "year"), Desc: true}}},
					Child: obj("title", &plan.Node{Kind: plan.NodeColumn, Column: col(albums, "title")},
						"tracks", &plan.Node{Kind: plan.NodeArrayRel, Link: trackAlbum, Rows: &plan.RowSet{Table: tracks, Limit: limit(3)}, Child: trackRow})})}),
		compiled("aggregate relationship: count, sum, avg, min, max, counts of columns, nodes with a limit", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: artists, Limit: limit(10)},
			Node: obj("albums_aggregate", &plan.Node{Kind: plan.NodeAggregateRel, Link: albumArtist,
				Rows: &plan.RowSet{Table: albums, Where: where(tb, albums, `{"column":"price","op":"is_null","value":false}`)},
				Child: obj(
					"count", &plan.Node{Kind: plan.NodeCount},
					"count_year", &plan.Node{Kind: plan.NodeCount, Columns: []*gqlbase.Column{col(albums, "year")}},
					"count_distinct", &plan.Node{Kind: plan.NodeCount, Columns: []*gqlbase.Column{col(albums, "year"), col(albums, "title")}, Distinct: true},
					"sum_price", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggSumFn, Column: col(albums, "price")},
					"avg_year", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggAvgFn, Column: col(albums, "year")},
					"min_title", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggMinFn, Column: col(albums, "title")},
					"max_price", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggMaxFn, Column: col(albums, "price")},
					"nodes", &plan.Node{Kind: plan.NodeRows, Limit: limit(2), Child: cols(albums, "id", "title")})})}),
		compiled("aggregate relationship whose rows carry the limit", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, Limit: limit(10)},
			Node: obj("tracks_aggregate", &plan.Node{Kind: plan.NodeAggregateRel, Link: trackAlbum,
				Rows:  &plan.RowSet{Table: tracks, Limit: limit(4)},
				Child: obj("sum_ms", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggSumFn, Column: col(tracks, "ms")}, "nodes", &plan.Node{Kind: plan.NodeRows, Child: trackRow})})}),
		compiled("EXISTS forward through an object relationship", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: tracks, Limit: limit(10),
			Where: &plan.Cond{Exists: &plan.CondExists{Link: trackAlbum, Forward: true, Target: albums, Where: where(tb, albums, `{"column":"title","op":"eq","value":"Blue"}`)}}},
			Node: trackRow}),
		compiled("EXISTS backward through an array relationship, nested two levels", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: artists, Limit: limit(10),
			Where: &plan.Cond{Exists: &plan.CondExists{Link: albumArtist, Target: albums, Where: &plan.Cond{
				Exists: &plan.CondExists{Link: trackAlbum, Target: tracks, Where: where(tb, tracks, `{"column":"ms","op":"gt","value":60000}`)}}}}},
			Node: cols(artists, "id")}),
		compiled("EXISTS without a condition, under NOT and OR", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, Limit: limit(10),
			Where: &plan.Cond{Or: []*plan.Cond{
				{Not: &plan.Cond{Exists: &plan.CondExists{Link: trackAlbum, Target: tracks}}},
				{And: []*plan.Cond{where(tb, albums, `{"column":"year","op":"eq","value":2000}`), {Exists: &plan.CondExists{Link: albumArtist, Forward: true, Target: artists}}}},
			}}},
			Node: cols(albums, "id")}),
		compiled("empty and, empty or and an empty condition", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, Limit: limit(10),
			Where: &plan.Cond{And: []*plan.Cond{{And: []*plan.Cond{}}, {Or: []*plan.Cond{}}, {}}}},
			Node: cols(albums, "id")}),
	}

	orderList := func(name string, t *gqlbase.Table, rs plan.RowSet) goldenCase {
		rs.Table = t
		if rs.Limit == nil {
			rs.Limit = limit(20)
		}
		return compiled(name, &plan.Plan{Kind: plan.List, Rows: rs, Node: cols(t, "id")})
	}
	year, title := col(albums, "year"), col(albums, "title")
	orders := []goldenCase{
		orderList("by a column, ascending", albums, plan.RowSet{Order: []plan.OrderKey{{Column: year}}}),
		orderList("by a column, descending (nulls first, as Postgres)", albums, plan.RowSet{Order: []plan.OrderKey{{Column: year, Desc: true}}}),
		orderList("nulls first and nulls last", albums, plan.RowSet{Order: []plan.OrderKey{
			{Column: year, Nulls: gqlbase.NullsFirst}, {Column: col(albums, "price"), Desc: true, Nulls: gqlbase.NullsLast}}}),
		orderList("by text, list and JSON columns", albums, plan.RowSet{Order: []plan.OrderKey{{Column: title}, {Column: col(albums, "tags")}, {Column: col(albums, "meta"), Desc: true}}}),
		orderList("by id descending: no second id key", albums, plan.RowSet{Order: []plan.OrderKey{{Column: col(albums, "id"), Desc: true}}}),
		orderList("a key given twice counts once", albums, plan.RowSet{Order: []plan.OrderKey{{Column: year}, {Column: year, Desc: true}}}),
		orderList("through an object relationship", tracks, plan.RowSet{Order: []plan.OrderKey{{Column: title, Via: []plan.OrderHop{{Link: trackAlbum, Target: albums}}}}}),
		orderList("through two relationships, descending nulls last", tracks, plan.RowSet{Order: []plan.OrderKey{
			{Column: col(artists, "name"), Desc: true, Nulls: gqlbase.NullsLast, Via: []plan.OrderHop{{Link: trackAlbum, Target: albums}, {Link: albumArtist, Target: artists}}},
			{Column: col(tracks, "ms")}}}),
		orderList("text in byte order when asked, natural otherwise", albums, plan.RowSet{Order: []plan.OrderKey{{Column: title, Bytes: true}, {Column: col(albums, "tags"), Bytes: true}, {Column: year, Bytes: true}}}),
		orderList("distinct on a text column: the same collated expression leads the order", albums, plan.RowSet{DistinctOn: []*gqlbase.Column{title},
			Order: []plan.OrderKey{{Column: title, Desc: true}}}),
		orderList("distinct on a text column in byte order", albums, plan.RowSet{DistinctOn: []*gqlbase.Column{title},
			Order: []plan.OrderKey{{Column: title, Bytes: true}}}),
		orderList("distinct on a column, which leads the order with its direction", albums, plan.RowSet{DistinctOn: []*gqlbase.Column{albumArtist},
			Order: []plan.OrderKey{{Column: year, Desc: true}, {Column: albumArtist, Desc: true, Nulls: gqlbase.NullsLast}}}),
		compiled("order of an array relationship", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: artists, Limit: limit(5), Order: []plan.OrderKey{{Column: col(artists, "born"), Desc: true}}},
			Node: obj("albums", &plan.Node{Kind: plan.NodeArrayRel, Link: albumArtist,
				Rows:  &plan.RowSet{Table: albums, Limit: limit(5), Order: []plan.OrderKey{{Column: col(artists, "name"), Via: []plan.OrderHop{{Link: albumArtist, Target: artists}}}, {Column: title}}},
				Child: cols(albums, "id")})}),
	}

	wide := &plan.Node{Kind: plan.NodeObject}
	for i := range 120 {
		wide.Keys = append(wide.Keys, "k"+strconv.Itoa(i))
		wide.Children = append(wide.Children, &plan.Node{Kind: plan.NodeConst, Const: strconv.Itoa(i)})
	}
	aggregates := obj(
		"count", &plan.Node{Kind: plan.NodeCount},
		"sum_ms", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggSumFn, Column: col(tracks, "ms")},
		"avg_ms", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggAvgFn, Column: col(tracks, "ms")},
		"min_id", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggMinFn, Column: col(tracks, "id")},
		"max_name", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggMaxFn, Column: col(tracks, "Track Name")},
		"max_created", &plan.Node{Kind: plan.NodeAggregate, Fn: plan.AggMaxFn, Column: col(tracks, "created_at")})
	rows := []goldenCase{
		compiled("one row by id, with __typename", &plan.Plan{Kind: plan.One, Rows: plan.RowSet{Table: albums}, ID: 7,
			Node: obj("__typename", &plan.Node{Kind: plan.NodeConst, Const: "albums"}, "id", &plan.Node{Kind: plan.NodeColumn, Column: col(albums, "id")},
				"price", &plan.Node{Kind: plan.NodeColumn, Column: col(albums, "price")}, "tags", &plan.Node{Kind: plan.NodeColumn, Column: col(albums, "tags")})}),
		compiled("limit and offset", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, Limit: limit(10), Offset: 20}, Node: cols(albums, "id")}),
		compiled("a negative limit is zero", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, Limit: limit(-1)}, Node: cols(albums, "id")}),
		compiled("ids bound a list without a limit", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, IDs: []int64{3, 1, 2}}, Node: cols(albums, "id")}),
		compiled("ids with a limit, an offset and a where", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, IDs: []int64{3, 1, 2}, Limit: limit(2), Offset: 1,
			Where: where(tb, albums, `{"column":"title","op":"neq","value":"x"}`)}, Node: cols(albums, "id")}),
		compiled("root aggregate over every row", &plan.Plan{Kind: plan.Aggregate, Rows: plan.RowSet{Table: tracks}, Node: aggregates}),
		compiled("root aggregate with where and limit, nodes of the bounded rows", &plan.Plan{Kind: plan.Aggregate,
			Rows: plan.RowSet{Table: tracks, Limit: limit(50), Where: where(tb, tracks, `{"column":"ms","op":"gt","value":0}`)},
			Node: obj("count", &plan.Node{Kind: plan.NodeCount}, "nodes", &plan.Node{Kind: plan.NodeRows, Child: trackRow})}),
		compiled("root aggregate with nodes of their own limit", &plan.Plan{Kind: plan.Aggregate, Rows: plan.RowSet{Table: tracks, Limit: limit(50)},
			Node: obj("count", &plan.Node{Kind: plan.NodeCount}, "nodes", &plan.Node{Kind: plan.NodeRows, Limit: limit(5), Child: trackRow})}),
		compiled("constants: JSON, arrays and empty objects", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, Limit: limit(1)},
			Node: obj("json", &plan.Node{Kind: plan.NodeJSON, Const: `{"a": [1, "it's"]}`},
				"array", &plan.Node{Kind: plan.NodeArray, Children: []*plan.Node{{Kind: plan.NodeConst, Const: "x"}, {Kind: plan.NodeColumn, Column: title}}},
				"empty_array", &plan.Node{Kind: plan.NodeArray}, "empty", obj())}),
		compiled("an object wider than one json_build_object call", &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: albums, Limit: limit(1)}, Node: wide}),
	}

	lock := func(name string, t *gqlbase.Table, w *plan.Cond) goldenCase {
		return goldenCase{name: name, compile: func() (string, []any, error) { return plan.CompileLock(t, w) }}
	}
	returning := obj("affected_rows", &plan.Node{Kind: plan.NodeJSON, Const: "2"}, "returning", &plan.Node{Kind: plan.NodeRows, Child: obj(
		"id", &plan.Node{Kind: plan.NodeColumn, Column: col(tracks, "id")},
		"album", &plan.Node{Kind: plan.NodeObjectRel, Link: trackAlbum, Target: albums, Child: cols(albums, "title")})})
	mutations := []goldenCase{
		lock("lock every row (update or delete without a where)", albums, nil),
		lock("lock the rows of a where", albums, where(tb, albums, `{"and":[{"column":"year","op":"lt","value":2000},{"not":{"column":"title","op":"ilike","value":"%live%"}}]}`)),
		lock("lock the rows of a where through a relationship", tracks, &plan.Cond{Exists: &plan.CondExists{Link: trackAlbum, Forward: true, Target: albums,
			Where: &plan.Cond{Exists: &plan.CondExists{Link: albumArtist, Forward: true, Target: artists, Where: where(tb, artists, `{"column":"name","op":"eq","value":"Nina"}`)}}}}),
		compiled("returning of a many-row mutation: affected rows and the written rows by id", &plan.Plan{Kind: plan.Aggregate,
			Rows: plan.RowSet{Table: tracks, IDs: []int64{4, 5}}, Node: returning}),
		compiled("returning of a one-row mutation", &plan.Plan{Kind: plan.One, Rows: plan.RowSet{Table: tracks}, ID: 4, Node: trackRow}),
	}

	return []goldenGroup{
		{file: "filter.sql", cases: filters},
		{file: "relationships.sql", cases: relationships},
		{file: "order.sql", cases: orders},
		{file: "rows.sql", cases: rows},
		{file: "mutation.sql", cases: mutations},
	}
}
