package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/functions"
)

// What a function's ctx reaches: rows of its database through the same use cases as the API
// (with the function's principal, never the caller's), its env vars, and fetch to the
// workspace's allowed hosts.

const (
	maxFetchesPerCall = 20
	maxFetchBody      = 1 << 20
	fetchTimeout      = 10 * time.Second
)

type functionHost struct {
	r       *Resolver
	f       *gqlbase.Function
	ctx     context.Context // carries the function's principal
	env     map[string]string
	hosts   []string
	fetches atomic.Int32
}

func msDuration(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

func (r *Resolver) newFunctionHost(ctx context.Context, f *gqlbase.Function, p *gqlbase.Principal) (*functionHost, error) {
	env := map[string]string{}
	ws, err := r.Store.ListEnvVars(ctx, f.WorkspaceID, nil)
	if err != nil {
		return nil, err
	}
	db, err := r.Store.ListEnvVars(ctx, f.WorkspaceID, &f.DatabaseID)
	if err != nil {
		return nil, err
	}
	for _, v := range append(ws, db...) { // the database's variables win over the workspace's
		env[v.Name] = v.Value
	}
	hosts, err := r.Store.FunctionFetchHosts(ctx, f.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return &functionHost{r: r, f: f, ctx: gqlbase.WithPrincipal(ctx, p), env: env, hosts: hosts}, nil
}

func (h *functionHost) Env() map[string]string { return h.env }
func (h *functionHost) DB() functions.DB       { return h }

// as runs with the function's principal under the call's deadline.
func (h *functionHost) as(ctx context.Context) context.Context {
	return gqlbase.WithPrincipal(ctx, gqlbase.PrincipalFrom(h.ctx))
}

func (h *functionHost) table(ctx context.Context, name string, scope gqlbase.Scope) (*gqlbase.Table, error) {
	return h.r.TableByName(h.as(ctx), h.f.DatabaseID, name, scope)
}

// listOptions is ctx.db.list's second argument.
type listOptions struct {
	Where   *gqlbase.Filter `json:"where"`
	OrderBy []*gqlbase.Sort `json:"orderBy"`
	First   *int            `json:"first"`
	Offset  *int            `json:"offset"`
	Search  *string         `json:"search"`
	Columns []string        `json:"columns"`
	Extra   map[string]any  `json:"-"`
}

func (h *functionHost) List(ctx context.Context, table string, raw json.RawMessage) (json.RawMessage, error) {
	var o listOptions
	if len(raw) > 0 && string(raw) != "null" {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return nil, fmt.Errorf("list options (where, orderBy, first, offset, search, columns): %v", err)
		}
	}
	t, err := h.table(ctx, table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	conn, err := h.r.ListRows(h.as(ctx), t, gqlbase.ListParams{Where: o.Where, OrderBy: o.OrderBy, First: o.First,
		Offset: o.Offset, Search: o.Search, Columns: o.Columns})
	if err != nil {
		return nil, err
	}
	return rowsJSON(conn.Nodes)
}

func (h *functionHost) Get(ctx context.Context, table string, id int64) (json.RawMessage, error) {
	t, err := h.table(ctx, table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	row, err := h.r.GetRow(h.as(ctx), t.ID, id)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return json.RawMessage("null"), nil
	}
	if err != nil {
		return nil, err
	}
	return rowJSON(row)
}

func (h *functionHost) Insert(ctx context.Context, table string, values json.RawMessage) (json.RawMessage, error) {
	m, err := objectArg(values)
	if err != nil {
		return nil, err
	}
	t, err := h.table(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	row, err := h.r.InsertRow(h.as(ctx), t.ID, m)
	if err != nil {
		return nil, err
	}
	return rowJSON(row)
}

func (h *functionHost) Update(ctx context.Context, table string, id int64, values json.RawMessage) (json.RawMessage, error) {
	m, err := objectArg(values)
	if err != nil {
		return nil, err
	}
	t, err := h.table(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	row, err := h.r.UpdateRow(h.as(ctx), t.ID, id, m, nil)
	if err != nil {
		return nil, err
	}
	return rowJSON(row)
}

func (h *functionHost) Delete(ctx context.Context, table string, id int64) error {
	t, err := h.table(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return err
	}
	_, err = h.r.DeleteRow(h.as(ctx), t.ID, id)
	return err
}

func objectArg(raw json.RawMessage) (map[string]any, error) {
	m := map[string]any{}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("values must be an object of column names to values")
	}
	return m, nil
}

// rowJSON is a row as a function sees it: its columns plus id, version and timestamps.
func rowJSON(row *gqlbase.Row) (json.RawMessage, error) {
	m, err := row.Values()
	if err != nil {
		return nil, err
	}
	m["id"], m["version"] = row.ID, row.Version
	m["created_at"], m["updated_at"] = row.CreatedAt, row.UpdatedAt
	return json.Marshal(m)
}

func rowsJSON(rows []*gqlbase.Row) (json.RawMessage, error) {
	out := make([]json.RawMessage, len(rows))
	for i, row := range rows {
		b, err := rowJSON(row)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return json.Marshal(out)
}

// hostAllowed matches a host against the allowlist (exact, or *.example.com for subdomains).
func hostAllowed(host string, allowed []string) bool {
	host = strings.ToLower(host)
	for _, a := range allowed {
		if rest, ok := strings.CutPrefix(a, "*."); ok {
			if strings.HasSuffix(host, "."+rest) {
				return true
			}
		} else if host == a {
			return true
		}
	}
	return false
}

func (h *functionHost) Fetch(ctx context.Context, req functions.FetchRequest) (*functions.FetchResponse, error) {
	if h.fetches.Add(1) > maxFetchesPerCall {
		return nil, fmt.Errorf("at most %d fetches per call", maxFetchesPerCall)
	}
	u, err := h.r.Outbound.CheckURL(ctx, "url", req.URL)
	if err != nil {
		return nil, err
	}
	if !hostAllowed(u.Hostname(), h.hosts) {
		return nil, fmt.Errorf("host %q is not on the workspace's fetch allowlist (setFunctionFetchHosts)", u.Hostname())
	}
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
	}
	if len(req.Body) > maxFetchBody {
		return nil, fmt.Errorf("the request body is larger than %d bytes", maxFetchBody)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, u.String(), strings.NewReader(req.Body))
	if err != nil {
		return nil, fmt.Errorf("bad request: %v", err)
	}
	for k, v := range req.Headers {
		hreq.Header.Set(k, v)
	}
	client := h.r.Outbound.Client(fetchTimeout)
	// A redirect is followed only to an allowed host (the client checks its addresses).
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) >= 5 || !hostAllowed(next.URL.Hostname(), h.hosts) {
			return fmt.Errorf("redirect to %q refused", next.URL.Host)
		}
		return nil
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %v", err)
	}
	if len(body) > maxFetchBody {
		return nil, fmt.Errorf("the response is larger than %d bytes", maxFetchBody)
	}
	headers := map[string]string{}
	for k := range resp.Header {
		headers[strings.ToLower(k)] = resp.Header.Get(k)
	}
	return &functions.FetchResponse{Status: resp.StatusCode, Headers: headers, Body: string(body)}, nil
}
