package botpress_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/e2e"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestOfficialClientChat runs every Chat method of the official @botpress/client (npm) against
// the server: e2e/botpress-chat.mjs checks each answer (paging 45 messages as 20 + 20 + 5,
// get-or-create twice, tag filters, state expiry, a scheduled event becoming pending, a
// cancelled one, errors).
func TestOfficialClientChat(t *testing.T) {
	srv := testserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out := e2e.Run(ctx, t, "botpress-chat.mjs", srv.URL, srv.AdminToken, "chat-bot")
	const want = 36
	sc := bufio.NewScanner(bytes.NewReader(out))
	done := false
	for sc.Scan() {
		var line struct {
			Method  string `json:"method"`
			OK      bool   `json:"ok"`
			Done    bool   `json:"done"`
			Methods int    `json:"methods"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("script output is not JSON lines: %q", sc.Text())
		}
		if line.Done {
			done = line.Methods == want
			if !done {
				t.Errorf("the script ran %d steps, want %d", line.Methods, want)
			}
			continue
		}
		t.Logf("%-26s ok=%v", line.Method, line.OK)
	}
	if !done {
		t.Fatalf("the script did not finish:\n%s", out)
	}
}
