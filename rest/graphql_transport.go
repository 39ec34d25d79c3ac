package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gqlbase/gqlbase"
)

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpTransport serves GraphQL over HTTP (GET and JSON POST) as the GraphQL over HTTP
// specification asks, where gqlgen's own GET and POST transports differ from it:
//
//   - A document that does not parse or validate, or variables that do not coerce, is a
//     GraphQL error, not a broken request: 200 with application/json, 400 with
//     application/graphql-response+json.
//   - An error raised before execution begins gives a response without a data entry.
//   - A request without a document, or with a body or parameters that do not decode, is 400.
//   - A mutation over GET is 405 with Allow: POST.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

func (httpTransport) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return false
	}
	switch r.Method {
	case http.MethodGet:
		return true
	case http.MethodPost:
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return err == nil && mediaType == mediaJSON
	}
	return false
}

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media := responseMediaType(r)
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	start := graphql.Now()

	params := &graphql.RawParams{Headers: r.Header}
	if err := decodeParams(r, params); err != nil {
		writeGraphQLResponse(w, http.StatusBadRequest, exec.DispatchError(ctx, gqlerror.List{requestError(err.Error())}), false)
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeGraphQLResponse(w, preExecutionStatus(media, params, errs), resp, false)
		return
	}
	if opCtx.Operation.Operation == ast.Subscription {
		// A subscription streams until the client leaves; this transport answers once.
		err := requestError("subscriptions run over a WebSocket on this path (graphql-transport-ws or graphql-ws), not over plain HTTP")
		writeGraphQLResponse(w, http.StatusBadRequest, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), gqlerror.List{err}), false)
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		err := requestError("GET requests can only run queries; send " + string(opCtx.Operation.Operation) + " operations with POST")
		writeGraphQLResponse(w, http.StatusMethodNotAllowed, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), gqlerror.List{err}), false)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil {
		// No response at all: the client went away (its context ended) before one was made.
		return
	}
	writeGraphQLResponse(w, http.StatusOK, resp, true)
}

// decodeParams reads the request's GraphQL parameters: the JSON body of a POST, or the URL
// query of a GET (variables and extensions as JSON strings).
func decodeParams(r *http.Request, params *graphql.RawParams) error {
	if r.Method == http.MethodPost {
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(params); err != nil {
			if err == io.EOF {
				return errors.New("the request body is empty; send a JSON object with a query")
			}
			return errors.New("the request body is not a valid GraphQL request: " + err.Error())
		}
		return nil
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errors.New("the URL query does not parse: " + err.Error())
	}
	params.Query = query.Get("query")
	params.OperationName = query.Get("operationName")
	for name, dst := range map[string]*map[string]any{"variables": &params.Variables, "extensions": &params.Extensions} {
		if v := query.Get(name); v != "" {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(dst); err != nil {
				return errors.New("the " + name + " parameter is not a JSON object")
			}
		}
	}
	return nil
}

// preExecutionStatus is the status of a response to a request that failed before execution.
func preExecutionStatus(media string, params *graphql.RawParams, errs gqlerror.List) int {
	for _, e := range errs {
		if code, _ := e.Extensions["code"].(string); strings.HasPrefix(code, "PERSISTED_QUERY_") {
			// Automatic persisted queries: clients expect this answer as a normal response.
			return http.StatusOK
		}
	}
	switch {
	case params.Query == "":
		return http.StatusBadRequest // no document: not a GraphQL request
	case media == mediaGraphQLResponse:
		return http.StatusBadRequest
	default:
		return http.StatusOK // application/json: errors travel in the body
	}
}

// responseMediaType picks application/json or application/graphql-response+json from the
// Accept header; without one, or with */*, it is application/json, which every client reads.
func responseMediaType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	best, bestQ := "", -1.0
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, p, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := p["q"]; ok {
			if f, ok := parseQ(v); ok {
				q = f
			}
		}
		var m string
		switch mediaType {
		case mediaGraphQLResponse:
			m = mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			m = mediaJSON
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = m, q
		}
	}
	if best == "" || bestQ <= 0 {
		return mediaJSON
	}
	return best
}

func parseQ(s string) (float64, bool) {
	var f float64
	if err := json.Unmarshal([]byte(s), &f); err != nil || f < 0 || f > 1 {
		return 0, false
	}
	return f, true
}

// writeGraphQLResponse writes a GraphQL response. The data entry is present only when
// execution started (withData); before that it must be absent.
func writeGraphQLResponse(w http.ResponseWriter, status int, resp *graphql.Response, withData bool) {
	body, err := encodeResponse(resp, withData)
	if err != nil {
		http.Error(w, "internal error: the response does not encode", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// encodeResponse encodes a GraphQL response; without withData it leaves the data entry out.
func encodeResponse(resp *graphql.Response, withData bool) ([]byte, error) {
	if !withData {
		return json.Marshal(struct {
			Errors     gqlerror.List  `json:"errors,omitempty"`
			Extensions map[string]any `json:"extensions,omitempty"`
		}{resp.Errors, resp.Extensions})
	}
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && len(resp.Data) > 0 {
		// The common case, written directly: the data is already JSON (from the executor, or
		// built by Postgres) and only needs compacting, without encoding/json's reflection.
		var buf bytes.Buffer
		buf.Grow(len(resp.Data) + 10)
		buf.WriteString(`{"data":`)
		if err := json.Compact(&buf, resp.Data); err != nil {
			return nil, err
		}
		buf.WriteByte('}')
		return buf.Bytes(), nil
	}
	return json.Marshal(resp)
}

// requestError is an error about the HTTP request itself.
func requestError(msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(gqlbase.CodeBadUserInput)}}
}
