package rest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// A token expiring in an hour must not make itself (or another token) never-expiring, and
// expiresAt: 9999-12-31 must not pass the 3,650-day cap.
func TestTokenCannotOutliveItsCreatorOrTheLifetimeCap(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	hour := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	short, shortID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "short", "scopes": []string{"READ", "ADMIN"},
		"expiresAt": hour.Format(time.RFC3339)})
	_, neverID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "never", "scopes": []string{"READ"}, "neverExpires": true})
	later := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	sooner := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	create := func(extra map[string]any) map[string]any {
		in := map[string]any{"name": "t", "scopes": []string{"READ"}}
		for k, v := range extra {
			in[k] = v
		}
		return map[string]any{"in": in}
	}

	forbidden := []struct {
		name, query string
		vars        map[string]any
	}{
		{"make itself never expire", updateTokenQ, map[string]any{"id": shortID, "in": map[string]any{"neverExpires": true}}},
		{"extend itself", updateTokenQ, map[string]any{"id": shortID, "in": map[string]any{"expiresAt": later}}},
		{"create a never-expiring token", createTokenQ, create(map[string]any{"neverExpires": true})},
		{"create a token for days", createTokenQ, create(map[string]any{"expiresInDays": 2})},
		{"create a token that outlives it", createTokenQ, create(map[string]any{"expiresAt": later})},
		{"extend a token it covers", updateTokenQ, map[string]any{"id": neverID, "in": map[string]any{"expiresAt": later}}},
		{"rotate a never-expiring token", rotateTokenQ, map[string]any{"id": neverID}},
	}
	for _, c := range forbidden {
		t.Run(c.name, func(t *testing.T) {
			resp := refused(t, srv, short, c.query, c.vars, "FORBIDDEN")
			if !strings.Contains(resp.Errors[0].Message, "expir") && c.query != rotateTokenQ {
				t.Errorf("the refusal does not say it is the expiry: %s", resp.Raw)
			}
		})
	}
	// Within its own lifetime it may: the default lifetime is cut to its own expiry.
	data := srv.Platform(t, short, createTokenQ, create(nil)).OK(t)
	if got := testserver.Str(data, "createToken", "token", "expiresAt"); got != hour.Format(time.RFC3339) {
		t.Errorf("default expiry of a token made by a token expiring at %s: %s", hour.Format(time.RFC3339), got)
	}
	data = srv.Platform(t, short, createTokenQ, create(map[string]any{"expiresAt": sooner.Format(time.RFC3339)})).OK(t)
	if got := testserver.Str(data, "createToken", "token", "expiresAt"); got != sooner.Format(time.RFC3339) {
		t.Errorf("expiresAt %s, want %s", got, sooner.Format(time.RFC3339))
	}
	srv.Platform(t, short, updateTokenQ, map[string]any{"id": shortID, "in": map[string]any{"expiresAt": sooner.Format(time.RFC3339)}}).OK(t)
	srv.Platform(t, short, rotateTokenQ, map[string]any{"id": shortID}).OK(t)

	// The cap holds for every way of giving an expiry, whoever asks.
	const farAway = "9999-12-31T00:00:00Z"
	justOver := time.Now().Add((3650*24 + 1) * time.Hour).UTC().Format(time.RFC3339)
	justUnder := time.Now().Add(3649 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for _, at := range []string{farAway, justOver} {
		refused(t, srv, srv.AdminToken, createTokenQ, create(map[string]any{"expiresAt": at}), "BAD_USER_INPUT")
		refused(t, srv, srv.AdminToken, updateTokenQ, map[string]any{"id": neverID, "in": map[string]any{"expiresAt": at}}, "BAD_USER_INPUT")
	}
	srv.Platform(t, srv.AdminToken, createTokenQ, create(map[string]any{"expiresAt": justUnder})).OK(t)
	srv.Platform(t, srv.AdminToken, updateTokenQ, map[string]any{"id": neverID, "in": map[string]any{"expiresAt": justUnder}}).OK(t)
}
