package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gqlbase/gqlbase"
)

// Limits bound the work one GraphQL request may ask for.
type Limits struct {
	MaxBodyBytes   int64 // request body (JSON POST)
	MaxUploadBytes int64 // multipart request with files
	Complexity     int   // sum of field costs (platform API)
	// TypedComplexity bounds the values a typed data API operation can build: its fields
	// count once per row their lists may return (dataapi/cost.go).
	TypedComplexity int
	Depth           int   // nesting of selections (introspection excluded)
	Tokens          int   // lexer tokens in the document
	WSMessageBytes  int64 // one WebSocket message
}

// DefaultLimits are generous for applications and still stop abuse.
var DefaultLimits = Limits{
	MaxBodyBytes:    1 << 20,
	MaxUploadBytes:  64 << 20,
	Complexity:      5000,
	TypedComplexity: 100_000,
	Depth:           12,
	Tokens:          15000,
	WSMessageBytes:  1 << 20,
}

// graphqlHandler builds a gqlgen server for an executable schema with gqlbase's transports,
// limits, error presentation and metrics. The platform and the typed data API both use it.
func (s *Server) graphqlHandler(api string, es graphql.ExecutableSchema) http.Handler {
	lim := s.cfg.Limits
	srv := handler.New(es)
	srv.AddTransport(transport.Websocket{
		Implementation: &gorillaWebsocket{
			upgrader: websocket.Upgrader{
				ReadBufferSize:  1024,
				WriteBufferSize: 1024,
				WriteBufferPool: wsWriteBufferPool,
				CheckOrigin:     s.checkOrigin,
			},
			onOpen:  func() { s.metrics.websockets.Inc() },
			onClose: func() { s.metrics.websockets.Dec() },
		},
		InitFunc:              s.websocketInit,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
		PingPongInterval:      15 * time.Second,
		PayloadReadLimit:      &lim.WSMessageBytes,
		ErrorFunc: func(ctx context.Context, err error) {
			s.logger.DebugContext(ctx, "websocket", "err", err)
		},
	})
	srv.AddTransport(transport.Options{AllowedMethods: []string{"GET", "POST", "OPTIONS"}})
	srv.AddTransport(httpTransport{}) // GET and JSON POST, as the GraphQL over HTTP spec asks
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: lim.MaxUploadBytes, MaxMemory: 8 << 20})
	srv.AddTransport(unsupportedTransport{}) // last: gqlgen tries transports in order

	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(lim.Tokens)
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](200)})
	complexity := lim.Complexity
	if api == "typed" {
		complexity = lim.TypedComplexity
	}
	srv.Use(extension.FixedComplexityLimit(complexity))
	srv.Use(depthLimit{max: lim.Depth})
	srv.SetErrorPresenter(s.presentError)
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		s.logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return errors.New("panic in resolver")
	})
	srv.AroundResponses(s.metrics.observeOperation(api))
	srv.AroundOperations(s.authenticateOperation) // first: the outermost
	if api == "platform" {
		srv.AroundOperations(s.subs.intercept)
	}
	return trackSocket(s.limitBody(srv))
}

// presentError gives every error an extensions.code. Caller-facing errors keep their message;
// anything else is logged with the request id and shown as "internal error".
func (s *Server) presentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	if e, ok := gqlbase.AsError(err); ok {
		gqlErr.Message = e.Message
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = string(e.Code)
		if e.Field != "" {
			gqlErr.Extensions["field"] = e.Field
		}
		if e.Reason != "" {
			gqlErr.Extensions["reason"] = string(e.Reason)
		}
		for k, v := range e.Details {
			gqlErr.Extensions[k] = v
		}
		return gqlErr
	}
	var parsed *gqlerror.Error
	if errors.As(err, &parsed) && parsed.Err == nil {
		// gqlgen's and gqlparser's own errors (parse, validation, coercion): safe to show,
		// except that gqlparser's "Did you mean" hints would let a caller without credentials
		// map the schema's names by guessing.
		if gqlbase.PrincipalFrom(ctx).Authenticated() != nil {
			gqlErr.Message = withoutSuggestions(gqlErr.Message)
		}
		if gqlErr.Extensions == nil || gqlErr.Extensions["code"] == nil {
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			gqlErr.Extensions["code"] = string(gqlbase.CodeBadUserInput)
		}
		return gqlErr
	}
	s.logger.ErrorContext(ctx, "internal error", "err", err, "path", gqlErr.Path.String())
	return &gqlerror.Error{
		Message:    "internal error",
		Path:       gqlErr.Path,
		Locations:  gqlErr.Locations,
		Extensions: map[string]any{"code": string(gqlbase.CodeInternal), "requestId": gqlbase.RequestIDFrom(ctx)},
	}
}

