package botpress_test

import (
	"sync"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// chatState fingerprints the bot's chat entities as the Chat API shows them.
func chatState(srv *testserver.Server) func(testing.TB) string {
	c := client(srv, srv.AdminToken, "bot")
	return func(t testing.TB) string {
		out := ""
		for _, p := range []string{"/v1/chat/users?pageSize=100", "/v1/chat/conversations?pageSize=100", "/v1/chat/messages?pageSize=100",
			"/v1/chat/events?pageSize=100", "/v1/chat/states/user/1/s"} {
			out += string(c.Do(t, "GET", p, nil).Raw)
		}
		return out
	}
}

// TestChatBadRequests: each bad request is refused in Botpress's envelope with the type the
// client reads, a message saying what is wrong, and no change.
func TestChatBadRequests(t *testing.T) {
	srv := setup(t)
	bot := client(srv, srv.AdminToken, "bot")
	user := bot.Do(t, "POST", "/v1/chat/users", map[string]any{"name": "u"}).Expect(t, 200).Str("user", "id")
	conv := bot.Do(t, "POST", "/v1/chat/conversations", map[string]any{"channel": "web"}).Expect(t, 200).Str("conversation", "id")
	bot.Do(t, "POST", "/v1/chat/states/user/1/s", map[string]any{"payload": map[string]any{"a": 1}}).Expect(t, 200)
	bad := func(method, path string, body any, msg string) apitest.Scenario {
		return bpFail(apitest.Scenario{Name: method + " " + path, Method: method, Path: path, Body: body}, 400, "InvalidPayload", msg)
	}
	missing := func(method, path string, body any, msg string) apitest.Scenario {
		return bpFail(apitest.Scenario{Name: method + " " + path, Method: method, Path: path, Body: body}, 404, "ResourceNotFound", msg)
	}
	msg := func(conv, user string) map[string]any {
		return map[string]any{"conversationId": conv, "userId": user, "type": "text", "payload": map[string]any{}}
	}
	apitest.Runner{Client: bot, State: chatState(srv)}.Run(t,
		bpFail(apitest.Scenario{Name: "bad token", Client: client(srv, "nope", "bot"), Method: "GET", Path: "/v1/chat/users"}, 401, "Unauthorized", ""),
		bpFail(apitest.Scenario{Name: "no bot", Client: client(srv, srv.AdminToken, ""), Method: "POST", Path: "/v1/chat/users",
			Body: map[string]any{"name": "x"}}, 400, "InvalidPayload", "x-bot-id header is required"),
		bad("POST", "/v1/chat/conversations", map[string]any{"tags": map[string]any{}}, `field \"channel\" is required`),
		bad("POST", "/v1/chat/conversations", map[string]any{"channel": 5}, `channel`),
		bad("GET", "/v1/chat/messages?pageSize=500", nil, "pageSize must be between 1 and 100"),
		bad("GET", "/v1/chat/users?nextToken=garbage", nil, "nextToken is not a token this server gave"),
		bad("GET", "/v1/chat/users?sortField=name", nil, "sortField must be createdAt or updatedAt"),
		bad("GET", "/v1/chat/messages?afterDate=yesterday", nil, "afterDate must be an ISO 8601 date"),
		bad("POST", "/v1/chat/states/planet/1/s", map[string]any{"payload": map[string]any{}}, "type"),
		bad("POST", "/v1/chat/states/user/1/s", map[string]any{"payload": map[string]any{}, "expiry": -5}, "expiry must be between"),
		bad("POST", "/v1/chat/events", map[string]any{"type": "x", "payload": map[string]any{}, "schedule": map[string]any{"delay": 1, "dateTime": "2030-01-01T00:00:00Z"}}, "dateTime or delay, not both"),
		bad("POST", "/v1/chat/events", map[string]any{"type": "x", "payload": map[string]any{}, "schedule": map[string]any{"dateTime": "2999-01-01T00:00:00Z"}}, "at most a year ahead"),
		missing("GET", "/v1/chat/users/abc", nil, `user \"abc\" not found`),
		missing("GET", "/v1/chat/users/999999", nil, `user \"999999\" not found`),
		missing("PUT", "/v1/chat/conversations/999999", map[string]any{"tags": map[string]any{"a": "b"}}, `conversation \"999999\" not found`),
		missing("POST", "/v1/chat/messages", msg("999999", user), `conversation \"999999\" not found`),
		missing("POST", "/v1/chat/messages", msg(conv, "999999"), `user \"999999\" not found`),
		missing("POST", "/v1/chat/conversations/"+conv+"/participants", map[string]any{"userId": "999999"}, `user \"999999\" not found`),
		missing("GET", "/v1/chat/conversations/"+conv+"/participants/"+user, nil, "does not take part"),
		missing("PATCH", "/v1/chat/states/user/2/s", map[string]any{"payload": map[string]any{"a": 2}}, "not found (or expired)"),
		missing("GET", "/v1/tables/_chat_users", nil, `table \"_chat_users\" not found`),
		bad("POST", "/v1/tables", map[string]any{"name": "_chat_x", "schema": map[string]any{"a": map[string]any{"type": "string"}}}, "reserved for the Chat API"),
	)
}

// The first requests of a bot create its chat tables; many at once all succeed and share one
// table.
func TestChatTablesCreatedOnceUnderConcurrentFirstUse(t *testing.T) {
	srv := setup(t)
	bot := client(srv, srv.AdminToken, "fresh-bot")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bot.Do(t, "POST", "/v1/chat/users", map[string]any{"name": "u"}).Expect(t, 200)
		}()
	}
	wg.Wait()
	if users := bot.Do(t, "GET", "/v1/chat/users?pageSize=100", nil).Expect(t, 200).Get("users").([]any); len(users) != 8 {
		t.Errorf("%d users after 8 concurrent creations, want 8", len(users))
	}
}
