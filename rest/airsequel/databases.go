package airsequel

import (
	"bytes"
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
	Databases         []databaseOut `json:"databases"`
	NumberOfDatabases int           `json:"numberOfDatabases"`
}

type createDatabaseIn struct {
	Name        string  `json:"name" required:"true"`
	Query       *string `json:"query,omitempty" doc:"SQL run in the new database"`
	Team        *string `json:"team,omitempty" doc:"workspace name or id (default: the caller's)"`
	FileFormat  *string `json:"fileFormat,omitempty" doc:"accepted and ignored"`
	Description *string `json:"description,omitempty"`
}

type createDatabaseOut struct {
	ID           string `json:"id"`
	OwnerName    string `json:"ownerName"`
	OwnershipUtc string `json:"ownershipUtc"`
}

type patchDatabaseIn struct {
	Name        *string    `json:"name,omitempty"`
	Description textUpdate `json:"description,omitempty"`
	Owner       textUpdate `json:"owner,omitempty" doc:"the team: only the current one is accepted"`
}

// settingsIn is a settings update.
type settingsIn struct {
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

func (a *api) encodeDatabase(r *http.Request, db *gqlbase.Database) (databaseOut, error) {
	ctx := r.Context()
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

func (a *api) listDatabases(w http.ResponseWriter, r *http.Request) error {
	dbs, err := a.res.Databases(r.Context(), nil)
	if err != nil {
		return err
	}
	out := listDatabasesOut{Databases: []databaseOut{}}
	for _, db := range dbs {
		d, err := a.encodeDatabase(r, db)
		if err != nil {
			return err
		}
		out.Databases = append(out.Databases, d)
	}
	out.NumberOfDatabases = len(out.Databases)
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) createDatabase(w http.ResponseWriter, r *http.Request) error {
	var in createDatabaseIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	ctx := r.Context()
	team := ""
	if in.Team != nil {
		team = *in.Team
	}
	wsID, err := a.res.WorkspaceRef(ctx, team)
	if err != nil {
		return err
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
		return err
	}
	ws, err := a.res.DatabaseWorkspace(ctx, db)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, createDatabaseOut{ID: fmt.Sprint(db.ID), OwnerName: ws.Name, OwnershipUtc: formatTime(db.CreatedAt)})
	return nil
}

func (a *api) getDatabase(w http.ResponseWriter, r *http.Request) error {
	db, err := a.database(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	out, err := a.encodeDatabase(r, db)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) patchDatabase(w http.ResponseWriter, r *http.Request) error {
	var in patchDatabaseIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	db, err := a.database(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if in.Owner.Set {
		ws, err := a.res.DatabaseWorkspace(ctx, db)
		if err != nil {
			return err
		}
		if in.Owner.Value == nil || (*in.Owner.Value != ws.Name && *in.Owner.Value != fmt.Sprint(ws.ID)) {
			return gqlbase.Errorf(gqlbase.CodeNotImplemented, "moving a database to another team is not available in gqlbase")
		}
	}
	if in.Name != nil && *in.Name != db.Name {
		if _, err := a.res.RenameDatabase(ctx, db.ID, *in.Name); err != nil {
			return err
		}
	}
	if in.Description.Set {
		var v any
		if in.Description.Value != nil {
			v = *in.Description.Value
		}
		if _, err := a.res.MergeDatabaseSettings(ctx, db.ID, Dialect, map[string]any{"description": v}, nil); err != nil {
			return err
		}
	}
	return empty(w)
}

func (a *api) deleteDatabase(w http.ResponseWriter, r *http.Request) error {
	db, err := a.database(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	if err := a.res.DeleteDatabaseWithTables(r.Context(), db.ID); err != nil {
		return err
	}
	return empty(w)
}

func (a *api) settingsOf(r *http.Request, db *gqlbase.Database) (settingsOut, error) {
	m, err := a.res.DatabaseSettings(r.Context(), db.ID, Dialect)
	if err != nil {
		return settingsOut{}, err
	}
	out := settingsOut{Auditing: boolSetting(m, "auditing"), Environment: strSetting(m, "environment"),
		SchemaLocked: db.SchemaLocked, ViewsTab: boolSetting(m, "viewsTab"), Visibility: visibility(m),
		Description: strSetting(m, "description"), EnvVars: []envOut{}}
	return out, nil
}

func (a *api) getSettings(w http.ResponseWriter, r *http.Request) error {
	db, err := a.database(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	out, err := a.settingsOf(r, db)
	if err != nil {
		return err
	}
	// Variables can hold secrets: they are listed for callers who may manage them.
	if vars, err := a.res.EnvVars(r.Context(), db.WorkspaceID, &db.ID); err == nil {
		out.EnvVars = envList(vars)
	} else if c := gqlbase.ErrorCode(err); c != gqlbase.CodeForbidden {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) patchSettings(w http.ResponseWriter, r *http.Request) error {
	var in settingsIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	db, err := a.database(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
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
			return gqlbase.BadInput("visibility must be private, team or public").WithField("visibility")
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
	ctx := r.Context()
	if len(in.EnvVars) > 0 {
		vars := map[string]string{}
		for _, v := range in.EnvVars {
			vars[v.Name] = v.Value
		}
		if err := a.res.SetEnvVars(ctx, db.WorkspaceID, &db.ID, vars); err != nil {
			return err
		}
	}
	if len(patch) > 0 || in.SchemaLocked != nil {
		if _, err := a.res.MergeDatabaseSettings(ctx, db.ID, Dialect, patch, in.SchemaLocked); err != nil {
			return err
		}
	}
	return empty(w)
}

func (a *api) schema(w http.ResponseWriter, r *http.Request) error {
	db, err := a.database(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	ddl, err := a.res.DatabaseDDL(r.Context(), db.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(ddl))
	return nil
}

func (a *api) vacuum(w http.ResponseWriter, r *http.Request) error {
	db, err := a.database(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	if err := a.res.VacuumDatabase(r.Context(), db.ID); err != nil {
		return err
	}
	return empty(w)
}

type readonlyOut struct {
	ReadonlyID string `json:"readonlyId"`
}

func (a *api) regenerateReadonlyID(w http.ResponseWriter, r *http.Request) error {
	db, err := a.database(r, gqlbase.ScopeAdmin)
	if err != nil {
		return err
	}
	db, err = a.res.RegenerateReadonlyID(r.Context(), db.ID)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, readonlyOut{ReadonlyID: db.ReadonlyID})
	return nil
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

func (a *api) download(w http.ResponseWriter, r *http.Request) error {
	db, err := a.database(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	tw := &writeTracker{ResponseWriter: w, header: func() {
		w.Header().Set("Content-Type", "application/sql; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="database-%d.sql"`, db.ID))
		w.WriteHeader(http.StatusOK)
	}}
	_, err = a.res.DumpDatabase(r.Context(), db.ID, tw)
	if err != nil && tw.started {
		a.logger.ErrorContext(r.Context(), "download cut short", "database", db.ID, "error", err)
		return nil
	}
	if err != nil {
		return err
	}
	if !tw.started {
		tw.header()
	}
	return nil
}
