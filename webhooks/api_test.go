package webhooks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/webhooks"
)

// The platform GraphQL API end to end: a webhook made through createWebhook gets a signed
// delivery of a row inserted through insertRows, logged in webhookDeliveries.
func TestWebhookAPI(t *testing.T) {
	srv := testserver.StartWith(t, testserver.Options{Webhooks: webhooks.Options{AllowPrivate: true}})
	tok := srv.AdminToken
	ok := func(q string, vars map[string]any) map[string]any {
		t.Helper()
		return srv.Platform(t, tok, q, vars).OK(t)
	}
	db := testserver.Str(ok(`mutation { createDatabase(input: {name: "main"}) { id } }`, nil), "createDatabase", "id")
	table := testserver.Str(ok(`mutation($db: ID!) { createTable(input: {databaseId: $db, name: "items",
		columns: [{name: "n", type: INTEGER}]}) { id } }`, map[string]any{"db": db}), "createTable", "id")
	r := newReceiver(t, 200)
	data := ok(`mutation($db: ID!, $t: ID!, $url: String!, $h: JSONObject) { createWebhook(input: {url: $url, events: ["row.created"],
		databaseId: $db, tableId: $t, headers: $h}) { id url active failureCount secret } }`,
		map[string]any{"db": db, "t": table, "url": r.URL, "h": map[string]any{"X-Token": "abc"}})
	id := testserver.Str(data, "createWebhook", "id")
	secret := testserver.Str(data, "createWebhook", "secret")
	if secret == "" || testserver.Get(data, "createWebhook", "active") != true {
		t.Fatalf("createWebhook: %v", data)
	}
	if got := testserver.Get(ok(`query($id: ID!) { webhook(id: $id) { secret } }`, map[string]any{"id": id}), "webhook", "secret"); got != nil {
		t.Errorf("webhook(id) shows the secret %v", got)
	}
	start := time.Now()
	ok(`mutation($t: ID!) { insertRows(table: $t, rows: [{n: 5}]) { id } }`, map[string]any{"t": table})
	got := r.wait(t, 1)[0]
	t.Logf("insert to receipt through the API: %v", got.at.Sub(start))
	if err := webhooks.Verify(secret, got.header, got.body, time.Now(), time.Minute); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if got.header.Get("X-Token") != "abc" || !containsSeqN(got.body) {
		t.Errorf("delivery: %v %s", got.header, got.body)
	}
	var deliveries []any
	for deadline := time.Now().Add(30 * time.Second); len(deliveries) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		deliveries, _ = testserver.Get(ok(`query($id: ID!) { webhookDeliveries(webhookId: $id, first: 10) { id status succeeded messageId } }`,
			map[string]any{"id": id}), "webhookDeliveries").([]any)
	}
	if len(deliveries) != 1 || fmt.Sprint(testserver.Get(deliveries[0], "status")) != "200" ||
		testserver.Str(deliveries[0], "messageId") != got.header.Get("webhook-id") {
		t.Fatalf("webhookDeliveries: %v", deliveries)
	}
	test := ok(`mutation($id: ID!) { testWebhook(id: $id) { status succeeded } }`, map[string]any{"id": id})
	if fmt.Sprint(testserver.Get(test, "testWebhook", "status")) != "200" {
		t.Errorf("testWebhook: %v", test)
	}
	ok(`mutation($id: ID!) { replayWebhookDelivery(id: $id) }`, map[string]any{"id": testserver.Str(deliveries[0], "id")})
	replayed := r.wait(t, 3)[2]
	if replayed.header.Get("webhook-id") != got.header.Get("webhook-id") {
		t.Errorf("replay: message id %q, want %q", replayed.header.Get("webhook-id"), got.header.Get("webhook-id"))
	}
	rotated := testserver.Str(ok(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, map[string]any{"id": id}), "rotateWebhookSecret", "secret")
	if rotated == "" || rotated == secret {
		t.Errorf("rotated secret %q", rotated)
	}
	// Bad input: a page size out of range, an unknown webhook.
	if code := srv.Platform(t, tok, `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 0) { id } }`, map[string]any{"id": id}).ErrorCode(t); code != "BAD_USER_INPUT" {
		t.Errorf("first: 0 gave %s", code)
	}
	if code := srv.Platform(t, tok, `mutation { testWebhook(id: "999999") { status } }`, nil).ErrorCode(t); code != "NOT_FOUND" {
		t.Errorf("unknown webhook gave %s", code)
	}
}

func containsSeqN(body []byte) bool { return contains(body, `"n":5`) }

// Without --webhook-allow-private the metadata address and loopback are refused.
func TestWebhookAPIRefusesPrivateTargets(t *testing.T) {
	srv := testserver.Start(t)
	for _, url := range []string{"http://169.254.169.254/latest/meta-data/", "http://localhost:9/"} {
		res := srv.Platform(t, srv.AdminToken, `mutation($url: String!) { createWebhook(input: {url: $url}) { id } }`, map[string]any{"url": url})
		if code := res.ErrorCode(t); code != "BAD_USER_INPUT" {
			t.Errorf("%s: %s, want BAD_USER_INPUT", url, code)
		}
	}
	if n := testserver.Get(srv.Platform(t, srv.AdminToken, `{ webhooks { id } }`, nil).OK(t), "webhooks").([]any); len(n) != 0 {
		t.Errorf("webhooks stored: %v", n)
	}
}
