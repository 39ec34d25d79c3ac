// Package docs serves the REST API documentation: the OpenAPI 3.1 document built from the
// dialects' route tables, and a page that renders it in the browser with a small script of
// its own (no CDN, works offline).
package docs

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// contentSecurityPolicy lets the page load only its own script, style and document.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Page serves the documentation page (GET /docs).
func Page() http.Handler {
	page, err := static.ReadFile("static/index.html")
	if err != nil {
		panic("docs: page missing: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(page)
	})
}

// Assets serves the page's script and style under /docs/assets/.
func Assets() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic("docs: assets missing: " + err.Error())
	}
	files := http.StripPrefix("/docs/assets/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
