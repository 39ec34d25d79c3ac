package rest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/dataloaders"
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
				id := gqlbase.RequestIDFrom(r.Context())
				if strings.HasSuffix(r.URL.Path, "/graphql") {
					// GraphQL clients read errors[].extensions.code.
					writeJSON(w, http.StatusInternalServerError, map[string]any{"errors": []map[string]any{{
						"message":    "internal error",
						"extensions": map[string]any{"code": string(gqlbase.CodeInternal), "requestId": id},
					}}})
					return
				}
				writeJSON(w, http.StatusInternalServerError, map[string]any{
					"error": map[string]string{"code": "INTERNAL", "message": "internal error", "requestId": id},
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
		completed := false
		defer func() {
			// Also when a panic passes through on its way to recoverPanics (which answers
			// 500): the request is logged and counted all the same.
			status := rec.status
			if !completed {
				status = http.StatusInternalServerError
			}
			elapsed := time.Since(start)
			route := routeOf(r.Context())
			s.metrics.observeRequest(route, r.Method, status, elapsed)
			s.logger.InfoContext(r.Context(), "request", "method", r.Method, "path", maskPath(r.URL.Path),
				"route", route, "status", status, "bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r)
		completed = true
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
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, X-Request-Id, X-Bot-Id, X-User-Id, X-Integration-Id, Last-Event-ID, Apollo-Require-Preflight, X-View-Token")
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
		// The address first: a token's IP allowlist is checked as it authenticates.
		ctx := resolvers.WithClientAddr(r.Context(), clientAddr(r, s.cfg.TrustedProxies))
		p := gqlbase.Anonymous()
		if cred != "" {
			p = s.resolver.Authenticate(ctx, cred)
		}
		if p.AuthError != nil && p.AuthError.Code == gqlbase.CodeRateLimited {
			// A token over its rate limit gets no further on any route: 429 with Retry-After.
			writeRateLimited(w, p.AuthError)
			return
		}
		ctx = gqlbase.WithPrincipal(ctx, p)
		ctx = dataloaders.With(ctx, dataloaders.New(s.store, s.resolver.Cache))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func credentialFromHeader(h string) string { return resolvers.CredentialFromHeader(h) }

// clientAddr is the address a request comes from, which credential requests are limited by:
// the connection's peer, unless that peer is a trusted proxy. Then X-Forwarded-For is read
// from the right, each trusted hop passing on what it was told, and the first address no
// trusted proxy sent is the client. Entries left of it are the client's own claims and
// worth nothing.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{} // not TCP (a unix socket, a test handler): no address to go by
	}
	addr := peer.Addr().Unmap()
	if !isTrusted(addr, trusted) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := parseHop(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed entry: the last trusted hop is the best we know
		}
		addr = hop.Unmap()
		if !isTrusted(addr, trusted) {
			break
		}
	}
	return addr
}

// parseHop reads one X-Forwarded-For entry: an address, or an address with a port, which
// some proxies add.
func parseHop(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, nil
	}
	ap, err := netip.ParseAddrPort(s)
	return ap.Addr(), err
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR prefixes
// (--trusted-proxies).
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR prefix", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

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

// limitMultipart guards a multipart GraphQL request (operations, map, files): a declared
// length over the upload limit is refused with 413 before anything is read; a body without a
// declared length that turns out too long is answered with 413 as well, whatever the multipart
// transport made of it. The transport's own refusals (a missing operations or map part, JSON
// that does not decode) are 400 with an extensions.code like every other error.
func (s *Server) limitMultipart(w http.ResponseWriter, r *http.Request, next http.Handler) {
	max := s.cfg.Limits.MaxUploadBytes
	if r.ContentLength > max {
		writeGraphQLError(w, gqlbase.CodePayloadTooLarge,
			fmt.Sprintf("request body exceeds %d bytes", max))
		return
	}
	body := &cappedBody{rc: r.Body, left: max}
	r.Body = body
	out := &multipartResponse{ResponseWriter: w, body: body, status: http.StatusOK}
	next.ServeHTTP(out, r)
	out.finish(max)
}

var errBodyTooLarge = errors.New("request body too large")

// cappedBody reads at most left bytes and remembers whether the body had more.
type cappedBody struct {
	rc       io.ReadCloser
	left     int64
	exceeded bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.exceeded {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) <= b.left {
		b.left -= int64(n)
		return n, err
	}
	n, b.left, b.exceeded = int(b.left), 0, true
	return n, errBodyTooLarge
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// multipartResponse passes successful answers through and holds back refusals, so that
// finish can give them their status and code.
type multipartResponse struct {
	http.ResponseWriter
	body     *cappedBody
	status   int
	held     bool // a refusal (or an answer to an oversized body) is being held back
	passed   bool // the answer went through
	buffered bytes.Buffer
}

func (m *multipartResponse) WriteHeader(code int) {
	if m.held || m.passed {
		return
	}
	m.status = code
	if code >= 400 || m.body.exceeded {
		m.held = true
		return
	}
	m.passed = true
	m.ResponseWriter.WriteHeader(code)
}

func (m *multipartResponse) Write(b []byte) (int, error) {
	if !m.held && !m.passed {
		m.WriteHeader(m.status)
	}
	if m.held {
		return m.buffered.Write(b)
	}
	return m.ResponseWriter.Write(b)
}

func (m *multipartResponse) Unwrap() http.ResponseWriter { return m.ResponseWriter }

func (m *multipartResponse) finish(max int64) {
	if !m.held {
		return
	}
	if m.body.exceeded {
		writeGraphQLError(m.ResponseWriter, gqlbase.CodePayloadTooLarge,
			fmt.Sprintf("request body exceeds %d bytes", max))
		return
	}
	status := m.status
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest // as for a JSON body that does not decode
	}
	var resp struct {
		Errors []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(m.buffered.Bytes(), &resp); err != nil || len(resp.Errors) == 0 {
		writeGraphQLError(m.ResponseWriter, gqlbase.CodeBadUserInput, "the multipart request could not be read")
		return
	}
	for _, e := range resp.Errors {
		ext, _ := e["extensions"].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			e["extensions"] = ext
		}
		if _, ok := ext["code"]; !ok {
			ext["code"] = string(gqlbase.CodeBadUserInput)
		}
	}
	writeJSON(m.ResponseWriter, status, map[string]any{"errors": resp.Errors})
}
