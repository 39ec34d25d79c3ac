package rest

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/resolvers"
)

// requestID gives every request an id (the caller's X-Request-Id when it is sane), echoed in
// the response and added to every log line.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			id = rand.Text()[:16]
		}
		w.Header().Set("X-Request-Id", id)
		ctx := gqlbase.WithRequestID(r.Context(), id)
		ctx = withRouteHolder(ctx)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return true
}

// recoverPanics turns a panic into a 500 with the request id, logged with its stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.ErrorContext(r.Context(), "panic", "panic", v, "stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, map[string]any{
					"error": map[string]string{"code": "INTERNAL", "message": "internal error",
						"requestId": gqlbase.RequestIDFrom(r.Context())},
				})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs one line per request and feeds the request metrics. Credentials are never
// logged: only method, path (without query), status, size and duration.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		route := routeOf(r.Context())
		s.metrics.observeRequest(route, r.Method, rec.status, elapsed)
		s.logger.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"route", route, "status", rec.status, "bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds())/1000)
	})
}

// cors answers preflight requests and adds CORS headers for allowed origins.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && s.originAllowed(origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Expose-Headers", "X-Request-Id")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, X-Request-Id, X-Bot-Id, X-User-Id, X-Integration-Id, Last-Event-ID, Apollo-Require-Preflight")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate resolves the request's credentials into a Principal in the context. Bad
// credentials do not stop the request here: resolvers answer UNAUTHENTICATED with the reason,
// and routes without auth (health, playground) keep working.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred := credentialFromHeader(r.Header.Get("Authorization"))
		p := gqlbase.Anonymous()
		if cred != "" {
			p = s.resolver.Authenticate(r.Context(), cred)
		}
		next.ServeHTTP(w, r.WithContext(gqlbase.WithPrincipal(r.Context(), p)))
	})
}

func credentialFromHeader(h string) string { return resolvers.CredentialFromHeader(h) }

// statusRecorder remembers the status and size of a response. It passes Hijack and Flush
// through, which WebSockets and event streams need.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// routeHolder lets the router tell the outer middleware which route matched.
type routeHolder struct{ route string }

type routeKey struct{}

func withRouteHolder(ctx context.Context) context.Context {
	return context.WithValue(ctx, routeKey{}, &routeHolder{})
}

func setRoute(ctx context.Context, route string) {
	if h, ok := ctx.Value(routeKey{}).(*routeHolder); ok {
		h.route = route
	}
}

func routeOf(ctx context.Context) string {
	if h, ok := ctx.Value(routeKey{}).(*routeHolder); ok && h.route != "" {
		return h.route
	}
	return "unmatched"
}
