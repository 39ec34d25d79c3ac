// Package botpress serves the Botpress Tables API (/v1/tables, New) and Chat API (/v1/chat,
// NewChat: chat.go) over gqlbase, so the official @botpress/client works against a gqlbase
// server given as its apiUrl.
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
	"context"
	"crypto/rand"
	"errors"
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
	chat   chatTables
}

// New returns the Botpress Tables dialect: its tables and their rows, under /v1/tables.
func New(deps Deps) *restkit.Dialect {
	a := newAPI(deps)
	d := &restkit.Dialect{
		Name:  "botpress",
		Title: "Botpress Tables API",
		Description: "The /v1/tables routes of the Botpress API, for @botpress/client (apiUrl = this server). " +
			"x-bot-id names the database of the bot's tables.",
		Prefix:       "/v1/tables",
		Authenticate: a.authenticate,
		// Botpress clients send fields gqlbase has no use for; bodies of reads may be empty.
		Decode: restkit.DecodeOptions{MaxBytes: restkit.DefaultMaxBody, Unknown: restkit.IgnoreUnknown, AllowEmpty: true},
		Headers: []restkit.Param{
			{Name: "x-bot-id", In: "header", Required: true,
				Description: "the bot: names the gqlbase database that holds its tables (created on first table creation)"},
			{Name: "x-workspace-id", In: "header",
				Description: "a numeric gqlbase workspace id of the caller's (default: the token's workspace)"},
		},
		ErrorBody:  errorBody{},
		WriteError: a.writeError,
	}
	a.bindTables(d)
	a.bindRows(d)
	return d
}

func newAPI(deps Deps) *api {
	a := &api{res: deps.Core, logger: deps.Logger}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	return a
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
	gqlbase.ReasonFrozen:         "ResourceLockedConflict",
	gqlbase.ReasonHasDependents:  "ReferenceConstraint",
	gqlbase.ReasonFunctionFailed: "Runtime",
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

// botRef is the bot a request names (x-bot-id) and the workspace it lives in (x-workspace-id,
// "" for the token's), put into the context by authenticate.
type botRef struct{ id, workspace string }

type botKey struct{}

// authenticate runs before every route: the caller must be authenticated and name a bot.
func (a *api) authenticate(r *http.Request) (context.Context, error) {
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
	return context.WithValue(ctx, botKey{}, botRef{id: botID, workspace: ref}), nil
}

// bot resolves the database of the request's bot. With create, a missing database is created
// (the caller needs the schema scope); without, a missing one is NOT_FOUND.
func (a *api) bot(ctx context.Context, scope gqlbase.Scope, create bool) (*gqlbase.Database, error) {
	b, ok := ctx.Value(botKey{}).(botRef)
	if !ok {
		return nil, errors.New("botpress: no bot in the context (the route skipped authenticate)")
	}
	botID, ref := b.id, b.workspace
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

// tableRef is the {table} path parameter of a route's input.
type tableRef struct {
	Table string `json:"-" path:"table" doc:"a table name or id"`
}

// table resolves a table (a name or an id) in the bot's database.
func (a *api) table(ctx context.Context, name string, scope gqlbase.Scope) (*gqlbase.Table, error) {
	db, err := a.bot(ctx, gqlbase.ScopeRead, false)
	if err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return nil, gqlbase.NotFound("table %q not found", name)
		}
		return nil, err
	}
	t, err := a.res.TableByName(ctx, db.ID, name, scope)
	if err == nil && isChatTable(t) {
		return nil, gqlbase.NotFound("table %q not found", name)
	}
	return t, err
}

// isChatTable tells the Chat API's tables (chat.go) from the bot's Tables.
func isChatTable(t *gqlbase.Table) bool { return strings.HasPrefix(t.Name, chatPrefix) }
