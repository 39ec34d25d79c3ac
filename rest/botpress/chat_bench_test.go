package botpress_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// chatConversation makes a user and a conversation through the Chat API.
func chatConversation(b *testing.B, srv *testserver.Server, bot map[string]string) (user, conv string) {
	var u struct{ User struct{ ID string } }
	var c struct{ Conversation struct{ ID string } }
	if err := json.Unmarshal(post(b, srv.URL+"/v1/chat/users", srv.AdminToken, bot, map[string]any{"name": "u"}), &u); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(post(b, srv.URL+"/v1/chat/conversations", srv.AdminToken, bot, map[string]any{"channel": "web"}), &c); err != nil {
		b.Fatal(err)
	}
	return u.User.ID, c.Conversation.ID
}

// BenchmarkChatCreateMessage: createMessage through the client's route, 8 requests in flight.
func BenchmarkChatCreateMessage(b *testing.B) {
	srv := testserver.Start(b)
	bot := map[string]string{"x-bot-id": "bench"}
	user, conv := chatConversation(b, srv, bot)
	body := map[string]any{"conversationId": conv, "userId": user, "type": "text", "payload": map[string]any{"text": "hi"}}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, srv.URL+"/v1/chat/messages", srv.AdminToken, bot, body)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkChatListMessages: listMessages (a page of 20 of a conversation's 100 messages).
func BenchmarkChatListMessages(b *testing.B) {
	srv := testserver.Start(b)
	bot := map[string]string{"x-bot-id": "bench"}
	user, conv := chatConversation(b, srv, bot)
	for i := 0; i < 100; i++ {
		post(b, srv.URL+"/v1/chat/messages", srv.AdminToken, bot, map[string]any{"conversationId": conv, "userId": user, "type": "text", "payload": map[string]any{"i": i}})
	}
	url := srv.URL + "/v1/chat/messages?conversationId=" + conv
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
			req.Header.Set("x-bot-id", "bench")
			resp, err := benchClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("listMessages: %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
