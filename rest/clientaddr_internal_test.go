package rest

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.10 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"no proxy trusted: the peer, whatever the header", "203.0.113.5:4000", "198.51.100.1", nil, "203.0.113.5"},
		{"untrusted peer: the header is ignored", "203.0.113.5:4000", "198.51.100.1", proxies, "203.0.113.5"},
		{"trusted peer: the address it was told", "10.1.2.3:4000", "198.51.100.1", proxies, "198.51.100.1"},
		{"a client's own claims left of the first untrusted hop count for nothing",
			"10.1.2.3:4000", "1.1.1.1, 198.51.100.1, 192.0.2.10", proxies, "198.51.100.1"},
		{"several header lines are one list", "10.1.2.3:4000", "1.1.1.1\n198.51.100.1", proxies, "198.51.100.1"},
		{"a hop with a port", "10.1.2.3:4000", "198.51.100.1:5555", proxies, "198.51.100.1"},
		{"a malformed hop: the last trusted proxy", "10.1.2.3:4000", "198.51.100.1, junk", proxies, "10.1.2.3"},
		{"no header: the proxy", "10.1.2.3:4000", "", proxies, "10.1.2.3"},
		{"IPv6 peer trusted", "[::1]:4000", "2001:db8::7", proxies, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:203.0.113.5]:4000", "", nil, "203.0.113.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = c.remote
			for _, line := range strings.Split(c.xff, "\n") {
				if line != "" {
					r.Header.Add("X-Forwarded-For", line)
				}
			}
			if got := clientAddr(r, c.trusted); got.String() != c.want {
				t.Errorf("clientAddr = %s, want %s", got, c.want)
			}
		})
	}
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "@"
	if got := clientAddr(r, proxies); got.IsValid() {
		t.Errorf("a peer that is not an address gave %s", got)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,proxy.local"); err == nil {
		t.Error("a host name was accepted as a trusted proxy")
	}
}
