package rest

import (
	"net/http"

	"github.com/gqlbase/gqlbase/rest/playground"
)

// playground serves GraphiQL for a GraphQL endpoint.
func (s *Server) playground(endpoint, title string) http.Handler {
	return playground.Handler(playground.Options{Endpoint: endpoint, Title: title, DefaultQuery: playgroundDefaultQuery})
}

// playgroundDefaultQuery fills the editor on a first visit. Its lines stay short, so they fit
// the editor of a laptop-sized window (the browser test checks at 1400x900).
const playgroundDefaultQuery = `# The gqlbase platform API.
# Queries need a token: without one, this
# one answers UNAUTHENTICATED.
#
# 1. Open the Headers tab below and write
#    {"Authorization": "Bearer <token>"}
# 2. Run the query (the play button).
#
# A new install writes its admin token to
# <data dir>/admin-token (./data/admin-token
# under make run). createToken makes more.

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
