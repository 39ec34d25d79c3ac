package plan_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase/storage/plan"
)

// chinookSized makes the golden fixtures' artists ← albums ← tracks with Chinook's row counts
// (275 artists, 347 albums, 3,503 tracks) and the link indexes storage makes, analyzed. Album
// 5 has no artist and album 6 a dangling one; track 3 has no album.
func chinookSized(t testing.TB) (*sqlx.DB, *goldenFixture) {
	t.Helper()
	ctx := context.Background()
	db := openTestDB(t)
	f := goldenFixtures()
	stmts := []string{`CREATE SCHEMA ` + pq.QuoteIdentifier(goldenSchema)}
	for _, tbl := range goldenTables() {
		stmts = append(stmts, `CREATE TABLE `+plan.Qualified(tbl.Schema, tbl.Name)+` (`+columnsDDL(tbl)+`)`)
	}
	q := func(name string) string { return plan.Qualified(goldenSchema, name) }
	stmts = append(stmts,
		`CREATE INDEX ON `+q("albums")+` (artist)`,
		`CREATE INDEX ON `+q("tracks")+` (album)`,
		`INSERT INTO `+q("artists")+` (created_at, updated_at, name) SELECT now(), now(), 'artist ' || i FROM generate_series(1, 275) i`,
		`INSERT INTO `+q("albums")+` (created_at, updated_at, title, artist) SELECT now(), now(), 'album ' || i,
			CASE i WHEN 5 THEN NULL WHEN 6 THEN 9999 ELSE (i - 1) % 275 + 1 END FROM generate_series(1, 347) i`,
		`INSERT INTO `+q("tracks")+` (created_at, updated_at, "Track Name", album, ms) SELECT now(), now(), 'track ' || i,
			CASE i WHEN 3 THEN NULL ELSE (i - 1) % 347 + 1 END, i * 1000 FROM generate_series(1, 3503) i`,
		`ANALYZE `+q("artists"), `ANALYZE `+q("albums"), `ANALYZE `+q("tracks"),
	)
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db, f
}

// nestedTracks is the benchmark's nested query: tracks with their album's title and the
// album's artist's name.
func nestedTracks(f *goldenFixture, n int) *plan.Plan {
	return &plan.Plan{Kind: plan.List, Rows: plan.RowSet{Table: f.tracks, Limit: limit(n)},
		Node: obj("name", &plan.Node{Kind: plan.NodeColumn, Column: col(f.tracks, "Track Name")},
			"album", &plan.Node{Kind: plan.NodeObjectRel, Link: col(f.tracks, "album"), Target: f.albums,
				Child: obj("title", &plan.Node{Kind: plan.NodeColumn, Column: col(f.albums, "title")},
					"artist", &plan.Node{Kind: plan.NodeObjectRel, Link: col(f.albums, "artist"), Target: f.artists,
						Child: cols(f.artists, "name")})})}
}

// expectedTrack is track i of chinookSized as the typed API shows it.
func expectedTrack(i int) map[string]any {
	row := map[string]any{"name": fmt.Sprintf("track %d", i), "album": nil}
	if i == 3 {
		return row
	}
	a := (i-1)%347 + 1
	album := map[string]any{"title": fmt.Sprintf("album %d", a), "artist": nil}
	if a != 5 && a != 6 {
		album["artist"] = map[string]any{"name": fmt.Sprintf("artist %d", (a-1)%275+1)}
	}
	row["album"] = album
	return row
}

// TestObjectRelationshipJoinsKeepTheJSON: the joined form returns every row of the row set
// once, with null for an empty link and for a link to a row that does not exist, as the
// correlated subqueries did.
func TestObjectRelationshipJoinsKeepTheJSON(t *testing.T) {
	db, f := chinookSized(t)
	query, params, err := plan.Compile(nestedTracks(f, 400))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(query, " LEFT JOIN ") {
		t.Fatalf("no join in %s", query)
	}
	var out []byte
	if err := db.QueryRowContext(context.Background(), query, params...).Scan(&out); err != nil {
		t.Fatal(err)
	}
	var got []any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 400 {
		t.Fatalf("%d rows, want 400", len(got))
	}
	for i, row := range got {
		if want := expectedTrack(i + 1); !reflect.DeepEqual(row, want) {
			t.Fatalf("row %d: got %v, want %v", i+1, row, want)
		}
	}
}

// explainNodes runs EXPLAIN ANALYZE on a statement and returns its plan nodes, flattened.
func explainNodes(t *testing.T, db *sqlx.DB, query string, params []any) ([]map[string]any, string) {
	t.Helper()
	var text string
	if err := db.QueryRowContext(context.Background(), "EXPLAIN (ANALYZE, FORMAT JSON) "+query, params...).Scan(&text); err != nil {
		t.Fatal(err)
	}
	var doc []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil || len(doc) != 1 {
		t.Fatalf("EXPLAIN output: %v\n%s", err, text)
	}
	var nodes []map[string]any
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		nodes = append(nodes, n)
		kids, _ := n["Plans"].([]any)
		for _, k := range kids {
			if m, ok := k.(map[string]any); ok {
				walk(m)
			}
		}
	}
	walk(doc[0].Plan)
	return nodes, text
}

// TestObjectRelationshipJoinsScanEachTableOnce: on Chinook-sized data the nested list runs
// no subplan per row and scans no table more than once; the artist is found through its
// primary key index.
func TestObjectRelationshipJoinsScanEachTableOnce(t *testing.T) {
	db, f := chinookSized(t)
	query, params, err := plan.Compile(nestedTracks(f, 20))
	if err != nil {
		t.Fatal(err)
	}
	nodes, text := explainNodes(t, db, query, params)
	usesArtistsPK := false
	for _, n := range nodes {
		if _, ok := n["Subplan Name"]; ok {
			t.Errorf("plan runs a subplan:\n%s", text)
		}
		if n["Node Type"] == "Seq Scan" && n["Actual Loops"].(float64) > 1 {
			t.Errorf("%v scanned %v times:\n%s", n["Relation Name"], n["Actual Loops"], text)
		}
		if n["Index Name"] == "artists_pkey" {
			usesArtistsPK = true
		}
	}
	if !usesArtistsPK {
		t.Errorf("plan does not use artists_pkey:\n%s", text)
	}
}

// TestObjectRelationshipJoinsOfOneRowUseThePrimaryKeys: a row by id finds the row, its album
// and the album's artist each by primary key index.
func TestObjectRelationshipJoinsOfOneRowUseThePrimaryKeys(t *testing.T) {
	db, f := chinookSized(t)
	p := nestedTracks(f, 1)
	p.Kind, p.Rows.Limit, p.ID = plan.One, nil, 42
	query, params, err := plan.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	nodes, text := explainNodes(t, db, query, params)
	used := map[string]bool{}
	for _, n := range nodes {
		if name, ok := n["Index Name"].(string); ok {
			used[name] = true
		}
		if _, ok := n["Subplan Name"]; ok && !strings.HasPrefix(n["Subplan Name"].(string), "InitPlan") {
			t.Errorf("plan runs a correlated subplan:\n%s", text)
		}
	}
	for _, idx := range []string{"tracks_pkey", "albums_pkey", "artists_pkey"} {
		if !used[idx] {
			t.Errorf("plan does not use %s:\n%s", idx, text)
		}
	}
	var out []byte
	if err := db.QueryRowContext(context.Background(), query, params...).Scan(&out); err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if want := expectedTrack(42); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
