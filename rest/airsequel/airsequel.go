// Package airsequel serves the REST parts of Airsequel's API over gqlbase: databases
// (/api/dbs), their settings, tables and columns, CSV export, search, schema text, environment
// variables, tokens, status, the SQL endpoint (/dbs/:dbId/sql), downloads and vacuum. The
// typed GraphQL API (/dbs/:dbId/graphql, /readonly/:readonlyId/graphql) is served by the
// typed data API.
//
// Mapping:
//   - An Airsequel team is a gqlbase workspace (team_name: a workspace name or id; default the
//     caller's). A database id is the gqlbase database id (a decimal string); a database name
//     of the caller's workspace is accepted in paths too. A table or column in a path is its
//     name (a table id works as well).
//   - description, environment, visibility, auditing, viewsTab and schemaLocked are kept as
//     the database's settings; schemaLocked refuses DDL through /sql and structure changes
//     here.
//   - Token permissions [{db_id, name: read|write}] become a gqlbase token restricted to those
//     databases with the read scope (and write when any permission writes).
//   - SQL runs as the database's own Postgres role (see storage/sqlexec.go); a table it
//     creates gets gqlbase's system columns (id as its key, created_at, updated_at,
//     created_by, version) and metadata.
//   - Routes of products gqlbase does not have (apps, charts, dashboards, functions, AI
//     prompts, billing, file uploads of SQLite databases, teams and users) answer 501.
//   - Errors: {"errors": [{"message", "code"}]} with the HTTP status of the code; SQL errors
//     are strings in the /sql answer's errors, with HTTP 200.
package airsequel

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// Dialect is the name under which database settings are kept.
const Dialect = "airsequel"

// Deps are what the handlers use.
type Deps struct {
	// Core is the use-case layer (*resolvers.Resolver).
	Core    Core
	Logger  *slog.Logger
	Version string
}

type api struct {
	res     Core
	logger  *slog.Logger
	version string
}

type errorItem struct {
	Message string `json:"message"`
	Code    string `json:"code" doc:"UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT, RATE_LIMITED, PAYLOAD_TOO_LARGE, NOT_IMPLEMENTED, INTERNAL"`
}

type errorBody struct {
	Errors []errorItem `json:"errors"`
}

// New returns the Airsequel dialect: its routes are bound per resource (databases, tables,
// columns, rows, environment variables, tokens, SQL), and the routes of products gqlbase
// does not have answer 501.
func New(deps Deps) *restkit.Dialect {
	a := &api{res: deps.Core, logger: deps.Logger, version: deps.Version}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	d := &restkit.Dialect{
		Name:  "airsequel",
		Title: "Airsequel REST API",
		Description: "Airsequel's JSON API (/api/...), its SQL endpoint and downloads. Database ids are gqlbase database ids; " +
			"teams are workspaces. The typed GraphQL API is at /dbs/{db}/graphql.",
		Authenticate: a.authenticate,
		// Airsequel's clients send what its API documents: a field it does not have is a
		// mistake worth telling.
		Decode:     restkit.DecodeOptions{Unknown: restkit.RejectUnknown},
		ErrorBody:  errorBody{},
		WriteError: a.writeError,
	}
	a.bindServer(d)
	a.bindDatabases(d)
	a.bindTables(d)
	a.bindColumns(d)
	a.bindRows(d)
	a.bindEnv(d)
	a.bindFunctions(d)
	a.bindTokens(d)
	a.bindSQL(d)
	bindUnavailable(d)
	return d
}

func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := restkit.Public(a.logger, r, err)
	restkit.WriteJSON(w, restkit.HTTPStatus(e.Code), errorBody{Errors: []errorItem{{Message: e.Message, Code: string(e.Code)}}})
}

// authenticate runs before every route that is not Public: each of them acts for a principal
// (its workspace names the databases and teams of the paths).
func (a *api) authenticate(r *http.Request) (context.Context, error) {
	if err := gqlbase.PrincipalFrom(r.Context()).Authenticated(); err != nil {
		return nil, err
	}
	return r.Context(), nil
}

// done is the answer of routes that change something and return nothing: {}.
type done = struct{}

// dbPath is the {dbId} path parameter of a route's input.
type dbPath struct {
	DB string `json:"-" path:"dbId" doc:"a database id, or the name of a database of the caller's workspace"`
}

// tablePath is {dbId} and {tableId}.
type tablePath struct {
	dbPath
	Table string `json:"-" path:"tableId" doc:"a table name (or id)"`
}

// database resolves the {dbId} path value: a database id, or the name of a database of the
// caller's workspace (authenticate made sure there is a caller).
func (a *api) database(ctx context.Context, in dbPath, scope gqlbase.Scope) (*gqlbase.Database, error) {
	p := gqlbase.PrincipalFrom(ctx)
	ref := in.DB
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return a.res.DatabaseFor(ctx, id, scope)
	}
	return a.res.DatabaseByNameFor(ctx, p.WorkspaceID, ref, scope)
}

// table resolves {dbId} and {tableId}.
func (a *api) table(ctx context.Context, in tablePath, scope gqlbase.Scope) (*gqlbase.Table, error) {
	db, err := a.database(ctx, in.dbPath, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	return a.res.TableByName(ctx, db.ID, in.Table, scope)
}

// bindServer adds the routes about the server itself.
func (a *api) bindServer(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/api/status", Summary: "Server status", Public: true, Op: restkit.Handle(a.status),
			Description: "Answers {status: ok, version} while the server runs; needs no credentials (readiness of Postgres is /health)."},
		restkit.Route{Method: "GET", Path: "/api/docs", Summary: "API documentation (redirects to /docs)", Public: true, Op: restkit.Handle(a.docs),
			Description: "Redirects (302) to /docs, the page that renders this document (/docs/openapi.json).",
			Status:      http.StatusFound},
	)
}

type statusOut struct {
	Status  string `json:"status" doc:"always ok"`
	Version string `json:"version" doc:"the gqlbase server's version"`
}

func (a *api) status(ctx context.Context, r *restkit.Request, _ struct{}) (statusOut, error) {
	return statusOut{Status: "ok", Version: a.version}, nil
}

func (a *api) docs(ctx context.Context, r *restkit.Request, _ struct{}) (restkit.Written, error) {
	http.Redirect(r.Writer(), r.Request, "/docs", http.StatusFound)
	return restkit.Written{}, nil
}
