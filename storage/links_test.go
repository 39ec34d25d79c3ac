package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// linkFixture is a table of people and one of projects with a link column people.projects
// (reverse: projects.members).
type linkFixture struct {
	st               *storage.Store
	db               *gqlbase.Database
	people, projects *gqlbase.Table
	link             *gqlbase.LinkColumn
}

func newLinkFixture(t *testing.T) *linkFixture {
	t.Helper()
	ctx := context.Background()
	st, db := pgtest.NewTenant(t)
	people, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "people", Columns: []*gqlbase.Column{
		{Name: "age", Type: gqlbase.TypeInteger, Nullable: true},
		{Name: "name", Type: gqlbase.TypeText, Nullable: true},
	}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	projects, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "projects", Columns: []*gqlbase.Column{
		{Name: "title", Type: gqlbase.TypeText, Nullable: true},
	}}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateLinkColumn(ctx, gqlbase.CreateLinkColumnInput{Table: people.ID, TargetTable: projects.ID,
		Name: "projects", ReverseName: "members"}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	f := &linkFixture{st: st, db: db, link: l}
	f.reload(t)
	return f
}

func (f *linkFixture) reload(t *testing.T) {
	t.Helper()
	m, err := f.st.LoadTables(context.Background(), []int64{f.link.TableID, f.link.TargetTableID})
	if err != nil {
		t.Fatal(err)
	}
	f.people, f.projects = m[f.link.TableID], m[f.link.TargetTableID]
}

func (f *linkFixture) insert(t *testing.T, tb *gqlbase.Table, rows ...map[string]any) []int64 {
	t.Helper()
	out, err := f.st.InsertRows(context.Background(), tb, rows, "ann")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(out))
	for i, r := range out {
		ids[i] = r.ID
	}
	return ids
}

