package rest

import (
	"fmt"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gqlbase/gqlbase"
)

// howToSend lists the ways a GraphQL endpoint of gqlbase takes a request, for the answer to a
// request that used none of them.
const howToSend = "send a POST with Content-Type: application/json and a body of " +
	`{"query": ..., "variables": ..., "operationName": ...}` +
	" (the answer is application/json, or application/graphql-response+json when the Accept header asks for it)," +
	" a POST with Content-Type: multipart/form-data to upload files (the GraphQL multipart request spec)," +
	" or a GET with the query, variables and operationName URL parameters (queries only);" +
	" subscriptions run over a WebSocket (graphql-transport-ws or graphql-ws)"

// unsupportedTransport answers the requests no other transport takes, registered last, in
// place of gqlgen's bare "transport not supported": it says what was wrong with the request
// and what the endpoint accepts.
type unsupportedTransport struct{}

var _ graphql.Transport = unsupportedTransport{}

func (unsupportedTransport) Supports(*http.Request) bool { return true }

func (unsupportedTransport) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		writeUnsupported(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not served here: %s", r.Method, howToSend))
		return
	}
	ctype := r.Header.Get("Content-Type")
	msg := "a POST without a Content-Type header is not understood: " + howToSend
	if ctype != "" {
		if media, _, err := mime.ParseMediaType(ctype); err == nil {
			ctype = media
		}
		msg = fmt.Sprintf("Content-Type %q is not supported: %s", ctype, howToSend)
	}
	writeUnsupported(w, http.StatusUnsupportedMediaType, msg)
}

func writeUnsupported(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": string(gqlbase.CodeBadUserInput)}}},
	})
}
