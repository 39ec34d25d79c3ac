package rest

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// metrics are the Prometheus series of one server. Each server has its own registry, so
// several servers in one test binary do not collide.
type metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	operations *prometheus.CounterVec
	opLatency  *prometheus.HistogramVec
	websockets prometheus.Gauge

	// operation names come from clients: cap how many become label values.
	namesMu sync.Mutex
	names   map[string]bool
}

const maxOperationNames = 200

func newMetrics(store *storage.Store, more ...prometheus.Collector) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gqlbase_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gqlbase_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gqlbase_graphql_operations_total", Help: "GraphQL operations by API, type, name and outcome.",
		}, []string{"api", "type", "name", "outcome"}),
		opLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gqlbase_graphql_operation_duration_seconds", Help: "GraphQL operation latency by API, type and name.",
			Buckets: prometheus.DefBuckets,
		}, []string{"api", "type", "name"}),
		websockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gqlbase_websockets_open", Help: "Open WebSocket connections.",
		}),
		names: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.operations, m.opLatency, m.websockets,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(store.DB().DB, "gqlbase"))
	m.registry.MustRegister(more...)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// metricsHandler serves /metrics to principals with the admin scope on the owner workspace
// (the one made at the store's first start): the bootstrap admin token, other admin tokens of that
// workspace, and its owners and admins. The series describe the whole server (every
// workspace's operation names, the pool, the process), which no other workspace's admin
// should read.
func (s *Server) metricsHandler() http.Handler {
	serve := s.metrics.handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := gqlbase.PrincipalFrom(r.Context())
		if err := p.Authenticated(); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gqlbase metrics"`)
			writeGraphQLError(w, gqlbase.CodeUnauthenticated, err.Error())
			return
		}
		// The workspace the store's first start recorded: never another customer's, even
		// when the owner workspace was deleted (then nobody reads the metrics here).
		owner, err := s.store.BootstrapRecord(r.Context())
		if err != nil {
			s.logger.ErrorContext(r.Context(), "metrics: find the owner workspace", "err", err)
			writeGraphQLError(w, gqlbase.CodeInternal, "internal error")
			return
		}
		if owner == nil || p.Require(owner.WorkspaceID, gqlbase.ScopeAdmin) != nil {
			writeGraphQLError(w, gqlbase.CodeForbidden,
				"metrics need the admin scope on the owner workspace")
			return
		}
		serve.ServeHTTP(w, r)
	})
}

// knownMethods are the request methods that get a label value of their own: the method of
// a request is the caller's choice, and every value would be a series.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// observeRequest counts a request. route is the pattern the router matched ("unmatched"
// when none), never the raw path, so its values are bounded by the route table.
func (m *metrics) observeRequest(route, method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// observeOperation measures each GraphQL response (for subscriptions: each event) by
// operation.
func (m *metrics) observeOperation(api string) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		start := time.Now()
		resp := next(ctx)
		if !graphql.HasOperationContext(ctx) {
			return resp
		}
		oc := graphql.GetOperationContext(ctx)
		// The name in the document: clients often send a named operation without repeating
		// its name in operationName. A request whose document did not parse has no name but
		// the caller's operationName, which could be any text: it counts as "unknown".
		opType, name := "unknown", "unknown"
		if oc.Operation != nil {
			opType = string(oc.Operation.Operation)
			name = oc.Operation.Name
		}
		name = m.operationName(name)
		outcome := "ok"
		if resp != nil && len(resp.Errors) > 0 {
			outcome = "error"
		}
		m.operations.WithLabelValues(api, opType, name, outcome).Inc()
		// A subscription's response time is the wait for its next event: not a latency.
		if opType != "subscription" {
			m.opLatency.WithLabelValues(api, opType, name).Observe(time.Since(start).Seconds())
		}
		return resp
	}
}

func (m *metrics) operationName(name string) string {
	if name == "" {
		return "anonymous"
	}
	if len(name) > 64 {
		return "other"
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperationNames {
		return "other"
	}
	m.names[name] = true
	return name
}
