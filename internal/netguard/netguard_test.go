package netguard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/netguard"
)

func TestCheckIPRefusesWhatIsNotPublic(t *testing.T) {
	var p netguard.Policy
	for _, s := range []string{
		"127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"0.0.0.0", "100.64.0.1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1", "::",
		"198.18.0.1", "240.0.0.1",
	} {
		if err := p.CheckIP(netip.MustParseAddr(s)); !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("CheckIP(%s) = %v, want a refusal", s, err)
		}
	}
	for _, s := range []string{"93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"} {
		if err := p.CheckIP(netip.MustParseAddr(s)); err != nil {
			t.Errorf("CheckIP(%s) = %v, want allowed", s, err)
		}
	}
	if err := (netguard.Policy{AllowPrivate: true}).CheckIP(netip.MustParseAddr("127.0.0.1")); err != nil {
		t.Errorf("AllowPrivate still refused loopback: %v", err)
	}
}

func TestCheckURLNamesTheFieldAndTheReason(t *testing.T) {
	var p netguard.Policy
	ctx := context.Background()
	for raw, want := range map[string]string{
		"http://169.254.169.254/latest/meta-data": "not public",
		"http://localhost:8080/":                  "this machine",
		"http://127.0.0.1/":                       "not public",
		"ftp://example.com/":                      "http or https",
		"/relative":                               "absolute",
		"http://user:pw@example.com/":             "user name or password",
		"http://[::1]:9/":                         "not public",
	} {
		_, err := p.CheckURL(ctx, "url", raw)
		var ge *gqlbase.Error
		if !errors.As(err, &ge) || ge.Code != gqlbase.CodeBadUserInput || ge.Field != "url" {
			t.Errorf("CheckURL(%q) = %v, want BAD_USER_INPUT on field url", raw, err)
			continue
		}
		if !strings.Contains(ge.Message, want) {
			t.Errorf("CheckURL(%q) message %q does not say %q", raw, ge.Message, want)
		}
	}
	if _, err := p.CheckURL(ctx, "url", "https://203.0.114.7/hook"); err != nil {
		t.Errorf("a public literal address was refused: %v", err)
	}
}

// The dialer checks the address it connects to, so a URL that passed CheckURL (or was never
// checked) still cannot reach loopback: this is what stops DNS rebinding.
func TestClientRefusesLoopbackAtConnectTime(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()

	_, err := netguard.Policy{}.Client(5 * time.Second).Get(srv.URL)
	if !errors.Is(err, netguard.ErrRefused) {
		t.Fatalf("GET %s through the guarded client = %v, want a refusal", srv.URL, err)
	}
	resp, err := netguard.Policy{AllowPrivate: true}.Client(5 * time.Second).Get(srv.URL)
	if err != nil {
		t.Fatalf("AllowPrivate client: %v", err)
	}
	resp.Body.Close()
}
