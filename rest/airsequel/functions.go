package airsequel

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// Airsequel's functions: a database's JavaScript, managed under /api/dbs/{dbId}/functions and
// called over HTTP at /fns/{funcId}. They run in gqlbase's sandbox (goja), not Deno.

// maxFunctionRequest bounds the body /fns passes to a function.
const maxFunctionRequest = 1 << 20

type functionPath struct {
	dbPath
	Func string `json:"-" path:"funcId" doc:"the function's id"`
}

type functionVersionPath struct {
	functionPath
	Version string `json:"-" path:"versionId" doc:"a version id, as listed in versions"`
}

type functionIn struct {
	dbPath
	Content     string  `json:"content" required:"true" doc:"JavaScript: a module whose default export is (input, ctx) => output"`
	Name        string  `json:"name" required:"true"`
	Description *string `json:"description,omitempty"`
	Runtime     string  `json:"runtime,omitempty" doc:"accepted and ignored: functions run in gqlbase's JavaScript sandbox"`
}

type functionPatchIn struct {
	functionPath
	Content     *string `json:"content,omitempty" doc:"new code: a new version that becomes current"`
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Runtime     string  `json:"runtime,omitempty" doc:"accepted and ignored"`
}

type republishIn struct {
	functionPath
	Version string `json:"version" required:"true" doc:"the version id to make current"`
	Runtime string `json:"runtime,omitempty" doc:"accepted and ignored"`
}

