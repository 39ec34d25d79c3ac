package airsequel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// textUpdate is Airsequel's optional text: a string, null, {"tag": "TextValue", "contents":
// "..."} or {"tag": "TextNull"}.
type textUpdate struct {
	Set   bool
	Value *string
}

// JSONSchema documents the accepted forms (the document would otherwise show the Go fields).
func (textUpdate) JSONSchema() map[string]any {
	return map[string]any{"oneOf": []any{
		map[string]any{"type": []string{"string", "null"}},
		map[string]any{"type": "object", "required": []string{"tag"}, "properties": map[string]any{
			"tag":      map[string]any{"type": "string", "enum": []string{"TextValue", "TextNull"}},
			"contents": map[string]any{"type": "string", "description": "the text, with TextValue"},
		}},
	}}
}

func (t *textUpdate) UnmarshalJSON(b []byte) error {
	t.Set = true
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t.Value = &s
		return nil
	}
	var tagged struct {
		Tag      string  `json:"tag"`
		Contents *string `json:"contents"`
	}
	if err := json.Unmarshal(b, &tagged); err != nil {
		return err
	}
	switch tagged.Tag {
	case "TextNull":
	case "TextValue":
		if tagged.Contents == nil {
			return fmt.Errorf("TextValue needs contents")
		}
		t.Value = tagged.Contents
	default:
		return fmt.Errorf("tag must be TextValue or TextNull, not %q", tagged.Tag)
	}
	return nil
}

// bindDatabases adds the routes of databases: the databases of a team, their settings, their
// schema, and what is done to a database as a whole (vacuum, download, a new read-only id).
func (a *api) bindDatabases(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/api/dbs", Summary: "List databases", Op: restkit.Handle(a.listDatabases),
			Description: "Lists the gqlbase databases of the caller's workspace that it can read, with settings, tables, size and owner; not paged."},
		restkit.Route{Method: "POST", Path: "/api/dbs", Summary: "Create database", Op: restkit.Handle(a.createDatabase),
			Description: "Creates a database in the team (default: the caller's workspace); query, when given, is SQL run in it (all or nothing)."},
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}", Summary: "Get database", Op: restkit.Handle(a.getDatabase),
			Description: "Returns one database: its settings (description, environment, visibility, auditing, viewsTab, schemaLocked), tables and size."},
		restkit.Route{Method: "PATCH", Path: "/api/dbs/{dbId}", Summary: "Update database", Op: restkit.Handle(a.patchDatabase),
			Description: "Renames the database and sets its description (schema scope). owner may only name the current team: moving a database to another team answers 501. Answers {}."},
		restkit.Route{Method: "DELETE", Path: "/api/dbs/{dbId}", Summary: "Delete database", Op: restkit.Handle(a.deleteDatabase),
			Description: "Deletes the database with all its tables and rows (schema scope). Answers {}."},
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/settings", Summary: "Get database settings", Op: restkit.Handle(a.getSettings),
			Description: "Returns the database's Airsequel settings (kept by gqlbase as the database's dialect settings) and its environment variables."},
		restkit.Route{Method: "PATCH", Path: "/api/dbs/{dbId}/settings", Summary: "Update database settings", Op: restkit.Handle(a.patchSettings),
			Description: "Changes the settings given and leaves the others (schema scope); envVars are created or replaced. schemaLocked: true refuses DDL through /sql and structure changes here. Answers {}."},
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/schema", Summary: "Database schema as SQL", Op: restkit.Handle(a.schema),
			ResponseType: "text/plain",
			Description:  "Returns the CREATE TABLE statements of the database's tables (Postgres DDL, as text)."},
		restkit.Route{Method: "POST", Path: "/api/dbs/{dbId}/vacuum", Summary: "Vacuum database", Op: restkit.Handle(a.vacuum),
			Description: "Runs Postgres VACUUM (ANALYZE) on the database's tables (schema scope). Answers {}."},
		restkit.Route{Method: "GET", Path: "/dbs/{dbId}/download", Summary: "Download database as an SQL dump", Op: restkit.Handle(a.download),
			ResponseType: "application/sql",
			Description: "Streams a plain SQL dump of the database made by pg_dump (tables, indexes, views, sequences and data; " +
				"no owners or privileges) as the attachment database-<id>.sql, instead of Airsequel's SQLite file."},
		restkit.Route{Method: "GET", Path: "/dbs/{dbId}/regenerate-readonly-id", Summary: "Regenerate the read-only id",
			Op:          restkit.Handle(a.regenerateReadonlyID),
			Description: "Gives the database a new read-only id (admin scope), so /readonly/{readonlyId}/graphql links made with the old one stop working."},
	)
}

type tableRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type databaseOut struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	Description     *string    `json:"description"`
	Environment     *string    `json:"environment"`
	Visibility      string     `json:"visibility"`
	Auditing        bool       `json:"auditing"`
	SchemaLocked    bool       `json:"schemaLocked"`
	ViewsTab        bool       `json:"viewsTab"`
	CreatedUtc      string     `json:"createdUtc"`
	LastModifiedUtc string     `json:"lastModifiedUtc"`
	FileFormat      string     `json:"fileFormat" doc:"always postgresql"`
	FileName        string     `json:"fileName"`
	Owner           string     `json:"owner" doc:"the team (workspace) name"`
	ReadonlyID      *string    `json:"readonlyId" doc:"null unless the caller may regenerate it (admin scope)"`
	SchemaVersion   int        `json:"schemaVersion"`
	UserVersion     int        `json:"userVersion"`
	Size            int64      `json:"size" doc:"bytes on disk"`
	Tables          []tableRef `json:"tables"`
	Location        any        `json:"location"`
}

type listDatabasesOut struct {
	Databases         []databaseOut `json:"databases" doc:"the databases of the caller's workspace it can read"`
	NumberOfDatabases int           `json:"numberOfDatabases" doc:"how many there are"`
}

type createDatabaseIn struct {
	Name        string  `json:"name" required:"true" doc:"the database's name (unique in the team)"`
	Query       *string `json:"query,omitempty" doc:"SQL run in the new database"`
	Team        *string `json:"team,omitempty" doc:"workspace name or id (default: the caller's)"`
	FileFormat  *string `json:"fileFormat,omitempty" doc:"accepted and ignored"`
	Description *string `json:"description,omitempty" doc:"kept as a setting"`
}

type createDatabaseOut struct {
	ID           string `json:"id" doc:"the new database's id"`
	OwnerName    string `json:"ownerName" doc:"the team (workspace) name"`
	OwnershipUtc string `json:"ownershipUtc"`
}

type patchDatabaseIn struct {
	dbPath
	Name        *string    `json:"name,omitempty" doc:"a new name"`
	Description textUpdate `json:"description,omitempty" doc:"a text, or null to clear it"`
	Owner       textUpdate `json:"owner,omitempty" doc:"the team: only the current one is accepted"`
}

// settingsIn is a settings update.
type settingsIn struct {
	dbPath
	Auditing     *bool      `json:"auditing,omitempty"`
	EnvVars      []envIn    `json:"envVars,omitempty" doc:"variables to create or replace"`
	Environment  textUpdate `json:"environment,omitempty"`
	SchemaLocked *bool      `json:"schemaLocked,omitempty"`
	ViewsTab     *bool      `json:"viewsTab,omitempty"`
	Visibility   *string    `json:"visibility,omitempty" doc:"private or public (kept as a setting)"`
	Description  textUpdate `json:"description,omitempty"`
}

