package dataapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/dgraph-io/ristretto/v2"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Config wires the typed API.
type Config struct {
	Store  *storage.Store
	Logger *slog.Logger
	// Events tells live queries about table changes. Nil: a LocalEvents fed by this
	// process's own writes (through the store's change hooks).
	Events TableEvents
	// Handler wraps each schema's executable schema for HTTP (gqlgen's handler with the
	// server's transports and limits). Nil: Entry.Handler stays nil.
	Handler func(es graphql.ExecutableSchema) http.Handler
	// MaxSchemas bounds the cache (schemas per database and role). Default 1,000.
	MaxSchemas int64
	// WatchDatabase, when set, is called once per database the first time its schema is
	// built: the caller arranges for Invalidate to be called on that database's schema
	// events from every process (the realtime hub's database subscription).
	WatchDatabase func(databaseID int64)
	// WatchPrincipal, when set, watches the credential of a subscriber for the life of its
	// subscription: ended is called when it stops working (revoked, expired), which ends the
	// subscription with that error; release stops watching.
	WatchPrincipal func(p *gqlbase.Principal, ended func(error)) (release func())
}

// Service builds, caches and serves the typed schemas.
type Service struct {
	cfg   Config
	store *storage.Store
	log   *slog.Logger
	live  *liveQueries
	local *LocalEvents

	cache   *ristretto.Cache[string, *Entry]
	dbs     *ristretto.Cache[int64, *gqlbase.Database]
	buildMu sync.Mutex
	builds  map[string]*build

	// generations guard against a build that started before an invalidation storing its
	// stale result after it.
	generations sync.Map // database id → *atomic.Uint64
	// tableDB maps the tables of built schemas to their databases, for TablesChanged.
	tableDB sync.Map // table id → database id
	watched sync.Map // database id → struct{}: WatchDatabase was called
}

// Entry is one database's schema for one role, ready to serve.
type Entry struct {
	Schema     *Schema
	Executable *Executable
	Handler    http.Handler
}

// databaseTTL bounds how long database metadata is cached (a deleted database without
// tables sends no table event).
const databaseTTL = 10 * time.Second

