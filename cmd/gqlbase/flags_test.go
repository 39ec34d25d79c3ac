package main

import (
	"io"
	"testing"
)

func TestTrustedProxiesFlag(t *testing.T) {
	t.Setenv("GQLBASE_TRUSTED_PROXIES", "")
	c, err := parseServeFlags([]string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.1"}, io.Discard)
	if err != nil || len(c.trustedProxies) != 2 || c.trustedProxies[1].String() != "192.0.2.1/32" {
		t.Errorf("--trusted-proxies: %v, %v", c.trustedProxies, err)
	}
	if c, err := parseServeFlags(nil, io.Discard); err != nil || len(c.trustedProxies) != 0 {
		t.Errorf("default --trusted-proxies: %v, %v", c.trustedProxies, err)
	}
	if _, err := parseServeFlags([]string{"--trusted-proxies", "my-proxy"}, io.Discard); err == nil {
		t.Error("--trusted-proxies my-proxy accepted")
	}
}
