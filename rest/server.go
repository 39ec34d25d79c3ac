// Package rest is gqlbase's HTTP edge: the router, the middleware (request id, logging,
// recovery, CORS, authentication, metrics), the mounting of the GraphQL APIs, the playground,
// health and metrics endpoints, and one sub-package per REST dialect.
package rest

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gqlbase/gqlbase/dataapi"
	"github.com/gqlbase/gqlbase/graph"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/storage"
)

// Config is the HTTP edge's configuration.
type Config struct {
	Version string
	Limits  Limits
	// AllowedOrigins lists the browser origins allowed to call the API and open WebSockets;
	// "*" allows any. Credentials travel in headers or in connection_init, never in cookies,
	// so a permissive default does not expose ambient authority.
	AllowedOrigins []string
	Logger         *slog.Logger
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client; without
	// them the connection's peer is the client, whatever the headers say.
	TrustedProxies []netip.Prefix
	// TableEvents tells the typed API's live queries when tables change; nil uses this
	// process's own writes only.
	TableEvents dataapi.TableEvents
	// Collectors are more series for /metrics (the job engine's, the webhooks').
	Collectors []prometheus.Collector
}

// Server routes requests to the GraphQL APIs, the REST dialects and the operational endpoints.
type Server struct {
	cfg      Config
	resolver *resolvers.Resolver
	store    *storage.Store
	logger   *slog.Logger
	metrics  *metrics
	subs     *multiplexer // runs identical platform subscriptions once
	mux      *http.ServeMux
	started  time.Time
	typed    *dataapi.Service

	// closing is cancelled when the server begins to shut down: long-lived handlers
	// (WebSockets, event streams) end then, since http.Server.Shutdown does not wait for
	// hijacked connections and would wait forever for streams.
	closing     context.Context
	beginClose  context.CancelFunc
	closingOnce sync.Once
	// handlers counts the requests being served, hijacked ones included, so the caller can
	// wait for the last one before it releases what they use (Wait).
	handlers sync.WaitGroup
}

// New wires the HTTP edge over a resolver that is already complete: the caller (the
// composition, internal/server) set its Cache and its Realtime service (nil: no
// subscriptions) and installs the store's change hooks, the typed API's (Typed().Hooks())
// among them. New changes nothing it is given.
func New(cfg Config, res *resolvers.Resolver) *Server {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if len(cfg.AllowedOrigins) == 0 {
		cfg.AllowedOrigins = []string{"*"}
	}
	s := &Server{
		cfg: cfg, resolver: res, store: res.Store, logger: cfg.Logger,
		mux: http.NewServeMux(), started: time.Now(),
	}
	s.closing, s.beginClose = context.WithCancel(context.Background())
	s.metrics = newMetrics(res.Store, cfg.Collectors...)
	s.subs = newMultiplexer(s)
	s.routes()
	return s
}

func (s *Server) routes() {
	platform := s.graphqlHandler("platform", resolvers.LimitCredentialMutations(graph.NewExecutableSchema(graph.Config{Resolvers: s.resolver})))
	s.handle("/graphql", s.longLived(platform))
	s.handle("GET /playground", s.playground("/graphql", "gqlbase platform API"))
	s.handle("GET "+playgroundAssetsPath, s.playgroundAssets())
	s.handle("GET /events/stream", http.HandlerFunc(s.eventStream))
	s.handle("GET /health", http.HandlerFunc(s.health))
	s.handle("GET /ready", http.HandlerFunc(s.ready))
	s.handle("GET /metrics", s.metricsHandler())
	s.typedRoutes()
	s.fileRoutes()
	s.mountDialects()
	s.publicViewRoutes()
	s.handle("GET /{$}", http.HandlerFunc(s.landing))
	s.handle("/", http.HandlerFunc(s.notFound))
}

// handle registers a route; the pattern becomes the route label of the request metrics.
func (s *Server) handle(pattern string, h http.Handler) {
	route := pattern
	if _, path, ok := strings.Cut(pattern, " "); ok {
		route = path
	}
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(r.Context(), route)
		h.ServeHTTP(w, r)
	}))
}

// Handler is the whole HTTP API with its middleware.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	h = s.authenticate(h)
	h = s.cors(h)
	h = s.logRequests(h)
	h = s.recoverPanics(h)
	h = s.requestID(h)
	return s.track(h)
}

// track counts the requests being served, for Wait.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.handlers.Add(1)
		defer s.handlers.Done()
		next.ServeHTTP(w, r)
	})
}

// BeginShutdown ends long-lived connections (WebSockets, event streams): call it before
// http.Server.Shutdown, which waits for neither.
func (s *Server) BeginShutdown() {
	s.closingOnce.Do(s.beginClose)
}

// Wait blocks until every request being served has returned, WebSockets included (after
// BeginShutdown they end), or ctx ends. The caches and the store may be released after it.
func (s *Server) Wait(ctx context.Context) error {
	done := make(chan struct{})
	// When ctx ends first this goroutine stays until the last handler returns: the caller
	// is then cutting requests off (http.Server.Close) on its way out.
	go func() {
		s.handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// longLived makes WebSocket upgrades end when the server shuts down.
func (s *Server) longLived(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(s.closing, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || s.originAllowed(origin)
}

func (s *Server) originAllowed(origin string) bool {
	return slices.Contains(s.cfg.AllowedOrigins, "*") || slices.Contains(s.cfg.AllowedOrigins, origin)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]any{
		"error": map[string]string{"code": "NOT_FOUND", "message": "no route for " + r.Method + " " + r.URL.Path},
	})
}

// Subscriptions reports the platform API's open subscriptions: how many run (identical ones
// run once) and how many clients they serve.
func (s *Server) Subscriptions() (running, clients int) { return s.subs.counts() }