// NewService returns the typed API service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxSchemas <= 0 {
		cfg.MaxSchemas = 1000
	}
	cache, err := ristretto.NewCache(&ristretto.Config[string, *Entry]{
		NumCounters: cfg.MaxSchemas * 10, MaxCost: cfg.MaxSchemas, BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	dbs, err := ristretto.NewCache(&ristretto.Config[int64, *gqlbase.Database]{
		NumCounters: 100_000, MaxCost: 10_000, BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, store: cfg.Store, log: cfg.Logger, cache: cache, dbs: dbs}
	events := cfg.Events
	if events == nil {
		s.local = NewLocalEvents()
		events = s.local
	}
	s.live = newLiveQueries(events, func(ctx context.Context, p *plan.Plan) (json.RawMessage, error) {
		return s.store.RunPlan(ctx, p)
	}, cfg.Logger)
	return s, nil
}

// Hooks are the store change hooks the service needs: schema changes invalidate the cache,
// and (without an external event hub) every change wakes the live queries.
func (s *Service) Hooks() storage.Hooks {
	return storage.Hooks{
		TablesChanged: s.TablesChanged,
		RowsChanged: func(tableID int64, _ ...int64) {
			if s.local != nil {
				s.local.Notify(tableID)
			}
		},
	}
}

// Close stops the caches.
func (s *Service) Close() {
	s.cache.Close()
	s.dbs.Close()
}

func (s *Service) generation(databaseID int64) *atomic.Uint64 {
	g, ok := s.generations.Load(databaseID)
	if !ok {
		g, _ = s.generations.LoadOrStore(databaseID, new(atomic.Uint64))
	}
	return g.(*atomic.Uint64)
}

func cacheKey(databaseID int64, role Role) string {
	return strconv.FormatInt(databaseID, 10) + ":" + string(role)
}

// Invalidate drops a database's schemas (a table or column of it changed, or it was
// deleted). The event listener calls it for schema events of other processes; this
// process's own changes arrive through TablesChanged.
func (s *Service) Invalidate(databaseID int64) {
	s.generation(databaseID).Add(1)
	s.cache.Del(cacheKey(databaseID, RoleRead))
	s.cache.Del(cacheKey(databaseID, RoleWrite))
	s.dbs.Del(databaseID)
}

// TablesChanged invalidates the databases of tables whose structure changed (the store's
// TablesChanged hook).
func (s *Service) TablesChanged(tableIDs ...int64) {
	done := map[int64]bool{}
	var unknown []int64
	for _, id := range tableIDs {
		if db, ok := s.tableDB.Load(id); ok {
			if !done[db.(int64)] {
				done[db.(int64)] = true
				s.Invalidate(db.(int64))
			}
			continue
		}
		unknown = append(unknown, id)
	}
	if len(unknown) == 0 {
		return
	}
	// A new table: find its database.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := s.store.TableDatabases(ctx, unknown)
	if err != nil {
		s.log.Error("typed schema: find the databases of changed tables", "err", err)
		return
	}
	for _, db := range m {
		if !done[db] {
			done[db] = true
			s.Invalidate(db)
		}
	}
	if s.local != nil {
		s.local.Notify(tableIDs...)
	}
}

// Database returns a database's metadata, cached briefly.
func (s *Service) Database(ctx context.Context, id int64) (*gqlbase.Database, error) {
	if db, ok := s.dbs.Get(id); ok {
		return db, nil
	}
	gen := s.generation(id).Load()
	db, err := s.store.GetDatabase(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.generation(id).Load() == gen {
		s.dbs.SetWithTTL(id, db, 1, databaseTTL)
	}
	return db, nil
}

// Entry returns the schema of a database for a role, building it when the cache lacks it.
// The caller has checked the principal.
func (s *Service) Entry(ctx context.Context, db *gqlbase.Database, role Role) (*Entry, error) {
	key := cacheKey(db.ID, role)
	if e, ok := s.cache.Get(key); ok {
		return e, nil
	}
	if s.cfg.WatchDatabase != nil {
		if _, done := s.watched.LoadOrStore(db.ID, struct{}{}); !done {
			s.cfg.WatchDatabase(db.ID)
		}
	}
	return s.do(key, func() (*Entry, error) {
		gen := s.generation(db.ID).Load()
		tables, err := s.store.ListTables(ctx, db.ID)
		if err != nil {
			return nil, err
		}
		e, err := s.NewEntry(db, tables, role)
		if err != nil {
			return nil, err
		}
		for _, t := range tables {
			s.tableDB.Store(t.ID, db.ID)
		}
		if s.generation(db.ID).Load() == gen {
			s.cache.Set(key, e, 1)
			s.cache.Wait()
		}
		return e, nil
	})
}

// build is one schema build that concurrent requests for the same key wait for.
type build struct {
	done  chan struct{}
	entry *Entry
	err   error
}

// do runs fn once for concurrent callers with the same key.
func (s *Service) do(key string, fn func() (*Entry, error)) (*Entry, error) {
	s.buildMu.Lock()
	if b, ok := s.builds[key]; ok {
		s.buildMu.Unlock()
		<-b.done
		return b.entry, b.err
	}
	b := &build{done: make(chan struct{})}
	if s.builds == nil {
		s.builds = map[string]*build{}
	}
	s.builds[key] = b
	s.buildMu.Unlock()
	b.entry, b.err = fn()
	s.buildMu.Lock()
	delete(s.builds, key)
	s.buildMu.Unlock()
	close(b.done)
	return b.entry, b.err
}

// NewEntry builds an entry from tables without caching it.
func (s *Service) NewEntry(db *gqlbase.Database, tables []*gqlbase.Table, role Role) (*Entry, error) {
	sch, err := Build(db, tables, role)
	if err != nil {
		return nil, fmt.Errorf("build typed schema of database %d: %w", db.ID, err)
	}
	if len(sch.Skipped) > 0 {
		s.log.Warn("typed schema: names left out because they collide", "database", db.ID, "names", sch.Skipped)
	}
	if len(sch.Reserved) > 0 {
		s.log.Warn("typed schema: names left out because their GraphQL names would start with __", "database", db.ID, "names", sch.Reserved)
	}
	e := &Entry{Schema: sch, Executable: &Executable{schema: sch, svc: s}}
	if s.cfg.Handler != nil {
		e.Handler = s.cfg.Handler(e.Executable)
	}
	return e, nil
}

// LiveStats reports the live queries running and the fetches they made.
func (s *Service) LiveStats() (queries int, fetches int64) { return s.live.stats() }

// RoleFor is the role a principal gets on a database: write when it may write, read when it
// may only read; an error when it may not read.
func RoleFor(p *gqlbase.Principal, db *gqlbase.Database) (Role, error) {
	if err := Authorize(p, db, gqlbase.ScopeRead); err != nil {
		return "", err
	}
	if p.Kind != gqlbase.PrincipalReadonly && Authorize(p, db, gqlbase.ScopeWrite) == nil {
		return RoleWrite, nil
	}
	return RoleRead, nil
}

// ReadonlyPrincipal is the principal of a request that holds a database's read-only id.
func ReadonlyPrincipal(db *gqlbase.Database) *gqlbase.Principal {
	return &gqlbase.Principal{
		Kind: gqlbase.PrincipalReadonly, WorkspaceID: db.WorkspaceID,
		Scopes:    []gqlbase.Scope{gqlbase.ScopeRead},
		Databases: map[int64]gqlbase.DatabaseAccess{db.ID: gqlbase.AccessRead},
	}
}