// suggestion is the hint gqlparser appends to validation messages.
var suggestion = regexp.MustCompile(`(?s)\s*Did you mean .*\?$`)

func withoutSuggestions(msg string) string { return suggestion.ReplaceAllString(msg, "") }

// websocketInit authenticates a WebSocket connection from its connection_init payload, the way
// clients send it: Authorization or authorization (with or without "Bearer "),
// headers.Authorization, authToken or token. Without any, the upgrade request's header counts.
// The credential is kept: every operation on the socket authenticates it again.
func (s *Server) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	sock := socketFrom(ctx)
	if sock != nil && sock.readonlyID != "" {
		return ctx, nil, nil // the read-only id in the path is the whole credential
	}
	cred := credentialFromInit(payload)
	if cred == "" {
		return ctx, nil, nil // the principal from the upgrade request stays
	}
	p := s.resolver.Authenticate(ctx, cred)
	if p.AuthError != nil {
		// graphql-transport-ws's code for a refused connection_init; the reason says why
		// (invalid, expired, revoked, ...), as the message of the principal's AuthError.
		ctx = transport.WithWebsocketCloseCode(ctx, 4403)
		return transport.AppendCloseReason(ctx, closeReason("Forbidden: "+authMessage(p.AuthError))), nil, p.AuthError
	}
	if sock != nil {
		sock.credential = cred
	}
	return gqlbase.WithPrincipal(ctx, p), nil, nil
}

// authMessage is what a caller is told about a credential that did not authenticate.
func authMessage(err error) string {
	if e, ok := gqlbase.AsError(err); ok {
		return e.Message
	}
	return "could not check credentials"
}

// closeReason cuts a WebSocket close reason to the 123 bytes a close frame holds, at a rune
// boundary.
func closeReason(s string) string {
	const max = 123
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func credentialFromInit(payload transport.InitPayload) string {
	for _, key := range []string{"Authorization", "authorization", "authToken", "token"} {
		if v := payload.GetString(key); v != "" {
			return credentialFromHeader(v)
		}
	}
	if headers, ok := payload["headers"].(map[string]any); ok {
		for k, v := range headers {
			if s, ok := v.(string); ok && strings.EqualFold(k, "authorization") {
				return credentialFromHeader(s)
			}
		}
	}
	return ""
}

// limitBody refuses JSON bodies over the limit with 413 before gqlgen reads them.
func (s *Server) limitBody(next http.Handler) http.Handler {
	max := s.cfg.Limits.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/") {
			s.limitMultipart(w, r, next) // the upload limit, in middleware.go
			return
		}
		if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			if r.ContentLength > max {
				writeGraphQLError(w, gqlbase.CodePayloadTooLarge,
					fmt.Sprintf("request body exceeds %d bytes", max))
				return
			}
			body, err := readLimited(r, max)
			if err != nil {
				writeGraphQLError(w, gqlbase.CodePayloadTooLarge, err.Error())
				return
			}
			r.Body = body
		}
		next.ServeHTTP(w, r)
	})
}

// depthLimit rejects operations nested deeper than max. Introspection selections do not
// count: GraphiQL's introspection query is deep by nature and cheap.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	depth := selectionDepth(oc.Operation.SelectionSet, map[string]bool{})
	if depth > d.max {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("query is nested %d levels deep; the limit is %d", depth, d.max),
			Extensions: map[string]any{"code": string(gqlbase.CodeBadUserInput)},
		}
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, visiting map[string]bool) int {
	max := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + selectionDepth(s.SelectionSet, visiting)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			d = selectionDepth(s.Definition.SelectionSet, visiting)
			delete(visiting, s.Name)
		}
		if d > max {
			max = d
		}
	}
	return max
}
