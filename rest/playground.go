package rest

import (
	"net/http"

	"github.com/gqlbase/gqlbase/rest/playground"
)

// playground serves GraphiQL for a GraphQL endpoint.
func (s *Server) playground(endpoint, title string) http.Handler {
	return playground.Handler(playground.Options{Endpoint: endpoint, Title: title})
}
