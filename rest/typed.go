package rest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/dataapi"
	"github.com/gqlbase/gqlbase/realtime"
	"github.com/gqlbase/gqlbase/rest/playground"
)

// typedRoutes mounts the typed data API: /dbs/{db}/graphql (POST, GET, WebSocket; GraphiQL for
// browsers), /readonly/{readonlyId}/graphql (queries only, the read-only id is the
// credential) and /dbs/{db}/playground/default-query.
func (s *Server) typedRoutes() {
	cfg := dataapi.Config{
		Store: s.store, Logger: s.logger, Events: s.cfg.TableEvents,
		Handler: func(es graphql.ExecutableSchema) http.Handler { return s.graphqlHandler("typed", es) },
	}
	if rt := s.resolver.Realtime; rt != nil {
		// Live queries and schema invalidation follow the events of every process.
		if cfg.Events == nil {
			cfg.Events = hubTableEvents{hub: rt.Hub}
		}
		cfg.WatchPrincipal = rt.Watch
		cfg.WatchDatabase = func(databaseID int64) {
			rt.Hub.SubscribeDatabaseSink(databaseID, &invalidateSink{s: s, databaseID: databaseID},
				func(c *realtime.Change) bool { return c.Kind.IsSchema() })
		}
	}
	svc, err := dataapi.NewService(cfg)
	if err != nil {
		panic(fmt.Sprintf("typed API: %v", err)) // only bad static configuration fails here
	}
	s.typed = svc
	s.handle("/dbs/{db}/graphql", s.longLived(http.HandlerFunc(s.serveTyped)))
	s.handle("/readonly/{readonlyId}/graphql", s.longLived(http.HandlerFunc(s.serveReadonly)))
	s.handle("GET /dbs/{db}/playground/default-query", http.HandlerFunc(s.typedDefaultQuery))
}

// Typed returns the typed API service: its Hooks belong on the store, and Close releases its
// caches once the server stopped.
func (s *Server) Typed() *dataapi.Service { return s.typed }

// wantsPlayground reports whether a GET comes from a browser that wants the IDE.
func wantsPlayground(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == "" && r.URL.Query().Get("query") == "" &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// typedPlayground serves GraphiQL for a typed endpoint. The page of /dbs/{db}/graphql opens on
// the sample query over the first table once a token is in its headers; a read-only page,
// whose id is the credential, opens on it at once.
func (s *Server) typedPlayground(w http.ResponseWriter, r *http.Request, title string) {
	opts := playground.Options{Endpoint: r.URL.Path, Title: title, DefaultQuery: dataapi.PageDefaultQuery}
	if id := r.PathValue("readonlyId"); id != "" {
		opts.DefaultQuery = s.readonlySampleQuery(r.Context(), id)
	} else {
		opts.SampleQueryURL = "/dbs/" + url.PathEscape(r.PathValue("db")) + "/playground/default-query"
	}
	playground.Handler(opts).ServeHTTP(w, r)
}

// readonlySampleQuery is the sample query over the first table of the read-only id's
// database, or a general text when the id names none.
func (s *Server) readonlySampleQuery(ctx context.Context, readonlyID string) string {
	db, err := s.store.DatabaseByReadonlyID(ctx, readonlyID)
	if err != nil {
		return dataapi.ReadonlyPageDefaultQuery
	}
	e, err := s.typed.Entry(ctx, db, dataapi.RoleRead)
	if err != nil {
		return dataapi.ReadonlyPageDefaultQuery
	}
	return "# The read-only GraphQL API of one gqlbase database: no token is needed.\n\n" + dataapi.DefaultQuery(e.Schema)
}

// writeTypedError answers a request refused before GraphQL runs.
func writeTypedError(w http.ResponseWriter, err error) {
	code := gqlbase.ErrorCode(err)
	msg := "internal error"
	if e, ok := gqlbase.AsError(err); ok {
		msg = e.Message
	}
	writeGraphQLError(w, code, msg)
}

// typedDatabase resolves the {db} path value: a database id, or the name of a database of
// the caller's workspace (a name that is all digits is tried as an id first). A name is
// resolved with the credential the request carries, so a database of another workspace is
// NOT_FOUND whether it exists or not.
func (s *Server) typedDatabase(r *http.Request) (*gqlbase.Database, error) {
	ctx := r.Context()
	ref := r.PathValue("db")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		db, err := s.typed.Database(ctx, id)
		if gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
			return db, err
		}
	}
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	db, err := s.resolver.DatabaseByNameFor(ctx, p.WorkspaceID, ref, gqlbase.ScopeRead)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return nil, gqlbase.NotFound("database %q not found", ref)
	}
	return db, err
}

