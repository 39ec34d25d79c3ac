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

// New returns the Airsequel dialect.
func New(deps Deps) *restkit.Dialect {
	a := &api{res: deps.Core, logger: deps.Logger, version: deps.Version}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	na := func(method, path, what string) restkit.Route {
		return restkit.Route{Method: method, Path: path, Summary: what + " (not available)", NotImplemented: true,
			Handle: restkit.NotImplemented(what)}
	}
	routes := []restkit.Route{
		{Method: "GET", Path: "/api/status", Summary: "Server status", Public: true, Handle: a.status, Response: statusOut{}},
		{Method: "GET", Path: "/api/docs", Summary: "API documentation (redirects to /docs)", Public: true, Handle: a.docs, Status: http.StatusFound},

		{Method: "GET", Path: "/api/dbs", Summary: "List databases", Handle: a.listDatabases, Response: listDatabasesOut{}},
		{Method: "POST", Path: "/api/dbs", Summary: "Create database", Handle: a.createDatabase, Body: createDatabaseIn{}, Response: createDatabaseOut{},
			Description: "Creates a database in the team (default: the caller's workspace); query, when given, is SQL run in it (all or nothing)."},
		{Method: "GET", Path: "/api/dbs/{dbId}", Summary: "Get database", Handle: a.getDatabase, Response: databaseOut{}},
		{Method: "PATCH", Path: "/api/dbs/{dbId}", Summary: "Update database", Handle: a.patchDatabase, Body: patchDatabaseIn{}, Response: struct{}{}},
		{Method: "DELETE", Path: "/api/dbs/{dbId}", Summary: "Delete database", Handle: a.deleteDatabase, Response: struct{}{}},
		{Method: "GET", Path: "/api/dbs/{dbId}/settings", Summary: "Get database settings", Handle: a.getSettings, Response: settingsOut{}},
		{Method: "PATCH", Path: "/api/dbs/{dbId}/settings", Summary: "Update database settings", Handle: a.patchSettings, Body: settingsIn{}, Response: struct{}{}},
		{Method: "GET", Path: "/api/dbs/{dbId}/schema", Summary: "Database schema as SQL", Handle: a.schema, ResponseType: "text/plain"},
		{Method: "POST", Path: "/api/dbs/{dbId}/vacuum", Summary: "Vacuum database", Handle: a.vacuum, Response: struct{}{}},

		{Method: "GET", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Get table", Handle: a.getTable, Response: tableOut{}},
		{Method: "PUT", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Create table", Handle: a.putTable, Body: putTableIn{}, Response: tableOut{}},
		{Method: "PATCH", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Update table", Handle: a.patchTable, Body: patchTableIn{}, Response: struct{}{}},
		{Method: "DELETE", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Delete table", Handle: a.deleteTable, Response: struct{}{}},
		{Method: "PUT", Path: "/api/dbs/{dbId}/tables/{tableId}/columns/{column}", Summary: "Create column", Handle: a.putColumn, Body: columnIn{}, Response: columnOut{}},
		{Method: "PATCH", Path: "/api/dbs/{dbId}/tables/{tableId}/columns/{column}", Summary: "Update column", Handle: a.patchColumn, Body: columnIn{}, Response: struct{}{}},
		{Method: "DELETE", Path: "/api/dbs/{dbId}/tables/{tableId}/columns/{column}", Summary: "Delete column", Handle: a.deleteColumn, Response: struct{}{}},
		{Method: "GET", Path: "/api/dbs/{dbId}/tables/{tableId}/export", Summary: "Export table as CSV", Handle: a.exportTable, ResponseType: "text/csv"},
		{Method: "GET", Path: "/api/dbs/{dbId}/tables/{tableId}/search/{searchTerm}", Summary: "Search table", Handle: a.searchTable, Response: searchOut{},
			Params: []restkit.Param{{Name: "limit", Type: "integer"}, {Name: "offset", Type: "integer"}}},

		{Method: "GET", Path: "/api/dbs/{dbId}/env", Summary: "List database environment variables", Handle: a.listEnv(true), Response: envListOut{}},
		{Method: "POST", Path: "/api/dbs/{dbId}/env", Summary: "Create database environment variable", Handle: a.createEnv(true), Body: envIn{}, Response: envOut{}},
		{Method: "PATCH", Path: "/api/dbs/{dbId}/env/{varName}", Summary: "Update database environment variable", Handle: a.patchEnv(true), Body: envPatchIn{}, Response: struct{}{}},
		{Method: "DELETE", Path: "/api/dbs/{dbId}/env/{varName}", Summary: "Delete database environment variable", Handle: a.deleteEnv(true), Response: struct{}{}},
		{Method: "GET", Path: "/api/settings", Summary: "Get team settings", Handle: a.getTeamSettings, Response: teamSettingsOut{}},
		{Method: "PATCH", Path: "/api/settings", Summary: "Update team settings", Handle: a.patchTeamSettings, Body: teamSettingsIn{}, Response: struct{}{}},
		{Method: "GET", Path: "/api/settings/env", Summary: "List team environment variables", Handle: a.listEnv(false), Response: envListOut{}},
		{Method: "POST", Path: "/api/settings/env", Summary: "Create team environment variable", Handle: a.createEnv(false), Body: envIn{}, Response: envOut{}},
		{Method: "PATCH", Path: "/api/settings/env/{varName}", Summary: "Update team environment variable", Handle: a.patchEnv(false), Body: envPatchIn{}, Response: struct{}{}},
		{Method: "DELETE", Path: "/api/settings/env/{varName}", Summary: "Delete team environment variable", Handle: a.deleteEnv(false), Response: struct{}{}},

		{Method: "POST", Path: "/api/tokens", Summary: "Create token", Handle: a.createToken, Body: createTokenIn{}, Response: tokenOut{}},
		{Method: "GET", Path: "/api/tokens/{tokenId}", Summary: "Get token", Handle: a.getToken, Response: tokenOut{}},
		{Method: "PATCH", Path: "/api/tokens/{tokenId}", Summary: "Update token", Handle: a.patchToken, Body: patchTokenIn{}, Response: tokenOut{}},
		{Method: "DELETE", Path: "/api/tokens/{tokenId}", Summary: "Revoke token", Handle: a.deleteToken, Response: struct{}{}},
		{Method: "GET", Path: "/api/teams/{teamName}/tokens", Summary: "List team tokens", Handle: a.listTokens, Response: tokenListOut{}},

		{Method: "POST", Path: "/dbs/{dbId}/sql", Summary: "Run SQL", Handle: a.sql, Body: sqlIn{}, Response: sqlOut{},
			Description: "Runs SQL in one transaction as the database's own role. Reads need the read scope, data changes write, DDL schema. " +
				"Errors of the SQL come back in errors with HTTP 200, and nothing is changed then. " +
				"A workspace runs only a few SQL requests at once: one more waits briefly for its turn, then gets 429 RATE_LIMITED. " +
				"A request that runs past its deadline is cancelled (400 BAD_USER_INPUT), and one whose rows are over the byte cap gets " +
				"413 PAYLOAD_TOO_LARGE; nothing is changed then either."},
		{Method: "GET", Path: "/dbs/{dbId}/download", Summary: "Download database as an SQL dump", Handle: a.download, ResponseType: "application/sql"},
		{Method: "GET", Path: "/dbs/{dbId}/regenerate-readonly-id", Summary: "Regenerate the read-only id", Handle: a.regenerateReadonlyID, Response: readonlyOut{}},

		na("GET", "/api/dbs/{dbId}/apps", "apps"),
		na("GET", "/dbs/{dbId}/apps/{appId}", "apps"),
		na("GET", "/api/dbs/{dbId}/azimutt-schema", "the Azimutt schema export"),
		na("GET", "/api/dbs/{dbId}/charts", "charts"),
		na("POST", "/api/dbs/{dbId}/charts", "charts"),
		na("PATCH", "/api/dbs/{dbId}/charts/{chartId}", "charts"),
		na("DELETE", "/api/dbs/{dbId}/charts/{chartId}", "charts"),
		na("GET", "/api/dbs/{dbId}/dashboards", "dashboards"),
		na("POST", "/api/dbs/{dbId}/dashboards", "dashboards"),
		na("PATCH", "/api/dbs/{dbId}/dashboards/{dashboardId}", "dashboards"),
		na("DELETE", "/api/dbs/{dbId}/dashboards/{dashboardId}", "dashboards"),
		na("GET", "/api/dbs/{dbId}/functions", "functions"),
		na("POST", "/api/dbs/{dbId}/functions", "functions"),
		na("GET", "/api/dbs/{dbId}/functions/{funcId}", "functions"),
		na("PATCH", "/api/dbs/{dbId}/functions/{funcId}", "functions"),
		na("DELETE", "/api/dbs/{dbId}/functions/{funcId}", "functions"),
		na("GET", "/api/dbs/{dbId}/functions/{funcId}/invocations", "functions"),
		na("POST", "/api/dbs/{dbId}/functions/{funcId}/republish", "functions"),
		na("GET", "/api/dbs/{dbId}/functions/{funcId}/versions/{versionId}", "functions"),
		na("GET", "/fns/{funcId}", "functions"),
		na("POST", "/fns/{funcId}", "functions"),
		na("PUT", "/fns/{funcId}", "functions"),
		na("PATCH", "/fns/{funcId}", "functions"),
		na("DELETE", "/fns/{funcId}", "functions"),
		na("POST", "/api/dbs/{dbId}/prompt", "AI prompts"),
		na("POST", "/api/dbs/{dbId}/prompt/describe-database", "AI prompts"),
		na("POST", "/api/dbs/{dbId}/prompt/describe-function", "AI prompts"),
		na("POST", "/api/dbs/{dbId}/prompt/describe-table", "AI prompts"),
		na("POST", "/api/prompt/create-database", "AI prompts"),
		na("POST", "/api/events/paddle", "billing"),
		na("GET", "/api/dbs/{dbId}/tables/{tableId}/columns/{column}/files/{primaryKey}/{equalsValue}", "file cells"),
		na("PUT", "/api/dbs/{dbId}/tables/{tableId}/columns/{column}/files/{primaryKey}/{equalsValue}", "file cells"),
		na("GET", "/readonly/{readonlyId}/tables/{tableId}/columns/{column}/files/{primaryKey}/{equalsValue}", "file cells"),
		na("POST", "/dbs", "uploading SQLite files (create the database with POST /api/dbs and a query)"),
		na("PUT", "/dbs/{dbId}", "uploading SQLite files"),
		na("GET", "/dbs/{dbId}/duplicate", "duplicating databases"),
		na("GET", "/readonly/{readonlyId}/duplicate", "duplicating databases"),
		na("GET", "/dbs/{dbId}/regenerate-db-id", "changing database ids"),
		na("POST", "/api/login", "password login here (use the platform GraphQL logIn mutation)"),
		na("POST", "/api/logout", "logout here (use the platform GraphQL logOut mutation)"),
		na("POST", "/api/users", "user accounts here (use the platform GraphQL signUp mutation)"),
		na("GET", "/api/users/{username}", "user accounts here"),
		na("POST", "/api/users/invite", "invitations here (use the platform GraphQL API)"),
		na("POST", "/api/users/reset-password", "password resets"),
		na("POST", "/api/users/reset-password/submit", "password resets"),
		na("GET", "/password-reset/{passwordResetKey}", "password resets"),
		na("GET", "/verify-email/{emailVerificationKey}", "email verification"),
		na("GET", "/api/teams/{teamName}", "teams here (use the platform GraphQL workspace API)"),
		na("PATCH", "/api/teams/{teamName}", "teams here (use the platform GraphQL workspace API)"),
		na("DELETE", "/api/teams/{teamName}", "teams here (use the platform GraphQL workspace API)"),
		na("GET", "/api/teams/{teamName}/members", "team members here (use the platform GraphQL workspace API)"),
		na("PATCH", "/api/teams/{teamName}/members/{username}", "team members here (use the platform GraphQL workspace API)"),
		na("DELETE", "/api/teams/{teamName}/members/{username}", "team members here (use the platform GraphQL workspace API)"),
	}
	return &restkit.Dialect{
		Name:  "airsequel",
		Title: "Airsequel REST API",
		Description: "Airsequel's JSON API (/api/...), its SQL endpoint and downloads. Database ids are gqlbase database ids; " +
			"teams are workspaces. The typed GraphQL API is at /dbs/{db}/graphql.",
		Routes:     routes,
		ErrorBody:  errorBody{},
		WriteError: a.writeError,
	}
}

func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := restkit.Public(a.logger, r, err)
	restkit.WriteJSON(w, restkit.HTTPStatus(e.Code), errorBody{Errors: []errorItem{{Message: e.Message, Code: string(e.Code)}}})
}

func decode(r *http.Request, dst any, allowEmpty bool) error {
	return restkit.DecodeJSON(r, dst, restkit.DecodeOptions{Unknown: restkit.RejectUnknown, AllowEmpty: allowEmpty})
}

func empty(w http.ResponseWriter) error {
	restkit.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// database resolves the {dbId} path value: a database id, or the name of a database of the
// caller's workspace.
func (a *api) database(r *http.Request, scope gqlbase.Scope) (*gqlbase.Database, error) {
	ctx := r.Context()
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	ref := r.PathValue("dbId")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return a.res.DatabaseFor(ctx, id, scope)
	}
	return a.res.DatabaseByNameFor(ctx, p.WorkspaceID, ref, scope)
}

// table resolves {dbId} and {tableId}.
func (a *api) table(r *http.Request, scope gqlbase.Scope) (*gqlbase.Table, error) {
	db, err := a.database(r, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	return a.res.TableByName(r.Context(), db.ID, r.PathValue("tableId"), scope)
}

type statusOut struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

func (a *api) status(w http.ResponseWriter, r *http.Request) error {
	restkit.WriteJSON(w, http.StatusOK, statusOut{Status: "ok", Version: a.version})
	return nil
}

func (a *api) docs(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/docs", http.StatusFound)
	return nil
}