type settingsOut struct {
	Auditing     bool     `json:"auditing"`
	Environment  *string  `json:"environment"`
	SchemaLocked bool     `json:"schemaLocked"`
	ViewsTab     bool     `json:"viewsTab"`
	Visibility   string   `json:"visibility"`
	Description  *string  `json:"description"`
	EnvVars      []envOut `json:"envVars"`
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func strSetting(m map[string]any, key string) *string {
	if s, ok := m[key].(string); ok {
		return &s
	}
	return nil
}

func boolSetting(m map[string]any, key string) bool {
	b, _ := m[key].(bool)
	return b
}

func visibility(m map[string]any) string {
	if s, ok := m["visibility"].(string); ok && s != "" {
		return s
	}
	return "private"
}

func (a *api) encodeDatabase(ctx context.Context, db *gqlbase.Database) (databaseOut, error) {
	settings, err := a.res.DatabaseSettings(ctx, db.ID, Dialect)
	if err != nil {
		return databaseOut{}, err
	}
	tables, err := a.res.Tables(ctx, db.ID)
	if err != nil {
		return databaseOut{}, err
	}
	size, err := a.res.DatabaseSize(ctx, db.ID)
	if err != nil {
		return databaseOut{}, err
	}
	ws, err := a.res.DatabaseWorkspace(ctx, db)
	if err != nil {
		return databaseOut{}, err
	}
	out := databaseOut{
		ID: fmt.Sprint(db.ID), Name: db.Name, Description: strSetting(settings, "description"),
		Environment: strSetting(settings, "environment"), Visibility: visibility(settings),
		Auditing: boolSetting(settings, "auditing"), SchemaLocked: db.SchemaLocked,
		ViewsTab: boolSetting(settings, "viewsTab"), CreatedUtc: formatTime(db.CreatedAt),
		LastModifiedUtc: formatTime(db.UpdatedAt), FileFormat: "postgresql", FileName: db.Schema,
		Owner: ws.Name, ReadonlyID: a.res.ReadonlyIDFor(ctx, db), Size: size, Tables: []tableRef{},
	}
	for _, t := range tables {
		out.Tables = append(out.Tables, tableRef{ID: fmt.Sprint(t.ID), Name: t.Name})
		if t.UpdatedAt.After(db.UpdatedAt) {
			out.LastModifiedUtc = formatTime(t.UpdatedAt)
		}
	}
	return out, nil
}

func (a *api) listDatabases(ctx context.Context, r *restkit.Request, _ struct{}) (listDatabasesOut, error) {
	dbs, err := a.res.Databases(r.Context(), nil)
	if err != nil {
		return listDatabasesOut{}, err
	}
	out := listDatabasesOut{Databases: []databaseOut{}}
	for _, db := range dbs {
		d, err := a.encodeDatabase(ctx, db)
		if err != nil {
			return listDatabasesOut{}, err
		}
		out.Databases = append(out.Databases, d)
	}
	out.NumberOfDatabases = len(out.Databases)
	return out, nil
}

func (a *api) createDatabase(ctx context.Context, r *restkit.Request, in createDatabaseIn) (createDatabaseOut, error) {
	team := ""
	if in.Team != nil {
		team = *in.Team
	}
	wsID, err := a.res.WorkspaceRef(ctx, team)
	if err != nil {
		return createDatabaseOut{}, err
	}
	// One transaction: a query that fails leaves no database behind.
	settings := map[string]any{}
	if in.Description != nil {
		settings["description"] = *in.Description
	}
	query := ""
	if in.Query != nil {
		query = *in.Query
	}
	db, err := a.res.CreateDatabaseFromSQL(ctx, gqlbase.CreateDatabaseInput{Name: in.Name, WorkspaceID: &wsID}, Dialect, settings, query)
	if err != nil {
		return createDatabaseOut{}, err
	}
	ws, err := a.res.DatabaseWorkspace(ctx, db)
	if err != nil {
		return createDatabaseOut{}, err
	}
	return createDatabaseOut{ID: fmt.Sprint(db.ID), OwnerName: ws.Name, OwnershipUtc: formatTime(db.CreatedAt)}, nil
}

func (a *api) getDatabase(ctx context.Context, r *restkit.Request, in dbPath) (databaseOut, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return databaseOut{}, err
	}
	return a.encodeDatabase(ctx, db)
}

func (a *api) patchDatabase(ctx context.Context, r *restkit.Request, in patchDatabaseIn) (done, error) {
	db, err := a.database(ctx, in.dbPath, gqlbase.ScopeSchema)
	if err != nil {
		return done{}, err
	}
	if in.Owner.Set {
		ws, err := a.res.DatabaseWorkspace(ctx, db)
		if err != nil {
			return done{}, err
		}
		if in.Owner.Value == nil || (*in.Owner.Value != ws.Name && *in.Owner.Value != fmt.Sprint(ws.ID)) {
			return done{}, gqlbase.Errorf(gqlbase.CodeNotImplemented, "moving a database to another team is not available in gqlbase")
		}
	}
	if in.Name != nil && *in.Name != db.Name {
		if _, err := a.res.RenameDatabase(ctx, db.ID, *in.Name); err != nil {
			return done{}, err
		}
	}
	if in.Description.Set {
		var v any
		if in.Description.Value != nil {
			v = *in.Description.Value
		}
		if _, err := a.res.MergeDatabaseSettings(ctx, db.ID, Dialect, map[string]any{"description": v}, nil); err != nil {
			return done{}, err
		}
	}
	return done{}, nil
}

func (a *api) deleteDatabase(ctx context.Context, r *restkit.Request, in dbPath) (done, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeSchema)
	if err != nil {
		return done{}, err
	}
	if err := a.res.DeleteDatabaseWithTables(r.Context(), db.ID); err != nil {
		return done{}, err
	}
	return done{}, nil
}

func (a *api) settingsOf(ctx context.Context, db *gqlbase.Database) (settingsOut, error) {
	m, err := a.res.DatabaseSettings(ctx, db.ID, Dialect)
	if err != nil {
		return settingsOut{}, err
	}
	out := settingsOut{Auditing: boolSetting(m, "auditing"), Environment: strSetting(m, "environment"),
		SchemaLocked: db.SchemaLocked, ViewsTab: boolSetting(m, "viewsTab"), Visibility: visibility(m),
		Description: strSetting(m, "description"), EnvVars: []envOut{}}
	return out, nil
}