func (f *linkFixture) links(t *testing.T, reverse bool, row int64) string {
	t.Helper()
	got, err := f.st.ListLinks(context.Background(), f.link, f.people, f.projects, reverse, row, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, r := range got {
		parts = append(parts, string(r.Primary)+string(r.Meta))
	}
	return strings.Join(parts, " ")
}

func TestLinksReverseMetaDeleteAndRestore(t *testing.T) {
	ctx := context.Background()
	f := newLinkFixture(t)
	if len(f.people.Links) != 1 || len(f.projects.Links) != 1 {
		t.Fatalf("links loaded with the tables: %v %v", f.people.Links, f.projects.Links)
	}
	p := f.insert(t, f.people, map[string]any{"name": "ann"}, map[string]any{"name": "bob"})
	j := f.insert(t, f.projects, map[string]any{"title": "apollo"}, map[string]any{"title": "gemini"})
	n, err := f.st.LinkRows(ctx, f.link, f.people, f.projects, false, p[0], []gqlbase.LinkTargetInput{
		{ID: j[0], Meta: map[string]any{"role": "lead"}}, {ID: j[1]}})
	if err != nil || n != 2 {
		t.Fatalf("link: %d %v", n, err)
	}
	if _, err := f.st.LinkRows(ctx, f.link, f.people, f.projects, true, j[0], []gqlbase.LinkTargetInput{{ID: p[1]}}); err != nil {
		t.Fatal(err)
	}
	if got := f.links(t, false, p[0]); got != `"apollo"{"role": "lead"} "gemini"null` {
		t.Fatalf("ann's projects: %s", got)
	}
	if got := f.links(t, true, j[0]); got != `"ann"{"role": "lead"} "bob"null` {
		t.Fatalf("apollo's members: %s", got)
	}

	// Deleting a project takes its links; restoring it brings them back.
	if _, err := f.st.DeleteRows(ctx, f.projects, []int64{j[0]}, nil, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := f.links(t, false, p[0]); got != `"gemini"null` {
		t.Fatalf("after delete: %s", got)
	}
	if _, err := f.st.RestoreRow(ctx, f.projects, j[0], "ann"); err != nil {
		t.Fatal(err)
	}
	if got := f.links(t, true, j[0]); got != `"ann"{"role": "lead"} "bob"null` {
		t.Fatalf("after restore: %s", got)
	}

	// An unlink is not kept for a restore.
	if n, err := f.st.UnlinkRows(ctx, f.link, f.people, f.projects, false, p[0], []int64{j[1]}); err != nil || n != 1 {
		t.Fatalf("unlink: %d %v", n, err)
	}
	if _, err := f.st.DeleteRows(ctx, f.people, []int64{p[0]}, nil, "ann"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.RestoreRow(ctx, f.people, p[0], "ann"); err != nil {
		t.Fatal(err)
	}
	if got := f.links(t, false, p[0]); got != `"apollo"{"role": "lead"}` {
		t.Fatalf("after unlink, delete and restore: %s", got)
	}
}

func TestLinkErrorsChangeNothing(t *testing.T) {
	ctx := context.Background()
	f := newLinkFixture(t)
	p := f.insert(t, f.people, map[string]any{"name": "ann"})
	j := f.insert(t, f.projects, map[string]any{"title": "apollo"})
	big := map[string]any{"x": strings.Repeat("a", gqlbase.MaxLinkMeta)}
	cases := []struct {
		name    string
		row     int64
		targets []gqlbase.LinkTargetInput
		code    gqlbase.Code
	}{
		{"meta over 10 KB", p[0], []gqlbase.LinkTargetInput{{ID: j[0], Meta: big}}, gqlbase.CodeBadUserInput},
		{"missing target", p[0], []gqlbase.LinkTargetInput{{ID: j[0]}, {ID: 999}}, gqlbase.CodeNotFound},
		{"missing row", 999, []gqlbase.LinkTargetInput{{ID: j[0]}}, gqlbase.CodeNotFound},
		{"no targets", p[0], nil, gqlbase.CodeBadUserInput},
	}
	for _, c := range cases {
		_, err := f.st.LinkRows(ctx, f.link, f.people, f.projects, false, c.row, c.targets)
		if gqlbase.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if got := f.links(t, false, p[0]); got != "" {
		t.Fatalf("a refused link wrote %s", got)
	}
	// Names: the reverse name may not take a column's name.
	_, err := f.st.CreateLinkColumn(ctx, gqlbase.CreateLinkColumnInput{Table: f.people.ID, TargetTable: f.projects.ID,
		Name: "more", ReverseName: "title"}, "ann")
	if gqlbase.ErrorCode(err) != gqlbase.CodeConflict {
		t.Fatalf("reverse name of a column: %v", err)
	}
	_, err = f.st.CreateLinkColumn(ctx, gqlbase.CreateLinkColumnInput{Table: f.people.ID, TargetTable: f.projects.ID,
		Name: "projects"}, "ann")
	if gqlbase.ErrorCode(err) != gqlbase.CodeConflict {
		t.Fatalf("a second link of the same name: %v", err)
	}
}

func TestDeleteTableDropsItsLinks(t *testing.T) {
	ctx := context.Background()
	f := newLinkFixture(t)
	if err := f.st.DeleteTable(ctx, f.projects.ID, false, "ann"); err != nil {
		t.Fatal(err)
	}
	people, err := f.st.GetTable(ctx, f.people.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(people.Links) != 0 {
		t.Fatalf("people still has links: %v", people.Links)
	}
	if _, err := f.st.GetLinkColumn(ctx, f.link.ID); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Fatalf("link column after its target went: %v", err)
	}
}

func TestPrimaryColumn(t *testing.T) {
	ctx := context.Background()
	f := newLinkFixture(t)
	if c := f.people.PrimaryColumnOf(); c == nil || c.Name != "name" {
		t.Fatalf("default primary column: %v", c)
	}
	age := f.people.Column("age")
	tb, err := f.st.SetPrimaryColumn(ctx, f.people.ID, age.ID, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if c := tb.PrimaryColumnOf(); c == nil || c.Name != "age" {
		t.Fatalf("primary column after setting it: %v", c)
	}
	if _, err := f.st.SetPrimaryColumn(ctx, f.people.ID, f.projects.Column("title").ID, "ann"); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
		t.Fatalf("another table's column: %v", err)
	}
}
