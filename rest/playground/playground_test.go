package playground

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestNotBuiltAnswers503(t *testing.T) {
	set := loadFiles(fstest.MapFS{"README.md": {Data: []byte("x")}}, fstest.MapFS{})
	rec := get(t, newHandler(Options{Endpoint: "/graphql"}, set), "/playground", nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make assets") {
		t.Fatalf("got %d %q, want 503 telling to run make assets", rec.Code, rec.Body.String())
	}
	rec = get(t, newAssetsHandler(set), "/playground/assets/graphiql.min.js", nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make assets") {
		t.Fatalf("assets: got %d %q, want 503 telling to run make assets", rec.Code, rec.Body.String())
	}
}

func fakeBuilt(t *testing.T) *files {
	t.Helper()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte("/* graphiql */"))
	_ = zw.Close()
	built := fstest.MapFS{
		"react.production.min.js":     {Data: []byte("/* react */")},
		"react-dom.production.min.js": {Data: []byte("/* react-dom */")},
		"graphiql.min.js":             {Data: []byte("/* graphiql */")},
		"graphiql.min.js.gz":          {Data: gz.Bytes()},
		"graphiql.min.css":            {Data: []byte("/* css */")},
		".built":                      {Data: nil},
	}
	static := fstest.MapFS{
		"gqlbase-playground.js":  {Data: []byte("/* page */")},
		"gqlbase-playground.css": {Data: []byte("/* page css */")},
		"page.html":              {Data: []byte("template")},
	}
	return loadFiles(built, static)
}

func TestPageEscapesOptionsAndSetsSecurityHeaders(t *testing.T) {
	h := newHandler(Options{
		Endpoint:     "/dbs/1/graphql",
		Title:        `<script>alert(1)</script>`,
		DefaultQuery: `{ a } "</div><script>x</script>`,
	}, fakeBuilt(t))
	rec := get(t, h, "/playground", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<script>x") {
		t.Errorf("options are not escaped:\n%s", body)
	}
	if !strings.Contains(body, `data-endpoint="/dbs/1/graphql"`) {
		t.Errorf("endpoint missing:\n%s", body)
	}
	if !strings.Contains(body, `src="/playground/assets/graphiql.min.js?v=`) {
		t.Errorf("asset URL missing:\n%s", body)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self' ws://example.com wss://example.com", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(strings.SplitN(csp, "style-src", 2)[0], "unsafe-inline") {
		t.Errorf("Content-Security-Policy allows inline scripts or eval: %q", csp)
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestPageCSPIgnoresHostileHost(t *testing.T) {
	h := newHandler(Options{}, fakeBuilt(t))
	req := httptest.NewRequest(http.MethodGet, "/playground", nil)
	req.Host = "evil.com; script-src *"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "evil") {
		t.Fatalf("Host header reached the policy: %q", csp)
	}
}

func TestAssets(t *testing.T) {
	set := fakeBuilt(t)
	h := newAssetsHandler(set)

	rec := get(t, h, "/playground/assets/graphiql.min.js", nil)
	if rec.Code != 200 || rec.Body.String() != "/* graphiql */" || rec.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("plain: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	etag := rec.Header().Get("ETag")
	if rec := get(t, h, "/playground/assets/graphiql.min.js", map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", rec.Code)
	}

	rec = get(t, h, "/playground/assets/graphiql.min.js", map[string]string{"Accept-Encoding": "gzip, deflate"})
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip not used: %v", rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != "/* graphiql */" {
		t.Errorf("gzip body decodes to %q", plain)
	}
	if rec := get(t, h, "/playground/assets/graphiql.min.js", map[string]string{"Accept-Encoding": "gzip;q=0"}); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still compressed")
	}

	rec = get(t, h, "/playground/assets/gqlbase-playground.js?v="+set.byName["gqlbase-playground.js"].versionString, nil)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("versioned static asset: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	for _, name := range []string{"page.html", "README.md", ".built", "nope.js", "graphiql.min.js.gz"} {
		if rec := get(t, h, "/playground/assets/"+name, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", name, rec.Code)
		}
	}
}

// TestEmbeddedStaticFiles checks the real embedded files: the page script and style sheet are
// always there, built or not.
func TestEmbeddedStaticFiles(t *testing.T) {
	set := defaultFiles()
	for _, name := range []string{"gqlbase-playground.js", "gqlbase-playground.css"} {
		if set.byName[name] == nil {
			t.Errorf("%s is not embedded", name)
		}
	}
}