func (s *Server) serveTyped(w http.ResponseWriter, r *http.Request) {
	if wantsPlayground(r) {
		s.typedPlayground(w, r, "gqlbase database "+r.PathValue("db"))
		return
	}
	db, err := s.typedDatabase(r)
	if err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeInternal {
			s.logger.ErrorContext(r.Context(), "typed API: load database", "err", err)
		}
		writeTypedError(w, err)
		return
	}
	p := gqlbase.PrincipalFrom(r.Context())
	role, err := dataapi.RoleFor(p, db)
	if err != nil {
		if r.Header.Get("Upgrade") == "" || p.Kind != gqlbase.PrincipalAnonymous || p.AuthError != nil {
			writeTypedError(w, err)
			return
		}
		// A WebSocket may authenticate in connection_init: each operation is checked with the
		// socket's credential as it is then.
		role = dataapi.RoleWrite
	}
	s.serveTypedEntry(w, r, db, role)
}

func (s *Server) serveTypedEntry(w http.ResponseWriter, r *http.Request, db *gqlbase.Database, role dataapi.Role) {
	e, err := s.typed.Entry(r.Context(), db, role)
	if err != nil {
		s.logger.ErrorContext(r.Context(), "typed API: build schema", "database", db.ID, "err", err)
		writeTypedError(w, err)
		return
	}
	e.Handler.ServeHTTP(w, r)
}

// serveReadonly serves a database's read-only API: the read-only id is the whole credential.
func (s *Server) serveReadonly(w http.ResponseWriter, r *http.Request) {
	if wantsPlayground(r) {
		s.typedPlayground(w, r, "gqlbase read-only database")
		return
	}
	db, err := s.store.DatabaseByReadonlyID(r.Context(), r.PathValue("readonlyId"))
	if err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			err = gqlbase.NotFound("unknown read-only id")
		}
		writeTypedError(w, err)
		return
	}
	ctx := gqlbase.WithPrincipal(r.Context(), dataapi.ReadonlyPrincipal(db))
	if r.Header.Get("Upgrade") != "" {
		// Each operation on the socket checks the read-only id again.
		ctx = withSocket(ctx, &wsSocket{readonlyID: r.PathValue("readonlyId"), databaseID: db.ID})
	}
	s.serveTypedEntry(w, r.WithContext(ctx), db, dataapi.RoleRead)
}

// typedDefaultQuery answers a sample query over the database's first table.
func (s *Server) typedDefaultQuery(w http.ResponseWriter, r *http.Request) {
	db, err := s.typedDatabase(r)
	if err != nil {
		writeTypedError(w, err)
		return
	}
	role, err := dataapi.RoleFor(gqlbase.PrincipalFrom(r.Context()), db)
	if err != nil {
		writeTypedError(w, err)
		return
	}
	e, err := s.typed.Entry(r.Context(), db, role)
	if err != nil {
		writeTypedError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(dataapi.DefaultQuery(e.Schema)))
}

// hubTableEvents feeds the typed API's live queries from the realtime hub: every committed
// change of a table, from any gqlbase process on the database, wakes them.
type hubTableEvents struct{ hub *realtime.Hub }

func (h hubTableEvents) SubscribeTable(ctx context.Context, tableID int64) (<-chan struct{}, error) {
	sink := &signalSink{ch: make(chan struct{}, 1)}
	sub := h.hub.SubscribeTableSink(tableID, sink, nil)
	context.AfterFunc(ctx, sub.Close)
	return sink.ch, nil
}

// signalSink turns changes into one pending signal: it never falls behind.
type signalSink struct {
	ch   chan struct{}
	once sync.Once
}

func (s *signalSink) Offer(*realtime.Change) bool {
	select {
	case s.ch <- struct{}{}:
	default:
	}
	return true
}

func (s *signalSink) End(error) { s.once.Do(func() { close(s.ch) }) }

// invalidateSink drops a database's typed schemas on its schema events.
type invalidateSink struct {
	s          *Server
	databaseID int64
}

func (k *invalidateSink) Offer(*realtime.Change) bool {
	k.s.typed.Invalidate(k.databaseID)
	return true
}

func (k *invalidateSink) End(error) {}
