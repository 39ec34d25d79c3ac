package resolvers

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/cache"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// What the REST dialects need beyond the platform resolvers: finding databases and tables by
// name (a bot id, a table name in a path), dialect settings, environment variables, raw SQL,
// schema text, dumps and vacuum. Every method authorizes the request's principal itself.

// WorkspaceRef resolves a dialect's reference to a workspace (an Airsequel team, a Botpress
// workspace id): empty means the principal's default workspace; a number is an id; anything
// else names one of the principal's workspaces. The principal must belong to it.
func (r *Resolver) WorkspaceRef(ctx context.Context, ref string) (int64, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return 0, err
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return p.WorkspaceID, nil
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if !p.MemberOf(id) {
			return 0, gqlbase.NotFound("workspace %d not found", id)
		}
		return id, nil
	}
	ids := []int64{p.WorkspaceID}
	if p.Kind == gqlbase.PrincipalUser {
		ids = ids[:0]
		for id := range p.Roles {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	wss, err := r.Store.ListWorkspaces(ctx, ids)
	if err != nil {
		return 0, err
	}
	for _, ws := range wss {
		if ws.Name == ref {
			return ws.ID, nil
		}
	}
	return 0, gqlbase.NotFound("workspace %q not found", ref)
}

// DatabaseByNameFor loads a database of a workspace by name, for a principal with scope on it.
func (r *Resolver) DatabaseByNameFor(ctx context.Context, workspaceID int64, name string, scope gqlbase.Scope) (*gqlbase.Database, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Require(workspaceID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	db, err := r.Store.DatabaseByName(ctx, workspaceID, name)
	if err != nil {
		return nil, err
	}
	if err := p.RequireDatabase(db.WorkspaceID, db.ID, scope); err != nil {
		return nil, err
	}
	return db, nil
}

// DatabaseByNameOrCreate is DatabaseByNameFor that creates the database (with the schema
// scope) when it does not exist yet and create is set. Two first uses at once create it once.
func (r *Resolver) DatabaseByNameOrCreate(ctx context.Context, workspaceID int64, name string, scope gqlbase.Scope, create bool) (*gqlbase.Database, bool, error) {
	db, err := r.DatabaseByNameFor(ctx, workspaceID, name, scope)
	if err == nil || !create || gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		return db, false, err
	}
	if _, err := r.Store.DatabaseByName(ctx, workspaceID, name); err == nil {
		return nil, false, gqlbase.NotFound("database %q not found", name)
	}
	db, err = r.Mutation().CreateDatabase(ctx, gqlbase.CreateDatabaseInput{Name: name, WorkspaceID: &workspaceID})
	if gqlbase.ErrorCode(err) == gqlbase.CodeConflict {
		db, err = r.DatabaseByNameFor(ctx, workspaceID, name, scope)
		return db, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return db, true, nil
}

// maxCachedTableNames bounds the table-name cache: names come from requests, so an unbounded
// map would grow with every name anyone asks for.
const maxCachedTableNames = 10000

// tableNameCache maps table name → id per database for the dialects that address tables by
// name. An entry is only a hint: the table it names is loaded (through the invalidated table
// cache) and checked to still carry that name in that database.
type tableNameCache struct {
	once sync.Once
	lru  *cache.LRU[tableNameKey, int64]
}

type tableNameKey struct {
	dbID int64
	name string
}

func (c *tableNameCache) names() *cache.LRU[tableNameKey, int64] {
	c.once.Do(func() {
		// The size is a positive constant, so NewLRU cannot fail.
		c.lru, _ = cache.NewLRU[tableNameKey, int64](maxCachedTableNames, nil)
	})
	return c.lru
}

// TableByName loads a table of a database by name for a principal with scope on it; a name
// that is all digits and names no table is taken as a table id of the same database.
func (r *Resolver) TableByName(ctx context.Context, databaseID int64, name string, scope gqlbase.Scope) (*gqlbase.Table, error) {
	names := r.tableNames.names()
	key := tableNameKey{dbID: databaseID, name: name}
	if id, ok := names.Get(key); ok {
		t, err := r.TableFor(ctx, id, scope)
		if err == nil && t.Name == name && t.DatabaseID == databaseID {
			return t, nil
		}
		names.Remove(key)
		if err != nil && gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
			return nil, err
		}
	}
	t, err := r.TableByNameFor(ctx, databaseID, name, scope)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		if id, perr := strconv.ParseInt(name, 10, 64); perr == nil && id > 0 {
			if byID, err2 := r.TableFor(ctx, id, scope); err2 == nil && byID.DatabaseID == databaseID {
				return byID, nil
			}
		}
		return nil, gqlbase.NotFound("table %q not found", name)
	}
	if err != nil {
		return nil, err
	}
	names.Add(key, t.ID)
	return t, nil
}

