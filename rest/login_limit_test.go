package rest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"sync"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest"
)

func TestRepeatedFailedLoginsAreRateLimited(t *testing.T) {
	srv := testserver.Start(t)
	srv.Platform(t, "", `mutation { signUp(input: {email: "ann@example.com", password: "correct horse"}) { token } }`, nil).OK(t)
	login := func(pw string) *testserver.Response {
		return srv.Platform(t, "", `mutation($p: String!) { logIn(input: {email: "ann@example.com", password: $p}) { token } }`,
			map[string]any{"p": pw})
	}
	for i := 0; i < 10; i++ {
		if code := login("wrong password").ErrorCode(t); code != "UNAUTHENTICATED" {
			t.Fatalf("failure %d: %s", i, code)
		}
	}
	if code := login("wrong password").ErrorCode(t); code != "RATE_LIMITED" {
		t.Fatalf("11th failure: %s, want RATE_LIMITED", code)
	}
	// While limited, even the right password is refused (a guesser learns nothing).
	if code := login("correct horse").ErrorCode(t); code != "RATE_LIMITED" {
		t.Fatalf("right password while limited: %s, want RATE_LIMITED", code)
	}
}

// Finding 8: 40 concurrent wrong passwords were all evaluated against a limit of 10, and
// anyone could lock any account out.
func TestLogInLimiter(t *testing.T) {
	srv := startBehindProxy(t)
	postFrom(t, srv, "203.0.113.1", "", `mutation { signUp(input: {email: "ann@example.com", password: "correct horse"}) { token } }`, nil).OK(t)
	const q = `mutation($p: String!) { logIn(input: {email: "ann@example.com", password: $p}) { token } }`

	h := srv.Resolver.PasswordHashes()
	codes := together(40, func(int) string {
		return codeOf(postFrom(t, srv, "192.0.2.66", "", q, map[string]any{"p": "wrong password"}))
	})
	hashes := srv.Resolver.PasswordHashes() - h
	if evaluated := codes["UNAUTHENTICATED"]; evaluated > 10 || int64(evaluated) != hashes || codes["RATE_LIMITED"] != 40-evaluated {
		t.Fatalf("40 concurrent wrong passwords: answers %v, %d hashes; want at most 10 evaluated, the rest RATE_LIMITED", codes, hashes)
	}
	if code := codeOf(postFrom(t, srv, "192.0.2.66", "", q, map[string]any{"p": "correct horse"})); code != "RATE_LIMITED" {
		t.Fatalf("the right password from the guessing address: %s, want RATE_LIMITED", code)
	}
	// The owner, elsewhere, is not locked out by the stranger.
	postFrom(t, srv, "198.51.100.20", "", q, map[string]any{"p": "correct horse"}).OK(t)
}

// startBehindProxy starts a server that trusts the loopback as its reverse proxy, so tests
// speak for any client address through X-Forwarded-For.
func startBehindProxy(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.StartWith(t, testserver.Options{Config: rest.Config{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	}})
}

// postFrom posts a GraphQL request to the platform API as the client at addr.
func postFrom(t *testing.T, srv *testserver.Server, addr, token, query string, vars map[string]any) *testserver.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return postRawFrom(t, srv, addr, token, body)
}

func postRawFrom(t *testing.T, srv *testserver.Server, addr, token string, body []byte) *testserver.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return &testserver.Response{}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("POST /graphql: %v", err) // Error, not Fatal: also called from goroutines
		return &testserver.Response{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &testserver.Response{Status: resp.StatusCode, Raw: raw}
	var decoded struct {
		Data   map[string]any     `json:"data"`
		Errors []testserver.Error `json:"errors"`
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Errorf("status %d, body is not JSON: %s", resp.StatusCode, raw)
	}
	out.Data, out.Errors = decoded.Data, decoded.Errors
	return out
}

func codeOf(r *testserver.Response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Code()
}

// together runs f(0..n-1) concurrently and counts the answers.
func together(n int, f func(i int) string) map[string]int {
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := f(i)
			mu.Lock()
			counts[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}