type functionOut struct {
	Content     *string  `json:"content"`
	Description *string  `json:"description"`
	Diagnostics []string `json:"diagnostics"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Runtime     string   `json:"runtime"`
	Versions    []string `json:"versions" doc:"version ids, newest first"`
}

type functionListOut struct {
	Functions []functionOut `json:"functions"`
}

type functionSaved struct {
	Diagnostics []string `json:"diagnostics"`
	ID          string   `json:"id"`
}

type invocationLog struct {
	Message string `json:"message"`
	Stream  string `json:"stream"`
	Utc     string `json:"utc"`
}

type invocationOut struct {
	CreatedUtc string          `json:"createdUtc"`
	Data       string          `json:"data" doc:"the output, as JSON text"`
	Error      *string         `json:"error,omitempty"`
	Logs       []invocationLog `json:"logs"`
	RuntimeMs  float64         `json:"runtimeMs"`
}

type invocationListOut struct {
	Invocations []invocationOut `json:"invocations"`
}

func (a *api) bindFunctions(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/functions", Summary: "List functions", Op: restkit.Handle(a.listFunctions),
			Description: "Lists the database's functions by name (the first 500)."},
		restkit.Route{Method: "POST", Path: "/api/dbs/{dbId}/functions", Summary: "Create function", Op: restkit.Handle(a.createFunction),
			Description: "Creates a function (schema scope) acting with read and write on this database, never more than its creator. Code that does not compile is 400."},
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/functions/{funcId}", Summary: "Get function", Op: restkit.Handle(a.getFunction),
			Description: "Returns a function at its current version."},
		restkit.Route{Method: "PATCH", Path: "/api/dbs/{dbId}/functions/{funcId}", Summary: "Update function", Op: restkit.Handle(a.patchFunction),
			Description: "Changes a function (schema scope); new content is saved as a new version that becomes current."},
		restkit.Route{Method: "DELETE", Path: "/api/dbs/{dbId}/functions/{funcId}", Summary: "Delete function", Op: restkit.Handle(a.deleteFunction),
			Description: "Deletes a function with its versions and invocations (schema scope). Answers {}."},
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/functions/{funcId}/invocations", Summary: "List function invocations", Op: restkit.Handle(a.listInvocations),
			Description: "The function's last 100 invocations, newest first: output, logs, runtime (schema scope)."},
		restkit.Route{Method: "POST", Path: "/api/dbs/{dbId}/functions/{funcId}/republish", Summary: "Republish function version", Op: restkit.Handle(a.republishFunction),
			Description: "Makes a saved version current again (schema scope)."},
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/functions/{funcId}/versions/{versionId}", Summary: "Get function version", Op: restkit.Handle(a.getFunctionVersion),
			Description: "Returns the function with the content of one version."},
	)
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		d.Add(restkit.Route{Method: m, Path: "/fns/{funcId}", Summary: "Call function (" + m + ")", Handle: a.callFunction,
			Body: map[string]any{}, Response: map[string]any{}, MaxBody: maxFunctionRequest,
			Params: []restkit.Param{{Name: "funcId", In: "path", Description: "the function's id", Required: true}},
			Description: "Runs the function (write scope on its database) with the request as input: {method, path, query, headers, body} " +
				"(body parsed when it is JSON; Authorization and Cookie are not passed). Answers its output as JSON; a failing function is 500 with the reason."})
	}
}

func (a *api) functionFor(ctx context.Context, in functionPath, scope gqlbase.Scope) (*gqlbase.Function, error) {
	db, err := a.database(ctx, in.dbPath, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(in.Func, 10, 64)
	if err != nil || id <= 0 {
		return nil, gqlbase.NotFound("function %q not found", in.Func)
	}
	f, err := a.res.FunctionFor(ctx, id, scope)
	if err != nil {
		return nil, err
	}
	if f.DatabaseID != db.ID {
		return nil, gqlbase.NotFound("function %q not found", in.Func)
	}
	return f, nil
}

func (a *api) encodeFunction(ctx context.Context, f *gqlbase.Function, code string) (functionOut, error) {
	versions, err := a.res.FunctionVersions(ctx, f)
	if err != nil {
		return functionOut{}, err
	}
	out := functionOut{Content: &code, Description: &f.Description, Diagnostics: []string{}, ID: strconv.FormatInt(f.ID, 10),
		Name: f.Name, Runtime: "javascript", Versions: make([]string, len(versions))}
	for i, v := range versions {
		out.Versions[i] = strconv.Itoa(v.Version)
	}
	return out, nil
}

func (a *api) listFunctions(ctx context.Context, _ *restkit.Request, in dbPath) (functionListOut, error) {
	db, err := a.database(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return functionListOut{}, err
	}
	first := 500
	page, err := a.res.Functions(ctx, db.ID, &first, nil)
	if err != nil {
		return functionListOut{}, err
	}
	out := functionListOut{Functions: make([]functionOut, 0, len(page.Functions))}
	for _, f := range page.Functions {
		fo, err := a.encodeFunction(ctx, f, f.Code)
		if err != nil {
			return functionListOut{}, err
		}
		out.Functions = append(out.Functions, fo)
	}
	return out, nil
}

func (a *api) createFunction(ctx context.Context, _ *restkit.Request, in functionIn) (functionOut, error) {
	db, err := a.database(ctx, in.dbPath, gqlbase.ScopeSchema)
	if err != nil {
		return functionOut{}, err
	}
	f, err := a.res.CreateFunction(ctx, gqlbase.CreateFunctionInput{DatabaseID: db.ID, Name: in.Name, Code: in.Content, Description: in.Description})
	if err != nil {
		return functionOut{}, err
	}
	return a.encodeFunction(ctx, f, f.Code)
}

func (a *api) getFunction(ctx context.Context, _ *restkit.Request, in functionPath) (functionOut, error) {
	f, err := a.functionFor(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return functionOut{}, err
	}
	return a.encodeFunction(ctx, f, f.Code)
}

func (a *api) getFunctionVersion(ctx context.Context, _ *restkit.Request, in functionVersionPath) (functionOut, error) {
	f, err := a.functionFor(ctx, in.functionPath, gqlbase.ScopeRead)
	if err != nil {
		return functionOut{}, err
	}
	versions, err := a.res.FunctionVersions(ctx, f)
	if err != nil {
		return functionOut{}, err
	}
	for _, v := range versions {
		if strconv.Itoa(v.Version) == in.Version {
			return a.encodeFunction(ctx, f, v.Code)
		}
	}
	return functionOut{}, gqlbase.NotFound("function %d has no version %q", f.ID, in.Version)
}

func (a *api) patchFunction(ctx context.Context, _ *restkit.Request, in functionPatchIn) (functionSaved, error) {
	f, err := a.functionFor(ctx, in.functionPath, gqlbase.ScopeSchema)
	if err != nil {
		return functionSaved{}, err
	}
	f, err = a.res.UpdateFunction(ctx, f.ID, gqlbase.UpdateFunctionInput{Name: in.Name, Description: in.Description, Code: in.Content})
	if err != nil {
		return functionSaved{}, err
	}
	return functionSaved{Diagnostics: []string{}, ID: strconv.FormatInt(f.ID, 10)}, nil
}

func (a *api) republishFunction(ctx context.Context, _ *restkit.Request, in republishIn) (functionSaved, error) {
	f, err := a.functionFor(ctx, in.functionPath, gqlbase.ScopeSchema)
	if err != nil {
		return functionSaved{}, err
	}
	v, err := strconv.Atoi(in.Version)
	if err != nil {
		return functionSaved{}, gqlbase.NotFound("function %d has no version %q", f.ID, in.Version).WithField("version")
	}
	if _, err := a.res.RepublishFunction(ctx, f.ID, v); err != nil {
		return functionSaved{}, err
	}
	return functionSaved{Diagnostics: []string{}, ID: strconv.FormatInt(f.ID, 10)}, nil
}

func (a *api) deleteFunction(ctx context.Context, _ *restkit.Request, in functionPath) (done, error) {
	f, err := a.functionFor(ctx, in, gqlbase.ScopeSchema)
	if err != nil {
		return done{}, err
	}
	_, err = a.res.DeleteFunction(ctx, f.ID)
	return done{}, err
}

func (a *api) listInvocations(ctx context.Context, _ *restkit.Request, in functionPath) (invocationListOut, error) {
	f, err := a.functionFor(ctx, in, gqlbase.ScopeSchema)
	if err != nil {
		return invocationListOut{}, err
	}
	first := 100
	page, err := a.res.FunctionInvocations(ctx, f.ID, &first, nil)
	if err != nil {
		return invocationListOut{}, err
	}
	out := invocationListOut{Invocations: make([]invocationOut, 0, len(page.Invocations))}
	for _, inv := range page.Invocations {
		at := inv.CreatedAt.UTC().Format(time.RFC3339Nano)
		o := invocationOut{CreatedUtc: at, Data: "null", Error: inv.Error, RuntimeMs: inv.DurationMs, Logs: make([]invocationLog, len(inv.Logs))}
		if len(inv.Output) > 0 {
			o.Data = string(inv.Output)
		}
		for i, l := range inv.Logs {
			o.Logs[i] = invocationLog{Message: l, Stream: "stdout", Utc: at}
		}
		out.Invocations = append(out.Invocations, o)
	}
	return out, nil
}

// functionRequest is what /fns hands a function as input.
type functionRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   map[string]string `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
}

