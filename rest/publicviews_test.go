package rest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// --- public views over real HTTP, without credentials ---

type publicReply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// public sends a request without any Authorization header.
func public(t testing.TB, srv *testserver.Server, method, path string, header map[string]string, body any) publicReply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := publicReply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (r publicReply) expect(t testing.TB, status int) publicReply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

func (e *dataEnv) share(t testing.TB, view any, password any) string {
	t.Helper()
	data := e.ok(t, `mutation($id: ID!, $pw: String) { shareView(id: $id, password: $pw) { slug view { public slug passwordProtected } } }`,
		map[string]any{"id": view, "pw": password})
	slug := testserver.Str(data, "shareView", "slug")
	if slug == "" || testserver.Str(data, "shareView", "view", "slug") != slug || testserver.Get(data, "shareView", "view", "public") != true {
		t.Fatalf("shareView: %v", data)
	}
	return slug
}

// publicTitles reads every row of a public view by slug (following its pages) and checks
// that no row carries a field outside visible.
func publicTitles(t *testing.T, srv *testserver.Server, slug string, header map[string]string, visible []string) []string {
	t.Helper()
	var out []string
	for offset := 0; ; offset += 2 {
		r := public(t, srv, "GET", "/public/views/"+slug+"/rows?limit=2&offset="+itoa(offset), header, nil).expect(t, 200)
		for _, row := range r.body["rows"].([]any) {
			data := row.(map[string]any)["data"].(map[string]any)
			for k := range data {
				if !slices.Contains(visible, k) {
					t.Fatalf("a public row shows the field %q, which the view hides: %v", k, row)
				}
			}
			out = append(out, data["title"].(string))
		}
		if r.body["hasMore"] != true {
			return out
		}
	}
}

// The bar: a view's slug reads only that view's rows and visible fields, never the table's
// other rows, another view's rows, or hidden fields, whatever a visitor adds to the request.
func TestPublicSlugReadsOnlyTheViewsRows(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	todo := e.createView(t, table, map[string]any{"name": "Todo", "type": "grid",
		"filter":       map[string]any{"column": "status", "op": "eq", "value": "todo"},
		"sorts":        []any{map[string]any{"column": "secret", "direction": "DESC"}},
		"hiddenFields": []any{"secret", "until"}})
	done := e.createView(t, table, map[string]any{"name": "Done", "type": "grid",
		"filter": map[string]any{"column": "status", "op": "eq", "value": "done"}})
	slug := e.share(t, todo["id"], nil)
	visible := []string{"title", "status", "due", "score"}

	got := publicTitles(t, e.srv, slug, nil, visible)
	if want := []string{"e", "c", "a"}; !slices.Equal(got, want) {
		t.Fatalf("public rows = %v, want %v (the view's rows, in its order)", got, want)
	}
	// Filters, search, cursors or a table named in the query are not the view's: they are
	// ignored, never widening what the slug reads.
	r := public(t, e.srv, "GET", "/public/views/"+slug+"/rows?where=%7B%7D&search=s-&table="+table+"&columns=secret", nil, nil).expect(t, 200)
	if n := len(r.body["rows"].([]any)); n != 3 || strings.Contains(r.raw, "s-a") {
		t.Fatalf("extra parameters changed what the slug reads: %s", r.raw)
	}
	// The view's description shows the visible fields only.
	meta := public(t, e.srv, "GET", "/public/views/"+slug, nil, nil).expect(t, 200)
	var fields []string
	for _, f := range meta.body["fields"].([]any) {
		fields = append(fields, f.(map[string]any)["name"].(string))
	}
	if !slices.Equal(fields, visible) || strings.Contains(meta.raw, "status\",\"op") {
		t.Fatalf("public view fields = %v: %s", fields, meta.raw)
	}
	// The other view is not public: its id, or the table's, is no slug.
	for _, bad := range []string{testserver.Str(done, "id"), table, "x", strings.ToLower(slug)} {
		public(t, e.srv, "GET", "/public/views/"+bad+"/rows", nil, nil).expect(t, 404)
	}
	// A form submission to a grid view is refused and writes nothing.
	rowsBefore := e.sqlInt(t, `SELECT count(*) FROM `+`db_`+e.db+`.tasks`)
	public(t, e.srv, "POST", "/public/views/"+slug+"/rows", nil, map[string]any{"values": map[string]any{"title": "x"}}).expect(t, 400)
	if n := e.sqlInt(t, `SELECT count(*) FROM `+`db_`+e.db+`.tasks`); n != rowsBefore {
		t.Fatalf("a refused submission wrote a row")
	}

	// Sharing the second view gives it its own slug, which reads its own rows only.
	doneSlug := e.share(t, done["id"], nil)
	if got := publicTitles(t, e.srv, doneSlug, nil, []string{"title", "status", "due", "until", "score", "secret"}); !slices.Equal(sorted(got), []string{"b", "d"}) {
		t.Fatalf("second view's public rows = %v", got)
	}

	// Rotating breaks the old slug at once; unsharing breaks the new one.
	data := e.ok(t, `mutation($id: ID!) { rotateViewSlug(id: $id) { slug } }`, map[string]any{"id": todo["id"]})
	rotated := testserver.Str(data, "rotateViewSlug", "slug")
	if rotated == slug {
		t.Fatal("rotation kept the slug")
	}
	public(t, e.srv, "GET", "/public/views/"+slug+"/rows", nil, nil).expect(t, 404)
	public(t, e.srv, "GET", "/public/views/"+rotated+"/rows", nil, nil).expect(t, 200)
	e.ok(t, `mutation($id: ID!) { unshareView(id: $id) { public } }`, map[string]any{"id": todo["id"]})
	public(t, e.srv, "GET", "/public/views/"+rotated+"/rows", nil, nil).expect(t, 404)
}

