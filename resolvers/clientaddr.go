package resolvers

import (
	"context"
	"net/netip"
)

type clientAddrKey struct{}

// WithClientAddr records the address of the client a request comes from (the connection's
// peer, or what a trusted proxy says), which the credential limits are keyed by.
func WithClientAddr(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr.Unmap())
}

// ClientAddrFrom returns the address WithClientAddr recorded (the zero Addr when none was).
func ClientAddrFrom(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(clientAddrKey{}).(netip.Addr)
	return a
}

// addressKey is what limits are counted per: an IPv4 address, or the /64 of an IPv6 one,
// since one client commonly holds a whole /64 and could otherwise rotate through it. Requests
// without an address (tests calling resolvers directly, unix sockets) share one key.
func addressKey(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return netip.Prefix{}
	case a.Is4():
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}
