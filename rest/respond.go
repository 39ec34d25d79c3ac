package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeGraphQLError answers with a GraphQL-shaped error body, for failures that happen before
// the GraphQL executor runs. The status follows the code (restkit.HTTPStatus, the one mapping).
func writeGraphQLError(w http.ResponseWriter, code gqlbase.Code, message string) {
	writeJSON(w, restkit.HTTPStatus(code), map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": string(code)}}},
	})
}

// writeRateLimited answers a RATE_LIMITED error with 429 and its Retry-After (the error's
// retryAfter detail, in seconds), in the GraphQL error shape every client of ours reads.
func writeRateLimited(w http.ResponseWriter, e *gqlbase.Error) {
	if secs, ok := e.Details["retryAfterSeconds"].(int); ok {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeGraphQLError(w, e.Code, e.Message)
}

// readLimited reads a request body of at most max bytes into memory.
func readLimited(r *http.Request, max int64) (io.ReadCloser, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("request body exceeds %d bytes", max)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// wsWriteBufferPool shares write buffers between idle WebSockets, which then hold none.
var wsWriteBufferPool = &sync.Pool{}