func (a *api) getSettings(ctx context.Context, r *restkit.Request, in dbPath) (settingsOut, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return settingsOut{}, err
	}
	out, err := a.settingsOf(ctx, db)
	if err != nil {
		return settingsOut{}, err
	}
	// Variables can hold secrets: they are listed for callers who may manage them.
	if vars, err := a.res.EnvVars(r.Context(), db.WorkspaceID, &db.ID); err == nil {
		out.EnvVars = envList(vars)
	} else if c := gqlbase.ErrorCode(err); c != gqlbase.CodeForbidden {
		return settingsOut{}, err
	}
	return out, nil
}

func (a *api) patchSettings(ctx context.Context, r *restkit.Request, in settingsIn) (done, error) {
	db, err := a.database(ctx, in.dbPath, gqlbase.ScopeSchema)
	if err != nil {
		return done{}, err
	}
	patch := map[string]any{}
	if in.Auditing != nil {
		patch["auditing"] = *in.Auditing
	}
	if in.ViewsTab != nil {
		patch["viewsTab"] = *in.ViewsTab
	}
	if in.Visibility != nil {
		switch *in.Visibility {
		case "private", "public", "team":
		default:
			return done{}, gqlbase.BadInput("visibility must be private, team or public").WithField("visibility")
		}
		patch["visibility"] = *in.Visibility
	}
	for key, t := range map[string]textUpdate{"environment": in.Environment, "description": in.Description} {
		if !t.Set {
			continue
		}
		if t.Value == nil {
			patch[key] = nil
		} else {
			patch[key] = *t.Value
		}
	}
	if len(in.EnvVars) > 0 {
		vars := map[string]string{}
		for _, v := range in.EnvVars {
			vars[v.Name] = v.Value
		}
		if err := a.res.SetEnvVars(ctx, db.WorkspaceID, &db.ID, vars); err != nil {
			return done{}, err
		}
	}
	if len(patch) > 0 || in.SchemaLocked != nil {
		if _, err := a.res.MergeDatabaseSettings(ctx, db.ID, Dialect, patch, in.SchemaLocked); err != nil {
			return done{}, err
		}
	}
	return done{}, nil
}

func (a *api) schema(ctx context.Context, r *restkit.Request, in dbPath) (restkit.Written, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return restkit.Written{}, err
	}
	ddl, err := a.res.DatabaseDDL(r.Context(), db.ID)
	if err != nil {
		return restkit.Written{}, err
	}
	w := r.Writer()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(ddl))
	return restkit.Written{}, nil
}

func (a *api) vacuum(ctx context.Context, r *restkit.Request, in dbPath) (done, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeSchema)
	if err != nil {
		return done{}, err
	}
	if err := a.res.VacuumDatabase(r.Context(), db.ID); err != nil {
		return done{}, err
	}
	return done{}, nil
}

type readonlyOut struct {
	ReadonlyID string `json:"readonlyId" doc:"the new read-only id"`
}

func (a *api) regenerateReadonlyID(ctx context.Context, r *restkit.Request, in dbPath) (readonlyOut, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeAdmin)
	if err != nil {
		return readonlyOut{}, err
	}
	db, err = a.res.RegenerateReadonlyID(r.Context(), db.ID)
	if err != nil {
		return readonlyOut{}, err
	}
	return readonlyOut{ReadonlyID: db.ReadonlyID}, nil
}

// writeTracker remembers whether a response body was started.
type writeTracker struct {
	http.ResponseWriter
	started bool
	header  func()
}

func (t *writeTracker) Write(p []byte) (int, error) {
	if !t.started {
		t.started = true
		t.header()
	}
	return t.ResponseWriter.Write(p)
}

// download streams the dump: once it has started, an error can only cut it short (and is
// logged), since the status is already sent.
func (a *api) download(ctx context.Context, r *restkit.Request, in dbPath) (restkit.Written, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return restkit.Written{}, err
	}
	w := r.Writer()
	tw := &writeTracker{ResponseWriter: w, header: func() {
		w.Header().Set("Content-Type", "application/sql; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="database-%d.sql"`, db.ID))
		w.WriteHeader(http.StatusOK)
	}}
	_, err = a.res.DumpDatabase(r.Context(), db.ID, tw)
	if err != nil && tw.started {
		a.logger.ErrorContext(r.Context(), "download cut short", "database", db.ID, "error", err)
		return restkit.Written{}, nil
	}
	if err != nil {
		return restkit.Written{}, err
	}
	if !tw.started {
		tw.header()
	}
	return restkit.Written{}, nil
}
