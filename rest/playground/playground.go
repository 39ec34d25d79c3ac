// Package playground serves GraphiQL from assets embedded in the binary, so it works without
// internet access: the page, its script and style sheet are in static/; GraphiQL and React come
// from npm through `make assets` (playground/build.sh) into assets/.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AssetsPath is where the server mounts AssetsHandler; the page loads its scripts from there.
const AssetsPath = "/playground/assets/"

// Options configures one playground page.
type Options struct {
	// Endpoint is the GraphQL endpoint's path (or URL) for queries and mutations over HTTP.
	Endpoint string
	// SubscriptionEndpoint is the WebSocket endpoint (graphql-transport-ws) for
	// subscriptions; empty means Endpoint. A path or http(s) URL is turned into a ws(s) URL
	// in the browser, from the page's own location.
	SubscriptionEndpoint string
	Title                string
	// DefaultQuery fills the editor the first time the page is opened.
	DefaultQuery string
	// SampleQueryURL, when set, answers a sample query as text/plain for the credentials in
	// the Headers tab: whenever the headers change while the editor still holds DefaultQuery,
	// the page fetches it and opens on its answer.
	SampleQueryURL string
	// AssetsPath overrides AssetsPath (when AssetsHandler is mounted elsewhere).
	AssetsPath string
}

//go:embed all:assets
var builtAssets embed.FS

//go:embed static
var staticFiles embed.FS

// required are the built files the page loads; without them it answers 503.
var required = []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css"}

// notBuilt is the answer when `make assets` has not run before the binary was built.
const notBuilt = "The GraphiQL playground assets are not built into this binary: run `make assets` (or `make build`), then rebuild gqlbase.\n"

var pageTemplate = template.Must(template.ParseFS(staticFiles, "static/page.html"))

// Handler serves the playground page for one GraphQL endpoint.
func Handler(opts Options) http.Handler { return newHandler(opts, defaultFiles()) }

// AssetsHandler serves the page's scripts and style sheets under AssetsPath.
func AssetsHandler() http.Handler { return newAssetsHandler(defaultFiles()) }

// file is one embedded asset, with its gzip variant when the build made one.
type file struct {
	data, gz      []byte
	etag, gzEtag  string
	contentType   string
	versionString string
}

// files are the assets the page may load, by name; built reports whether GraphiQL is there.
type files struct {
	byName map[string]*file
	built  bool
}

var (
	defaultOnce sync.Once
	defaultSet  *files
)

func defaultFiles() *files {
	defaultOnce.Do(func() {
		built, _ := fs.Sub(builtAssets, "assets")
		static, _ := fs.Sub(staticFiles, "static")
		defaultSet = loadFiles(built, static)
	})
	return defaultSet
}

// loadFiles reads the built assets and the static files (which win on a name clash) into
// memory, with their ETags. The page template is not an asset.
func loadFiles(built, static fs.FS) *files {
	set := &files{byName: map[string]*file{}}
	for _, fsys := range []fs.FS{built, static} {
		entries, _ := fs.ReadDir(fsys, ".")
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".gz") || name == "README.md" || name == "page.html" {
				continue
			}
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				continue
			}
			f := &file{data: data, etag: etagOf(data), contentType: contentTypeOf(name)}
			f.versionString = strings.Trim(f.etag, `"`)[:12]
			if gz, err := fs.ReadFile(fsys, name+".gz"); err == nil {
				f.gz, f.gzEtag = gz, etagOf(gz)
			}
			set.byName[name] = f
		}
	}
	set.built = true
	for _, name := range required {
		if set.byName[name] == nil {
			set.built = false
		}
	}
	return set
}

func etagOf(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

func contentTypeOf(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// pageData is what the template sees.
type pageData struct {
	Title, Endpoint, SubscriptionEndpoint, DefaultQuery, SampleQueryURL, Assets string
	set                                                                         *files
}

// Version is a short content hash of an asset, appended to its URL so browsers never run a
// stale copy after an upgrade.
func (p pageData) Version(name string) string {
	if f := p.set.byName[name]; f != nil {
		return f.versionString
	}
	return ""
}

func newHandler(opts Options, set *files) http.Handler {
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	if opts.Title == "" {
		opts.Title = "GraphiQL"
	}
	if opts.AssetsPath == "" {
		opts.AssetsPath = AssetsPath
	}
	if !strings.HasSuffix(opts.AssetsPath, "/") {
		opts.AssetsPath += "/"
	}
	var page bytes.Buffer
	err := pageTemplate.Execute(&page, pageData{
		Title: opts.Title, Endpoint: opts.Endpoint, SubscriptionEndpoint: opts.SubscriptionEndpoint,
		DefaultQuery: opts.DefaultQuery, SampleQueryURL: opts.SampleQueryURL, Assets: opts.AssetsPath, set: set,
	})
	if err != nil {
		panic("playground: page template: " + err.Error())
	}
	body := page.Bytes()
	etag := etagOf(body)
	extraConnect := websocketOrigin(opts.SubscriptionEndpoint)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		setSecurityHeaders(h)
		if !set.built {
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(notBuilt))
			return
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy(r, extraConnect))
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// setSecurityHeaders keeps the page out of frames and stops content sniffing and referrers.
func setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// contentSecurityPolicy allows scripts, styles and connections to this server only. GraphiQL
// needs inline styles (its editors and emotion set them at run time) and data: URLs for its
// embedded fonts; it needs no inline script and no eval. WebSocket URLs are listed
// explicitly since older browsers do not count ws: as 'self'.
func contentSecurityPolicy(r *http.Request, extraConnect string) string {
	connect := "'self'"
	if host := r.Host; validHost(host) {
		connect += " ws://" + host + " wss://" + host
	}
	if extraConnect != "" {
		connect += " " + extraConnect
	}
	return "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data:; font-src 'self' data:; connect-src " + connect + "; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// validHost accepts a Host header that is safe to write into a policy: host name or address
// with an optional port.
func validHost(host string) bool {
	if host == "" || len(host) > 255 {
		return false
	}
	for _, c := range host {
		if !(c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return true
}

// websocketOrigin is the ws(s) origin of an absolute subscription endpoint on another host,
// for connect-src; "" for paths.
func websocketOrigin(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || !validHost(u.Host) {
		return ""
	}
	switch u.Scheme {
	case "ws", "wss":
		return u.Scheme + "://" + u.Host
	case "http":
		return "ws://" + u.Host
	case "https":
		return "wss://" + u.Host
	}
	return ""
}

func newAssetsHandler(set *files) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		name := path.Base(r.URL.Path)
		f := set.byName[name]
		if f == nil {
			if !set.built {
				http.Error(w, notBuilt, http.StatusServiceUnavailable)
				return
			}
			http.NotFound(w, r)
			return
		}
		data, etag := f.data, f.etag
		if f.gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r.Header.Get("Accept-Encoding")) {
				data, etag = f.gz, f.gzEtag
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("Content-Type", f.contentType)
		h.Set("ETag", etag)
		if r.URL.Query().Get("v") == f.versionString {
			// The URL names this exact content: it never changes.
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	})
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip (q > 0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}
