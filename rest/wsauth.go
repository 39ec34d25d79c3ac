package rest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/dataapi"
)

// MaxSocketSubscriptions is how many subscriptions one WebSocket may run at once; a further
// one is refused with an error on that operation. Identical subscriptions are cheap on the
// server (they run once), so the cap is about bounding what one connection may pin.
const MaxSocketSubscriptions = 100

// wsSocket is what a WebSocket authenticated with, kept for the socket's life: a socket is
// authenticated once, but every operation on it authenticates that credential again, so a
// revocation, a log-out, a changed membership or a regenerated read-only id reaches sockets
// that are already open.
type wsSocket struct {
	// credential is the token or session secret of connection_init, or else of the upgrade
	// request's Authorization header; "" for an anonymous socket.
	credential string
	// readonlyID is set on /readonly/{id}/graphql, where the read-only id of databaseID is the
	// whole credential.
	readonlyID string
	databaseID int64

	subscriptions atomic.Int64 // running on this socket
}

type wsSocketKey struct{}

func withSocket(ctx context.Context, s *wsSocket) context.Context {
	return context.WithValue(ctx, wsSocketKey{}, s)
}

func socketFrom(ctx context.Context) *wsSocket {
	s, _ := ctx.Value(wsSocketKey{}).(*wsSocket)
	return s
}

// trackSocket gives a WebSocket upgrade its socket state, with the credential of the upgrade
// request (connection_init may replace it).
func trackSocket(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			sock := socketFrom(r.Context())
			if sock == nil {
				sock = &wsSocket{}
				r = r.WithContext(withSocket(r.Context(), sock))
			}
			if sock.readonlyID == "" {
				sock.credential = credentialFromHeader(r.Header.Get("Authorization"))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// socketPrincipal authenticates a socket's credential again, through the same path (and the
// same short cache) as every HTTP request; with fresh, it asks Postgres past the cache.
func (s *Server) socketPrincipal(ctx context.Context, sock *wsSocket, fresh bool) (*gqlbase.Principal, error) {
	if sock.readonlyID != "" {
		db, err := s.store.DatabaseByReadonlyID(ctx, sock.readonlyID)
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound || (err == nil && db.ID != sock.databaseID) {
			return nil, gqlbase.Unauthenticated("this read-only id is no longer valid: it was regenerated or its database deleted")
		}
		if err != nil {
			return nil, fmt.Errorf("authenticate read-only id: %w", err)
		}
		p := dataapi.ReadonlyPrincipal(db)
		// The hash names the credential to the watcher, which checks it again while the
		// socket's subscriptions run.
		p.SecretHash = gqlbase.HashSecret(sock.readonlyID)
		return p, nil
	}
	if sock.credential == "" {
		return gqlbase.Anonymous(), nil
	}
	authenticate := s.resolver.Authenticate
	if fresh {
		authenticate = s.resolver.AuthenticateAgain
	}
	p := authenticate(ctx, sock.credential)
	if p.AuthError != nil {
		return nil, p.AuthError
	}
	return p, nil
}

// authenticateOperation is the outermost operation middleware. An operation on a WebSocket
// runs as the principal its socket's credential gives now, not as the one it gave at
// connection_init; one that no longer authenticates is refused. Its subscriptions are
// counted against MaxSocketSubscriptions and their credential is re-authenticated in full by
// the realtime watcher while they run. A subscription that did not come over a WebSocket is
// refused: the HTTP transports answer once.
func (s *Server) authenticateOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	subscription := oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription
	sock := socketFrom(ctx)
	if sock == nil {
		if subscription {
			return refuse(gqlbase.BadInput("subscriptions run over a WebSocket (graphql-transport-ws or graphql-ws), not plain HTTP"))
		}
		return next(ctx)
	}
	p, err := s.socketPrincipal(ctx, sock, false)
	if err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeInternal {
			s.logger.ErrorContext(ctx, "authenticate websocket operation", "err", err)
		}
		return refuse(err)
	}
	ctx = gqlbase.WithPrincipal(ctx, p)
	if !subscription {
		return next(ctx)
	}
	if n := sock.subscriptions.Add(1); n > MaxSocketSubscriptions {
		sock.subscriptions.Add(-1)
		return refuse(gqlbase.BadInput("this connection already runs %d subscriptions, the most one connection may run; complete one first", MaxSocketSubscriptions))
	}
	release := func() {}
	if rt := s.resolver.Realtime; rt != nil {
		// The watcher's checks skip the cache: its interval plus the cache's lifetime would
		// double the time a change made through another process takes to end the subscription.
		release = rt.AddReauthenticator(p.SecretHash, func(ctx context.Context) *gqlbase.Principal {
			fresh, err := s.socketPrincipal(ctx, sock, true)
			if err != nil {
				e, ok := gqlbase.AsError(err)
				if !ok {
					s.logger.WarnContext(ctx, "re-authenticate websocket subscription", "err", err)
					e = gqlbase.Unauthenticated("could not check credentials")
				}
				return &gqlbase.Principal{Kind: gqlbase.PrincipalAnonymous, AuthError: e}
			}
			return fresh
		})
	}
	var once sync.Once
	done := func() {
		once.Do(func() {
			sock.subscriptions.Add(-1)
			release()
		})
	}
	// gqlgen cancels the operation's context when the operation ends, whichever side ends it.
	context.AfterFunc(ctx, done)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil {
			done()
		}
		return resp
	}
}

// refuse answers an operation with one error and no data.
func refuse(err error) graphql.ResponseHandler {
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{subscriptionErr(err)}})
}
