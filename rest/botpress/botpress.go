// Package botpress serves the Botpress Tables API (/v1/tables) over gqlbase, so the official
// @botpress/client works against a gqlbase server given as its apiUrl.
//
// Mapping:
//   - The bot id (x-bot-id) names the database the bot's tables live in: the database of that
//     name in the caller's workspace (a numeric x-workspace-id picks another workspace the
//     caller belongs to). It is created on the first call that creates a table (schema scope
//     needed); reads of a bot without a database find no tables.
//   - A table's JSON schema maps to columns: string → TEXT (format date-time → DATETIME, enum →
//     SELECT with those options), number → NUMBER (integer → INTEGER), boolean → BOOLEAN,
//     object and array → JSON; a column listed in required is not nullable; x-zui.searchable
//     makes an indexed column; x-zui.index orders the columns; keyColumn is a unique column.
//     The schema as given (descriptions, x-zui, ...) is kept in the table's dialect settings
//     with factor and keyColumn, and comes back as long as the column's type matches it.
//   - Tags {k: v} are the table's tags "k=v".
//   - Rows are {id, createdAt, updatedAt, computed: {}, stale: [], ...columns}; keys that name
//     no column are ignored with a warning (the schema allows additional properties).
//   - Filters are Mongo-like and become gqlbase.Filter ($eq $ne $gt $gte $lt $lte $in $nin
//     $exists $regex $and $or $not $nor); $regex accepts patterns LIKE can express (literals,
//     ., .*, .+, ^ and $ anchors; $options "i" → ilike).
//   - group: {col: "key" | op | [ops]} with key, avg, max, min, sum, count; result rows carry
//     <col>Key and <col><Op> (colSum, colAvg, ...).
//   - Writes are all or nothing (a bad row fails the request with InvalidPayload instead of
//     being reported in errors); at most 1,000 rows per call.
package botpress

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// Dialect is the name under which table settings are kept.
const Dialect = "botpress"

// Deps are what the handlers use.
type Deps struct {
	// Core is the use-case layer (*resolvers.Resolver).
	Core   Core
	Logger *slog.Logger
}

type api struct {
	res    Core
	logger *slog.Logger
}

// New returns the Botpress Tables dialect.
func New(deps Deps) *restkit.Dialect {
	a := &api{res: deps.Core, logger: deps.Logger}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	botHeader := restkit.Param{Name: "x-bot-id", In: "header", Required: true,
		Description: "the bot: names the gqlbase database that holds its tables (created on first table creation)"}
	wsHeader := restkit.Param{Name: "x-workspace-id", In: "header",
		Description: "a numeric gqlbase workspace id of the caller's (default: the token's workspace)"}
	h := []restkit.Param{botHeader, wsHeader}
	return &restkit.Dialect{
		Name:  "botpress",
		Title: "Botpress Tables API",
		Description: "The /v1/tables routes of the Botpress API, for @botpress/client (apiUrl = this server). " +
			"x-bot-id names the database of the bot's tables.",
		ErrorBody:  errorBody{},
		WriteError: a.writeError,
		Routes: []restkit.Route{
			{Method: "GET", Path: "/v1/tables", Summary: "List tables", Handle: a.listTables, Response: listTablesOut{},
				Params: append(h, restkit.Param{Name: "tags.<key>", Description: "only tables with this tag value (repeatable)"})},
			{Method: "POST", Path: "/v1/tables", Summary: "Create table", Handle: a.createTable, Params: h,
				Body: createTableIn{}, Response: tableEnvelope{}},
			{Method: "GET", Path: "/v1/tables/{table}", Summary: "Get table", Handle: a.getTable, Params: h,
				Response: getTableOut{}},
			{Method: "POST", Path: "/v1/tables/{table}", Summary: "Get or create table", Handle: a.getOrCreateTable, Params: h,
				Body: tableSpecIn{}, Response: getOrCreateOut{}},
			{Method: "PUT", Path: "/v1/tables/{table}", Summary: "Update table", Handle: a.updateTable, Params: h,
				Body: updateTableIn{}, Response: tableEnvelope{},
				Description: "Renames, freezes, retags, and changes the schema: listed columns are added or changed, a column given as null is deleted, others stay."},
			{Method: "DELETE", Path: "/v1/tables/{table}", Summary: "Delete table", Handle: a.deleteTable, Params: h, Response: struct{}{}},
			{Method: "POST", Path: "/v1/tables/{sourceTableId}/duplicate", Summary: "Duplicate table", Handle: a.duplicateTable, Params: h,
				Body: duplicateIn{}, Response: tableEnvelope{}},
			{Method: "PUT", Path: "/v1/tables/{table}/column", Summary: "Rename table column", Handle: a.renameColumn, Params: h,
				Body: renameColumnIn{}, Response: tableEnvelope{}},
			{Method: "GET", Path: "/v1/tables/{table}/row", Summary: "Get table row", Handle: a.getRow, Response: rowEnvelope{},
				Params: append(h, restkit.Param{Name: "id", Required: true, Type: "integer"})},
			{Method: "POST", Path: "/v1/tables/{table}/rows/find", Summary: "Find table rows", Handle: a.findRows, Params: h,
				Body: findIn{}, Response: findOut{}},
			{Method: "POST", Path: "/v1/tables/{table}/rows", Summary: "Create table rows", Handle: a.createRows, Params: h,
				Body: rowsIn{}, Response: rowsOut{}},
			{Method: "PUT", Path: "/v1/tables/{table}/rows", Summary: "Update table rows", Handle: a.updateRows, Params: h,
				Body: rowsIn{}, Response: rowsOut{}},
			{Method: "POST", Path: "/v1/tables/{table}/rows/upsert", Summary: "Upsert table rows", Handle: a.upsertRows, Params: h,
				Body: upsertIn{}, Response: upsertOut{}},
			{Method: "POST", Path: "/v1/tables/{table}/rows/delete", Summary: "Delete table rows", Handle: a.deleteRows, Params: h,
				Body: deleteIn{}, Response: deleteOut{}},
		},
	}
}