// Tables lists a database's tables for a principal that may read it.
func (r *Resolver) Tables(ctx context.Context, databaseID int64) ([]*gqlbase.Table, error) {
	return r.Query().Tables(ctx, databaseID, nil)
}

// RowCount counts a table's rows.
func (r *Resolver) RowCount(ctx context.Context, t *gqlbase.Table) (int64, error) {
	if _, err := r.TableFor(ctx, t.ID, gqlbase.ScopeRead); err != nil {
		return 0, err
	}
	counts, err := r.Store.CountRows(ctx, []*gqlbase.Table{t})
	if err != nil {
		return 0, err
	}
	return counts[t.ID], nil
}

// TableSettings returns the settings a dialect keeps for tables the principal may read.
func (r *Resolver) TableSettings(ctx context.Context, tables []*gqlbase.Table, dialect string) (map[int64]map[string]any, error) {
	p := gqlbase.PrincipalFrom(ctx)
	ids := make([]int64, 0, len(tables))
	for _, t := range tables {
		if !p.CanReadDatabase(t.WorkspaceID, t.DatabaseID) {
			return nil, gqlbase.NotFound("table %d not found", t.ID)
		}
		ids = append(ids, t.ID)
	}
	if len(ids) == 0 {
		return map[int64]map[string]any{}, nil
	}
	return r.Store.TableSettingsOf(ctx, ids, dialect)
}

// MergeTableSettings changes the settings a dialect keeps for a table (schema scope).
func (r *Resolver) MergeTableSettings(ctx context.Context, tableID int64, dialect string, patch map[string]any) (map[string]any, error) {
	if _, err := r.TableFor(ctx, tableID, gqlbase.ScopeSchema); err != nil {
		return nil, err
	}
	return r.Store.MergeTableSettings(ctx, tableID, dialect, patch)
}

// DatabaseSettings returns the settings a dialect keeps for a database the principal may read.
func (r *Resolver) DatabaseSettings(ctx context.Context, databaseID int64, dialect string) (map[string]any, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	return r.Store.DatabaseSettings(ctx, databaseID, dialect)
}

// MergeDatabaseSettings changes the settings a dialect keeps for a database (schema scope).
// A non-nil schemaLocked locks or unlocks the database's schema in the same transaction.
func (r *Resolver) MergeDatabaseSettings(ctx context.Context, databaseID int64, dialect string, patch map[string]any, schemaLocked *bool) (map[string]any, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeSchema); err != nil {
		return nil, err
	}
	if err := checkSettings(patch); err != nil {
		return nil, err
	}
	return r.Store.MergeDatabaseSettings(ctx, databaseID, dialect, patch, schemaLocked, actor(ctx))
}

// envScope authorizes access to the environment variables of a workspace (admin scope) or of
// a database (schema scope), and returns the workspace id.
func (r *Resolver) envScope(ctx context.Context, workspaceID int64, databaseID *int64) (int64, error) {
	if databaseID != nil {
		db, err := r.DatabaseFor(ctx, *databaseID, gqlbase.ScopeSchema)
		if err != nil {
			return 0, err
		}
		return db.WorkspaceID, nil
	}
	if err := gqlbase.PrincipalFrom(ctx).Require(workspaceID, gqlbase.ScopeAdmin); err != nil {
		return 0, err
	}
	return workspaceID, nil
}

func checkEnvVar(name string, value *string) error {
	if name == "" || len(name) > 128 || !isEnvName(name) {
		return gqlbase.BadInput("variable name %q must start with a letter or underscore and hold only letters, digits and underscores (at most 128)", name).WithField("name")
	}
	if value != nil && len(*value) > 65536 {
		return gqlbase.BadInput("variable value is longer than 65536 bytes").WithField("value")
	}
	return nil
}

func isEnvName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// EnvVars lists the environment variables of a workspace (databaseID nil) or a database.
func (r *Resolver) EnvVars(ctx context.Context, workspaceID int64, databaseID *int64) ([]*gqlbase.EnvVar, error) {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return nil, err
	}
	return r.Store.ListEnvVars(ctx, ws, databaseID)
}

// CreateEnvVar adds an environment variable.
func (r *Resolver) CreateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name, value string) (*gqlbase.EnvVar, error) {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return nil, err
	}
	if err := checkEnvVar(name, &value); err != nil {
		return nil, err
	}
	return r.Store.CreateEnvVar(ctx, ws, databaseID, name, value)
}

// UpdateEnvVar renames and/or changes an environment variable.
func (r *Resolver) UpdateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string, newName, value *string) (*gqlbase.EnvVar, error) {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return nil, err
	}
	if newName != nil {
		if err := checkEnvVar(*newName, value); err != nil {
			return nil, err
		}
	} else if err := checkEnvVar(name, value); err != nil {
		return nil, err
	}
	return r.Store.UpdateEnvVar(ctx, ws, databaseID, name, newName, value)
}

