package resolvers

import (
	"net/netip"
	"testing"
)

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":         "192.0.2.1/32",
		"::ffff:192.0.2.1":  "192.0.2.1/32",
		"2001:db8:1:2:3::4": "2001:db8:1:2::/64",
		"2001:db8:1:3:3::4": "2001:db8:1:3::/64",
		"fe80::1":           "fe80::/64",
	} {
		if got := addressKey(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("addressKey(%s) = %s, want %s", in, got, want)
		}
	}
	if addressKey(netip.Addr{}) != (netip.Prefix{}) {
		t.Error("no address gives a key of its own")
	}
}
