package rest

import (
	"net/http"

	"github.com/gqlbase/gqlbase/rest/playground"
)

// playground serves GraphiQL for a GraphQL endpoint.
func (s *Server) playground(endpoint, title string) http.Handler {
	return playground.Handler(playground.Options{Endpoint: endpoint, Title: title, DefaultQuery: playgroundDefaultQuery})
}

// playgroundDefaultQuery fills the editor on a first visit.
const playgroundDefaultQuery = `# Welcome to gqlbase. Put your token in the Headers tab below:
#   {"Authorization": "Bearer <token>"}
# A new install writes its admin token to <data dir>/admin-token.
# Without a token you are anonymous.

{
  me {
    kind
    scopes
  }
}
`

// playgroundAssetsPath is where the playground pages load GraphiQL from.
const playgroundAssetsPath = playground.AssetsPath

// playgroundAssets serves GraphiQL's scripts and style sheets, at playground.AssetsPath.
func (s *Server) playgroundAssets() http.Handler { return playground.AssetsHandler() }