func sorted(s []string) []string { s = slices.Clone(s); sort.Strings(s); return s }

// A password buys a token for that view and slug only.
func TestPublicViewPassword(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	v := e.createView(t, table, map[string]any{"name": "Locked", "type": "gallery", "hiddenFields": []any{"secret"}})
	other := e.createView(t, table, map[string]any{"name": "Other", "type": "grid"})
	slug := e.share(t, v["id"], "correct horse battery")
	otherSlug := e.share(t, other["id"], "another password")

	r := public(t, e.srv, "GET", "/public/views/"+slug+"/rows", nil, nil).expect(t, 401)
	if !strings.Contains(r.raw, "UNAUTHENTICATED") {
		t.Fatalf("no token: %s", r.raw)
	}
	public(t, e.srv, "POST", "/public/views/"+slug+"/token", nil, map[string]any{"password": "wrong password!"}).expect(t, 401)
	tok := public(t, e.srv, "POST", "/public/views/"+slug+"/token", nil, map[string]any{"password": "correct horse battery"}).expect(t, 200)
	token, _ := tok.body["token"].(string)
	if token == "" {
		t.Fatalf("no token: %s", tok.raw)
	}
	h := map[string]string{"X-View-Token": token}
	if got := publicTitles(t, e.srv, slug, h, []string{"title", "status", "due", "until", "score"}); len(got) != 6 {
		t.Fatalf("with the token: %v", got)
	}
	// The token is of this view: the other view's slug refuses it.
	public(t, e.srv, "GET", "/public/views/"+otherSlug+"/rows", h, nil).expect(t, 401)
	public(t, e.srv, "GET", "/public/views/"+slug+"/rows", map[string]string{"X-View-Token": token + "x"}, nil).expect(t, 401)
	// Rotating the slug ends the tokens too.
	data := e.ok(t, `mutation($id: ID!) { rotateViewSlug(id: $id) { slug view { passwordProtected } } }`, map[string]any{"id": v["id"]})
	if testserver.Get(data, "rotateViewSlug", "view", "passwordProtected") != true {
		t.Fatalf("rotation dropped the password: %v", data)
	}
	public(t, e.srv, "GET", "/public/views/"+testserver.Str(data, "rotateViewSlug", "slug")+"/rows", h, nil).expect(t, 401)
	// Password guessing is limited per address and view.
	var last publicReply
	for i := 0; i < 12; i++ {
		last = public(t, e.srv, "POST", "/public/views/"+otherSlug+"/token", nil, map[string]any{"password": "guess guess"})
	}
	if last.expect(t, 429).header.Get("Retry-After") == "" {
		t.Fatalf("429 without Retry-After")
	}
}

// A public form creates a row from its visible fields only, and is rate limited.
func TestPublicFormSubmission(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	form := e.createView(t, table, map[string]any{"name": "Ask", "type": "form", "hiddenFields": []any{"secret", "score", "until"}})
	slug := e.share(t, form["id"], nil)
	count := func() int64 { return e.sqlInt(t, `SELECT count(*) FROM db_`+e.db+`.tasks`) }

	r := public(t, e.srv, "POST", "/public/views/"+slug+"/rows", nil, map[string]any{"values": map[string]any{"title": "from the form", "status": "todo"}}).expect(t, 201)
	id := r.body["id"].(string)
	data := e.rowData(t, table, id)
	if data["title"] != "from the form" || data["status"] != "todo" || data["secret"] != nil {
		t.Fatalf("submitted row: %v", data)
	}
	if by := e.sqlText(t, `SELECT created_by FROM db_`+e.db+`.tasks WHERE id = $1`, id); by != "public:view:"+testserver.Str(form, "id") {
		t.Fatalf("created_by = %q", by)
	}
	before := count()
	for name, body := range map[string]any{
		"hidden field":  map[string]any{"values": map[string]any{"title": "x", "secret": "mine"}},
		"unknown field": map[string]any{"values": map[string]any{"nope": 1}},
		"bad value":     map[string]any{"values": map[string]any{"status": "nonsense"}},
		"no values":     map[string]any{},
		"unknown key":   map[string]any{"values": map[string]any{}, "table": table},
	} {
		if r := public(t, e.srv, "POST", "/public/views/"+slug+"/rows", nil, body); r.status != 400 {
			t.Fatalf("%s: status %d: %s", name, r.status, r.raw)
		}
	}
	if count() != before {
		t.Fatal("a refused submission wrote a row")
	}
	// A form shows no rows.
	public(t, e.srv, "GET", "/public/views/"+slug+"/rows", nil, nil).expect(t, 400)
	// Submissions are limited per address: the budget of a minute runs out (counting the
	// refused ones above), then 429 with Retry-After.
	var last publicReply
	for i := 0; i < 25; i++ {
		last = public(t, e.srv, "POST", "/public/views/"+slug+"/rows", nil, map[string]any{"values": map[string]any{"title": "flood"}})
		if last.status == 429 {
			break
		}
		last.expect(t, 201)
	}
	if last.expect(t, 429).header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM db_`+e.db+`.tasks WHERE title = 'flood'`); n >= 25 {
		t.Fatalf("%d flood rows written", n)
	}
}

// A browser on another origin may send the view token: the preflight allows its header.
func TestPublicViewPreflightAllowsViewToken(t *testing.T) {
	srv := testserver.Start(t)
	r := public(t, srv, "OPTIONS", "/public/views/x/rows", map[string]string{
		"Origin": "https://forms.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-view-token",
	}, nil)
	if !strings.Contains(strings.ToLower(r.header.Get("Access-Control-Allow-Headers")), "x-view-token") {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
}