// SetEnvVars creates or replaces several variables at once.
func (r *Resolver) SetEnvVars(ctx context.Context, workspaceID int64, databaseID *int64, vars map[string]string) error {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return err
	}
	for name, value := range vars {
		if err := checkEnvVar(name, &value); err != nil {
			return err
		}
	}
	return r.Store.SetEnvVars(ctx, ws, databaseID, vars)
}

// DeleteEnvVar removes an environment variable.
func (r *Resolver) DeleteEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string) error {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return err
	}
	return r.Store.DeleteEnvVar(ctx, ws, databaseID, name)
}

// scopeOfSQL is the scope a kind of statement needs.
func scopeOfSQL(k sqlguard.Kind) gqlbase.Scope {
	switch k {
	case sqlguard.Write:
		return gqlbase.ScopeWrite
	case sqlguard.SchemaChange:
		return gqlbase.ScopeSchema
	}
	return gqlbase.ScopeRead
}

// RunSQL runs raw SQL in a database as the database's own role. Statements the SQL endpoint
// does not accept, and errors of the database, come back in the result's Errors; a principal
// without the scope the statements need (read for reads, write for data changes, schema for
// DDL, which a locked schema refuses) gets an error. A workspace runs at most
// SQL.PerWorkspace requests at once (sqllimit.go); one more that finds no turn soon gets
// RATE_LIMITED.
func (r *Resolver) RunSQL(ctx context.Context, databaseID int64, query string) (*gqlbase.SQLResult, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	stmts, err := sqlguard.Check(query, db.Schema)
	if err != nil {
		e, ok := gqlbase.AsError(err)
		if !ok {
			return nil, err
		}
		return &gqlbase.SQLResult{Columns: []string{}, Rows: nil, AffectedTables: []string{}, Errors: []string{e.Message}}, nil
	}
	kind := sqlguard.Read
	for _, st := range stmts {
		kind = max(kind, st.Kind)
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireDatabase(db.WorkspaceID, db.ID, scopeOfSQL(kind)); err != nil {
		return nil, err
	}
	if kind == sqlguard.SchemaChange {
		if err := schemaUnlocked(db); err != nil {
			return nil, err
		}
	}
	release, err := r.sqlTurns.acquire(ctx, db.WorkspaceID, r.SQL.perWorkspace(), r.SQL.wait())
	if err != nil {
		return nil, err
	}
	defer release()
	return r.Store.ExecSQL(ctx, db, stmts, storage.SQLOptions{
		ReadOnly: kind == sqlguard.Read, Deadline: r.SQL.deadline(), MaxBytes: r.SQL.maxResultBytes(), Actor: actor(ctx),
	})
}

// DatabaseDDL returns the SQL that creates a database's tables as they are now.
func (r *Resolver) DatabaseDDL(ctx context.Context, databaseID int64) (string, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead); err != nil {
		return "", err
	}
	tables, err := r.Store.ListTables(ctx, databaseID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, t := range tables {
		ddl, err := r.Store.TableDDL(ctx, t)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(ddl)
	}
	return b.String(), nil
}

// DumpDatabase writes an SQL dump of a database (structure and data) to w.
func (r *Resolver) DumpDatabase(ctx context.Context, databaseID int64, w io.Writer) (int64, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead)
	if err != nil {
		return 0, err
	}
	return r.Store.DumpDatabase(ctx, db, w)
}

// VacuumDatabase reclaims space and refreshes statistics of a database's tables.
func (r *Resolver) VacuumDatabase(ctx context.Context, databaseID int64) error {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	return r.Store.VacuumDatabase(ctx, db)
}

// DatabaseSize is the disk size of a database the principal may read.
func (r *Resolver) DatabaseSize(ctx context.Context, databaseID int64) (int64, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead)
	if err != nil {
		return 0, err
	}
	return r.Store.DatabaseSize(ctx, db)
}

// DeleteDatabaseWithTables deletes a database with everything in it, and its role, in one
// transaction.
func (r *Resolver) DeleteDatabaseWithTables(ctx context.Context, databaseID int64) error {
	force := true
	_, err := r.DeleteDatabase(ctx, databaseID, &force)
	return err
}

// checkSettings bounds the text values of a dialect's settings.
func checkSettings(patch map[string]any) error {
	for k, v := range patch {
		if s, ok := v.(string); ok && utf8.RuneCountInString(s) > maxDescriptionLen {
			return gqlbase.BadInput("%s must have at most %d characters", k, maxDescriptionLen).WithField(k)
		}
	}
	return nil
}
