package rest

import (
	"github.com/gqlbase/gqlbase/rest/airsequel"
	"github.com/gqlbase/gqlbase/rest/botpress"
	"github.com/gqlbase/gqlbase/rest/docs"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// mountDialects registers every route of the REST dialects (each dialect package has one
// route table), the OpenAPI document built from those tables and the page that renders it.
func (s *Server) mountDialects() {
	dialects := []*restkit.Dialect{
		botpress.New(botpress.Deps{Core: s.resolver, Logger: s.logger}),
		botpress.NewChat(botpress.Deps{Core: s.resolver, Logger: s.logger}),
		airsequel.New(airsequel.Deps{Core: s.resolver, Logger: s.logger, Version: s.cfg.Version}),
	}
	for _, d := range dialects {
		for i := range d.Routes {
			rt := &d.Routes[i]
			s.handle(rt.Method+" "+rt.Path, d.Handler(rt))
		}
	}
	doc := restkit.OpenAPI("gqlbase REST dialects", s.cfg.Version,
		"REST routes that speak the APIs of other platforms, so their clients work against gqlbase. "+
			"Every route authenticates with Authorization: Bearer <token>.", dialects...)
	s.handle("GET /docs/openapi.json", restkit.DocumentHandler(doc))
	s.handle("GET /docs", docs.Page())
	s.handle("GET /docs/assets/", docs.Assets())
}
