package rest

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
)

// landingLinks are the server's entry points, for the landing page and its JSON index.
var landingLinks = []struct{ Key, Path, What string }{
	{"graphql", "/graphql", "the platform GraphQL API (POST, GET, WebSocket)"},
	{"playground", "/playground", "GraphiQL for the platform API"},
	{"typedGraphql", "/dbs/{db}/graphql", "the typed GraphQL API of one database (GraphiQL in a browser)"},
	{"docs", "/docs", "the REST dialects' documentation"},
	{"openapi", "/docs/openapi.json", "their OpenAPI 3.1 document"},
	{"health", "/health", "liveness"},
	{"ready", "/ready", "readiness"},
}

var landingTemplate = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gqlbase</title>
<link rel="icon" href="data:,">
<style>
body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; }
li { margin: .3em 0; }
</style>
</head>
<body>
<h1>gqlbase</h1>
<p>A self-hosted, GraphQL-first backend: tables with typed columns, rows, realtime
subscriptions and scoped tokens over PostgreSQL{{if .Version}} (version <code>{{.Version}}</code>){{end}}.</p>
<p>Most requests need a token: <code>Authorization: Bearer &lt;token&gt;</code>.
A new install writes its admin token to <code>&lt;data dir&gt;/admin-token</code>.</p>
<ul>
{{range .Links}}<li>{{if .Link}}<a href="{{.Path}}">{{.Path}}</a>{{else}}<code>{{.Path}}</code>{{end}}: {{.What}}</li>
{{end}}</ul>
</body>
</html>
`))

// landing answers GET /: a short page for browsers, and an index of the entry points as JSON
// for API clients (anything that does not ask for HTML).
func (s *Server) landing(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		links := map[string]string{}
		for _, l := range landingLinks {
			links[l.Key] = l.Path
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "gqlbase", "version": s.cfg.Version, "links": links})
		return
	}
	type link struct {
		Path, What string
		Link       bool
	}
	data := struct {
		Version string
		Links   []link
	}{Version: s.cfg.Version}
	for _, l := range landingLinks {
		data.Links = append(data.Links, link{Path: l.Path, What: l.What, Link: !strings.Contains(l.Path, "{")})
	}
	var page bytes.Buffer
	if err := landingTemplate.Execute(&page, data); err != nil {
		s.logger.ErrorContext(r.Context(), "landing page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(page.Bytes())
}
