// Package netguard decides which network addresses gqlbase may reach on a tenant's behalf
// (webhook deliveries, uploads from a URL, a function's fetch). A tenant names the target, so
// without a guard it could make the server call its own loopback services, the private
// network it runs in, or a cloud metadata endpoint (SSRF).
//
// The guard checks twice: CheckURL before anything is stored or sent (so a bad target is a
// clear BAD_USER_INPUT), and the dialer of Client checks the address it actually connects to,
// after DNS resolution, so a name that resolves to a public address at check time and to a
// private one at connect time (DNS rebinding) is still refused. Redirects are dialled through
// the same dialer, so they are checked too.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Policy is what outbound requests may reach. The zero Policy refuses every non-public
// address; AllowPrivate (a flag for tests and for installations whose receivers live on the
// same network) lets them through.
type Policy struct {
	AllowPrivate bool
}

// ErrRefused is wrapped by every refusal, so callers can tell a guarded target from a network
// failure.
var ErrRefused = errors.New("the target address is not allowed")

// blocked lists the ranges that are not the public internet, beyond what netip's predicates
// name: shared address space (carrier NAT), benchmarking, documentation, 6to4 relay, NAT64
// and the IPv4 "this network" block.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fec0::/10"),
}

// CheckIP refuses an address that is not a public unicast address, unless the policy allows
// private targets. The cloud metadata address 169.254.169.254 is link-local and so refused.
func (p Policy) CheckIP(ip netip.Addr) error {
	if p.AllowPrivate {
		return nil
	}
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() {
		return fmt.Errorf("%w: %s is not a public address", ErrRefused, ip)
	}
	for _, b := range blocked {
		if b.Contains(ip) {
			return fmt.Errorf("%w: %s is in the reserved range %s", ErrRefused, ip, b)
		}
	}
	return nil
}

// CheckURL parses raw and refuses it, as BAD_USER_INPUT naming field, unless it is an
// absolute http or https URL without credentials whose host resolves only to allowed
// addresses. It returns the parsed URL.
func (p Policy) CheckURL(ctx context.Context, field, raw string) (*url.URL, error) {
	bad := func(msg string, err error) error {
		return &gqlbase.Error{Code: gqlbase.CodeBadUserInput, Field: field, Message: msg, Err: err}
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, bad(fmt.Sprintf("%s must be an absolute http or https URL", field), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, bad(fmt.Sprintf("%s must use http or https, not %q", field, u.Scheme), nil)
	}
	if u.User != nil {
		return nil, bad(fmt.Sprintf("%s must not carry a user name or password; send credentials as headers", field), nil)
	}
	host := u.Hostname()
	if p.AllowPrivate {
		return u, nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return nil, bad(fmt.Sprintf("%s points at this machine (%s), which is not allowed", field, host), ErrRefused)
	}
	addrs, err := lookup(ctx, host)
	if err != nil {
		return nil, bad(fmt.Sprintf("%s: the host %q does not resolve", field, host), err)
	}
	for _, a := range addrs {
		if err := p.CheckIP(a); err != nil {
			return nil, bad(fmt.Sprintf("%s resolves to an address that is not public (%s), which is not allowed", field, a), err)
		}
	}
	return u, nil
}

func lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// Dialer returns a dialer whose every connection is checked against the policy at connect
// time, after resolution: the address checked is the one the socket is about to use.
func (p Policy) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout:   timeout,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: cannot parse %q", ErrRefused, address)
			}
			return p.CheckIP(ap.Addr())
		},
	}
}

// MaxRedirects bounds the redirects a guarded client follows.
const MaxRedirects = 5

// Client returns an HTTP client for tenant-chosen targets: connections through the guarded
// dialer, no proxy from the environment (a proxy would connect on our behalf, unchecked), a
// bound on redirects and an overall timeout.
func (p Policy) Client(timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           p.Dialer(10 * time.Second).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: redirect to scheme %q", ErrRefused, req.URL.Scheme)
			}
			return nil
		},
	}
}
