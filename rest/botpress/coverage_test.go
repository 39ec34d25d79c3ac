package botpress_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest/botpress"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// TestSeedRoutes holds every Tables route of the seed document (testdata/routes.txt) against
// the server: each is in the dialect's route table and mounted (not the router's own 404 or
// 405), answers errors in the Botpress envelope {id, code, type, message}, no 5xx but 501,
// and answers 501 exactly when /docs/openapi.json marks it not implemented, with a message
// naming what is missing. The table serves nothing the list does not have, so the list stays
// whole.
func TestSeedRoutes(t *testing.T) {
	srv := setup(t) // bot "bot" with the table itemsTable
	// Every path parameter of the Tables routes names a table (by name or id).
	concrete := func(path string) string {
		segs := strings.Split(path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				segs[i] = "itemsTable"
			}
		}
		path = strings.Join(segs, "/")
		if strings.HasSuffix(path, "/row") {
			path += "?id=1"
		}
		return path
	}
	holdSeedRoutes(t, srv, "testdata/routes.txt", botpress.New(botpress.Deps{}).Routes, concrete)
}

// TestChatRoutes holds the Chat routes (testdata/chat-routes.txt: the seed's 30 and the
// client's 14 more) as TestSeedRoutes holds the Tables routes.
func TestChatRoutes(t *testing.T) {
	srv := setup(t)
	bot := client(srv, srv.AdminToken, "bot")
	user := bot.Do(t, "POST", "/v1/chat/users", map[string]any{"name": "u"}).Expect(t, 200).Str("user", "id")
	conv := bot.Do(t, "POST", "/v1/chat/conversations", map[string]any{"channel": "web"}).Expect(t, 200).Str("conversation", "id")
	concrete := func(path string) string {
		r := strings.NewReplacer("{id}", conv, "{userId}", user, "{type}", "conversation", "{name}", "s", "{key}", "k")
		if strings.HasPrefix(path, "/v1/chat/users/") || strings.HasPrefix(path, "/v1/chat/tags/") {
			r = strings.NewReplacer("{id}", user, "{key}", "k")
		}
		path = r.Replace(path)
		if strings.HasPrefix(path, "/v1/chat/tags/") {
			path += "?type=user"
		}
		return path
	}
	holdSeedRoutes(t, srv, "testdata/chat-routes.txt", botpress.NewChat(botpress.Deps{}).Routes, concrete)
}

// holdSeedRoutes checks a dialect's route table against a seed list: every route of the list
// is in the table and mounted (not the router's own 404 or 405), answers errors in the Botpress
// envelope {id, code, type, message}, no 5xx but 501, and answers 501 exactly when
// /docs/openapi.json marks it not implemented, with a message naming what is missing. The
// table serves nothing the list does not have, so the list stays whole.
func holdSeedRoutes(t *testing.T, srv *testserver.Server, file string, table []restkit.Route, concrete func(string) string) {
	t.Helper()
	seed := apitest.ReadSeedRoutes(t, file)
	inTable := apitest.MatchRouteTable(t, file, seed, table)
	doc := apitest.New(srv.URL, "").Do(t, "GET", "/docs/openapi.json", nil).OK(t)

	// The deletes go last, so the other routes meet what they name.
	order := slices.Clone(seed)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Method != "DELETE" && order[j].Method == "DELETE" })

	for _, s := range order {
		key := s.Method + " " + s.Path
		rt := inTable(s)
		if rt == nil {
			t.Errorf("%s: documented by the seed but not in the dialect's route table: mount it, as 501 naming what is missing when gqlbase lacks it", key)
		}

		var body any
		if s.Method != "GET" && s.Method != "DELETE" {
			body = "{}"
		}
		reply := client(srv, srv.AdminToken, "bot").Do(t, s.Method, concrete(s.Path), body)
		raw, decoded, status := reply.Raw, reply.Object(), reply.Status

		if status == http.StatusMethodNotAllowed || (status == http.StatusNotFound && strings.HasPrefix(testserver.Str(decoded, "error", "message"), "no route for ")) {
			t.Errorf("%s: not mounted (%d %s)", key, status, raw)
			continue
		}
		if rt == nil {
			continue
		}

		op, _ := testserver.Get(doc, "paths", rt.Path, strings.ToLower(rt.Method)).(map[string]any)
		if op == nil {
			t.Errorf("%s: %s %s is not in /docs/openapi.json", key, rt.Method, rt.Path)
			continue
		}
		responses, _ := op["responses"].(map[string]any)
		marked := responses["501"] != nil

		msg := testserver.Str(decoded, "message")
		if status >= 400 {
			if id := testserver.Str(decoded, "id"); !strings.HasPrefix(id, "err_") || testserver.Str(decoded, "type") == "" || msg == "" ||
				testserver.Str(decoded, "code") != fmt.Sprint(status) {
				t.Errorf("%s: status %d not in the Botpress envelope {id, code, type, message}: %s", key, status, raw)
				continue
			}
		}
		switch {
		case status == http.StatusNotImplemented:
			if !marked {
				t.Errorf("%s: answers 501 but /docs/openapi.json does not mark it not implemented", key)
			}
			// The document's summary names what is missing ("<what> (not available)"); the
			// answer must name the same thing, so a client learns why from either.
			what := strings.TrimSuffix(testserver.Str(op, "summary"), " (not available)")
			if what == "" || !strings.Contains(msg, what) {
				t.Errorf("%s: 501 message %q does not name what is missing (%q)", key, msg, what)
			}
		case marked:
			t.Errorf("%s: /docs/openapi.json marks it not implemented, but it answers %d: %s", key, status, raw)
		case status >= 500:
			t.Errorf("%s: answers %d: %s", key, status, raw)
		}
	}
}