// callFunction runs a function with the HTTP request as input and answers its output.
func (a *api) callFunction(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := restkit.PathInt64(r, "funcId")
	if err != nil {
		return err
	}
	f, err := a.res.FunctionFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFunctionRequest+1))
	if err != nil {
		return gqlbase.BadInput("reading the request body: %v", err)
	}
	if len(body) > maxFunctionRequest {
		return gqlbase.Errorf(gqlbase.CodePayloadTooLarge, "the request body is larger than %d bytes", maxFunctionRequest)
	}
	in := functionRequest{Method: r.Method, Path: r.URL.Path, Query: map[string]string{}, Headers: map[string]string{}}
	for k := range r.URL.Query() {
		in.Query[k] = r.URL.Query().Get(k)
	}
	for k := range r.Header {
		switch lk := strings.ToLower(k); lk {
		case "authorization", "cookie", "proxy-authorization":
		default:
			in.Headers[lk] = r.Header.Get(k)
		}
	}
	if len(body) > 0 {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "application/json" || strings.HasSuffix(mt, "+json") {
			if err := json.Unmarshal(body, &in.Body); err != nil {
				return gqlbase.BadInput("the body is not JSON: %v", err)
			}
		} else {
			in.Body = string(body)
		}
	}
	input, err := json.Marshal(in)
	if err != nil {
		return err
	}
	run, err := a.res.RunLoadedFunction(ctx, f, input, "http")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	if run.Error != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"message": "the function failed: " + *run.Error}}})
	}
	out := run.Output
	if len(out) == 0 {
		out = json.RawMessage("null")
	}
	_, err = w.Write(out)
	return err
}
