package rest_test

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// A message created through the Botpress Chat API is a row of a real table: it arrives on a
// platform rowEvents subscription and on /events/stream like any other row.
func TestChatMessagesReachSubscriptionsAndTheStream(t *testing.T) {
	srv := testserver.Start(t)
	bot := apitest.New(srv.URL, srv.AdminToken).WithHeader("x-bot-id", "events-bot")
	user := bot.Do(t, "POST", "/v1/chat/users", map[string]any{"name": "Ann"}).Expect(t, 200).Str("user", "id")
	conv := bot.Do(t, "POST", "/v1/chat/conversations", map[string]any{"channel": "web"}).Expect(t, 200).Str("conversation", "id")
	send := func(text string) string {
		return bot.Do(t, "POST", "/v1/chat/messages", map[string]any{"conversationId": conv, "userId": user, "type": "text",
			"payload": map[string]any{"text": text}}).Expect(t, 200).Str("message", "id")
	}
	send("first") // creates the bot's messages table

	dbs := srv.Platform(t, srv.AdminToken, `{ databases { id name } }`, nil).OK(t)
	var dbID string
	for _, d := range testserver.Get(dbs, "databases").([]any) {
		if testserver.Str(d, "name") == "events-bot" {
			dbID = testserver.Str(d, "id")
		}
	}
	tables := srv.Platform(t, srv.AdminToken, `query($d: ID!) { tables(databaseId: $d) { id name } }`, map[string]any{"d": dbID}).OK(t)
	var table string
	for _, tb := range testserver.Get(tables, "tables").([]any) {
		if testserver.Str(tb, "name") == "_chat_messages" {
			table = testserver.Str(tb, "id")
		}
	}
	if table == "" {
		t.Fatalf("no _chat_messages table in the bot's database: %v", tables)
	}

	c := subscribe(t, srv, srv.AdminToken, "s1", rowEventsSub, map[string]any{"t": table})
	deadline := time.Now().Add(10 * time.Second)
	for subscribed := false; !subscribed; {
		send("probe")
		if m, ok := c.message(300 * time.Millisecond); ok && m.Type == "next" {
			subscribed = true
		} else if time.Now().After(deadline) {
			t.Fatal("the subscription did not start")
		}
	}
	for drained := false; !drained; {
		_, ok := c.message(200 * time.Millisecond)
		drained = !ok
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/events/stream?table="+table, nil)
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
	req.Header.Set("Last-Event-ID", "1") // replay from the start, so the stream cannot miss the message
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	id := send("hello")
	ev := c.nextEvent(5 * time.Second)
	if testserver.Str(ev.Data, "rowEvents", "kind") != "CREATED" || testserver.Str(ev.Data, "rowEvents", "row", "id") != id ||
		testserver.Str(ev.Data, "rowEvents", "row", "data", "payload", "text") != "hello" {
		t.Fatalf("subscription event for the chat message: %s", ev.Raw)
	}
	stream := bufio.NewReader(resp.Body)
	for {
		line, err := stream.ReadString('\n')
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, `"text":"hello"`) {
			break
		}
	}
}
