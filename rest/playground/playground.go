// Package playground serves GraphiQL from assets embedded in the binary, so it works without
// internet access.
package playground

import (
	"net/http"
)

// Options configures one playground page.
type Options struct {
	// Endpoint is the GraphQL endpoint's path (also used for WebSocket subscriptions).
	Endpoint string
	Title    string
}

// Handler serves the playground page.
func Handler(opts Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "playground assets are not built yet", http.StatusServiceUnavailable)
	})
}
