// Package testserver starts a complete gqlbase HTTP API on a fresh database for tests, and
// offers small clients for GraphQL over HTTP. Test packages using it need
// `func TestMain(m *testing.M) { pgtest.Main(m) }`.
package testserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/internal/netguard"
	"github.com/gqlbase/gqlbase/internal/server"
	"github.com/gqlbase/gqlbase/jobs"
	"github.com/gqlbase/gqlbase/logging"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/rest"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
	"github.com/gqlbase/gqlbase/webhooks"
)

// Server is a running API for one test, wired as gqlbase serve wires it (internal/server).
type Server struct {
	URL string
	// DSN is the database the server runs on (a second server can share it).
	DSN        string
	AdminToken string
	Store      *storage.Store
	Resolver   *resolvers.Resolver
	API        *rest.Server
	HTTP       *http.Server
	Process    *server.Server
	Logger     *slog.Logger
}

// Options adjust the server.
type Options struct {
	Config rest.Config
	// DSN, when set, is used instead of a fresh database (two servers on one database).
	DSN string
	// Logger, when set, receives the logs of the store, the resolvers and the HTTP edge (tests
	// that check what is logged give one writing to a buffer).
	Logger *slog.Logger
	// AllowPrivateTargets lets functions' fetch reach the test's local receivers.
	AllowPrivateTargets bool
	// DisableSignUp refuses self sign-up, as gqlbase serve --disable-signup does.
	DisableSignUp bool
	// OnStatement, when set, sees every SQL statement the server's store sends (see
	// storage.Options.OnStatement); tests count round trips with it.
	OnStatement func(ctx context.Context, query string)
	// Files configures the files capability; without a blob store the server gets a folder
	// store in a temp dir, and uploads from a URL may reach the test's local servers.
	Files server.FilesConfig
	// Webhooks configures webhook deliveries (AllowPrivate for a receiver in the test).
	Webhooks webhooks.Options
	// Jobs configures the job engine (the default polls every 50 ms, so tests wait little).
	Jobs jobs.Options
}

// Start runs the API on a fresh database with a bootstrap admin token.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	logger := opts.Logger
	if logger == nil {
		logger = testLogger()
	}
	dsn := opts.DSN
	if dsn == "" {
		dsn = pgtest.NewDatabase(t)
	}
	store, err := storage.Open(context.Background(), dsn, storage.Options{Logger: logger, OnStatement: opts.OnStatement})
	if err != nil {
		t.Fatalf("testserver: open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: listen: %v", err)
	}
	restCfg := opts.Config
	restCfg.Logger = logger
	if opts.Files.Blobs == nil {
		fs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatalf("testserver: blob store: %v", err)
		}
		opts.Files.Blobs, opts.Files.AllowPrivateFetch = fs, true
	}
	jobsOpts := opts.Jobs
	if jobsOpts.PollInterval == 0 {
		jobsOpts.PollInterval = 50 * time.Millisecond
	}
	proc, err := server.New(store, server.Config{
		Logger: logger, Listener: ln, Version: "test", AllowSignUp: !opts.DisableSignUp, REST: restCfg,
		Files: opts.Files, PublicURL: "http://" + ln.Addr().String(),
		Jobs: jobsOpts, Webhooks: opts.Webhooks,
		Outbound: netguard.Policy{AllowPrivate: opts.AllowPrivateTargets},
	})
	if err != nil {
		ln.Close()
		t.Fatalf("testserver: build: %v", err)
	}
	token := "gqb_test_" + rand.Text() + rand.Text()
	if _, _, err := proc.Resolver.Bootstrap(context.Background(), token); err != nil {
		proc.Close()
		t.Fatalf("testserver: bootstrap: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("testserver: run: %v", err)
		}
	})
	return &Server{URL: "http://" + ln.Addr().String(), DSN: dsn, AdminToken: token, Store: store,
		Resolver: proc.Resolver, API: proc.API, HTTP: proc.HTTP, Process: proc, Logger: logger}
}

// testLogger is quiet unless GQLBASE_TEST_LOG is set (to a level).
func testLogger() *slog.Logger {
	if lvl := os.Getenv("GQLBASE_TEST_LOG"); lvl != "" {
		return logging.New(os.Stderr, "text", lvl)
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Response is a decoded GraphQL response.
type Response struct {
	Status int
	Data   map[string]any
	Errors []Error
	Raw    []byte
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// GraphQL posts a GraphQL request to path (e.g. "/graphql") with the token (if any).
func (s *Server) GraphQL(t testing.TB, path, token, query string, vars map[string]any) *Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Raw: raw}
	var decoded struct {
		Data   map[string]any `json:"data"`
		Errors []Error        `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&decoded); err != nil {
		t.Fatalf("POST %s: status %d, body is not JSON: %s", path, resp.StatusCode, raw)
	}
	out.Data, out.Errors = decoded.Data, decoded.Errors
	return out
}

// Platform posts to the platform API.
func (s *Server) Platform(t testing.TB, token, query string, vars map[string]any) *Response {
	t.Helper()
	return s.GraphQL(t, "/graphql", token, query, vars)
}

// OK fails the test when the response has errors, and returns its data.
func (r *Response) OK(t testing.TB) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("GraphQL request failed (status %d): %s", r.Status, r.Raw)
	}
	return r.Data
}

// ErrorCode fails the test unless the response has exactly one error, and returns its code.
func (r *Response) ErrorCode(t testing.TB) string {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("want exactly one error, got: %s", r.Raw)
	}
	return r.Errors[0].Code()
}

// Get walks a decoded JSON value by keys and indexes ("a", "b", 0, "c").
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// Str is Get as a string ("" when missing or not a string; numbers are formatted).
func Str(v any, path ...any) string {
	switch x := Get(v, path...).(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}