// errorBody is Botpress's error envelope.
type errorBody struct {
	ID      string `json:"id" doc:"error id"`
	Code    int    `json:"code" doc:"the HTTP status"`
	Type    string `json:"type" doc:"InvalidPayload, Unauthorized, Forbidden, ResourceNotFound, AlreadyExists, ..."`
	Message string `json:"message"`
}

// errorTypes names Botpress's error type for each gqlbase code; the status is the shared
// mapping (restkit.HTTPStatus).
var errorTypes = map[gqlbase.Code]string{
	gqlbase.CodeUnauthenticated: "Unauthorized",
	gqlbase.CodeForbidden:       "Forbidden",
	gqlbase.CodeNotFound:        "ResourceNotFound",
	gqlbase.CodeBadUserInput:    "InvalidPayload",
	gqlbase.CodeConflict:        "AlreadyExists",
	gqlbase.CodeRateLimited:     "RateLimited",
	gqlbase.CodePayloadTooLarge: "PayloadTooLarge",
	gqlbase.CodeNotImplemented:  "Unknown",
}

// reasonTypes are the Botpress types that name a cause more precisely than its code.
var reasonTypes = map[gqlbase.Reason]string{
	gqlbase.ReasonFrozen:        "ResourceLockedConflict",
	gqlbase.ReasonHasDependents: "ReferenceConstraint",
}

// errorType maps a gqlbase error to Botpress's status and type.
func errorType(e *gqlbase.Error) (int, string) {
	status := restkit.HTTPStatus(e.Code)
	if typ, ok := reasonTypes[e.Reason]; ok {
		return status, typ
	}
	if typ, ok := errorTypes[e.Code]; ok {
		return status, typ
	}
	return status, "Internal"
}

func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := restkit.Public(a.logger, r, err)
	status, typ := errorType(e)
	id := gqlbase.RequestIDFrom(r.Context())
	if id == "" {
		id = rand.Text()[:12]
	}
	restkit.WriteJSON(w, status, errorBody{ID: "err_" + id, Code: status, Type: typ, Message: e.Message})
}

// bot resolves the database of the request's bot. With create, a missing database is created
// (the caller needs the schema scope); without, a missing one is NOT_FOUND.
func (a *api) bot(r *http.Request, scope gqlbase.Scope, create bool) (*gqlbase.Database, error) {
	ctx := r.Context()
	if err := gqlbase.PrincipalFrom(ctx).Authenticated(); err != nil {
		return nil, err
	}
	botID := strings.TrimSpace(r.Header.Get("x-bot-id"))
	if botID == "" {
		return nil, gqlbase.BadInput("the x-bot-id header is required: it names the bot whose tables to use")
	}
	ref := ""
	if ws := r.Header.Get("x-workspace-id"); ws != "" {
		if _, err := strconv.ParseInt(ws, 10, 64); err == nil {
			ref = ws
		}
	}
	wsID, err := a.res.WorkspaceRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	db, _, err := a.res.DatabaseByNameOrCreate(ctx, wsID, botID, scope, create)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return nil, gqlbase.NotFound("bot %q has no tables", botID)
	}
	return db, err
}

// table resolves the {table} path parameter (a name or an id) in the bot's database.
func (a *api) table(r *http.Request, param string, scope gqlbase.Scope) (*gqlbase.Table, error) {
	db, err := a.bot(r, gqlbase.ScopeRead, false)
	if err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return nil, gqlbase.NotFound("table %q not found", r.PathValue(param))
		}
		return nil, err
	}
	return a.res.TableByName(r.Context(), db.ID, r.PathValue(param), scope)
}

func decode(r *http.Request, dst any, max int64) error {
	return restkit.DecodeJSON(r, dst, restkit.DecodeOptions{MaxBytes: max, Unknown: restkit.IgnoreUnknown, AllowEmpty: true})
}
