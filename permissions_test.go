package gqlbase

import (
	"encoding/json"
	"net/netip"
	"testing"
)

func TestParseTokenPermissions(t *testing.T) {
	parse := func(s string) (TokenPermissions, error) {
		var raw map[string]any
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			t.Fatal(err)
		}
		return ParseTokenPermissions(raw)
	}
	p, err := parse(`{"create": true, "read": [["database", 1], ["table", 2], ["table", 2]], "update": false}`)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := json.Marshal(p.JSON())
	if string(back) != `{"create":true,"delete":false,"read":[["database",1],["table",2]],"update":false}` {
		t.Errorf("round trip: %s", back)
	}
	tbl := func(db, id int64) *Table { return &Table{ID: id, DatabaseID: db, WorkspaceID: 7, Name: "t"} }
	pr := &Principal{Kind: PrincipalToken, WorkspaceID: 7, Scopes: []Scope{ScopeRead, ScopeWrite}, Permissions: p}
	for _, c := range []struct {
		t    *Table
		op   RowOp
		want bool
	}{
		{tbl(1, 9), OpRead, true}, {tbl(3, 2), OpRead, true}, {tbl(3, 4), OpRead, false},
		{tbl(3, 4), OpCreate, true}, {tbl(1, 9), OpUpdate, false}, {tbl(1, 9), OpDelete, false},
	} {
		if got := pr.RequireRows(c.t, c.op) == nil; got != c.want {
			t.Errorf("%s on table %d of database %d: allowed %v, want %v", c.op, c.t.ID, c.t.DatabaseID, got, c.want)
		}
	}
	// Scopes still apply: a read-only token is refused writes whatever its permissions say.
	ro := &Principal{Kind: PrincipalToken, WorkspaceID: 7, Scopes: []Scope{ScopeRead}, Permissions: p}
	if ro.RequireRows(tbl(1, 9), OpCreate) == nil {
		t.Error("create allowed without the write scope")
	}
	for _, bad := range []string{`{"read": "yes"}`, `{"drop": true}`, `{"read": [["row", 1]]}`, `{"read": [["table", 1.5]]}`,
		`{"read": [["table"]]}`, `{"read": [["table", 0]]}`} {
		if _, err := parse(bad); ErrorCode(err) != CodeBadUserInput {
			t.Errorf("%s: %v, want BAD_USER_INPUT", bad, err)
		}
	}
	if !CoversPermissions(nil, p) || CoversPermissions(p, nil) {
		t.Error("nil permissions must cover everything and be covered by nothing restricted")
	}
	wider := TokenPermissions{OpRead: {All: true}}
	if CoversPermissions(p, wider) || !CoversPermissions(wider, TokenPermissions{OpRead: {Grants: []Grant{{"table", 5}}}}) {
		t.Error("CoversPermissions compares grants wrongly")
	}
}

func TestAllowsAddr(t *testing.T) {
	nets := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	for addr, want := range map[string]bool{"10.1.2.3": true, "::ffff:10.1.2.3": true, "11.0.0.1": false, "2001:db8::1": true, "2001:db9::1": false} {
		if got := AllowsAddr(nets, netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s: %v, want %v", addr, got, want)
		}
	}
	if AllowsAddr(nets, netip.Addr{}) {
		t.Error("an unknown address passed an allowlist")
	}
	if !AllowsAddr(nil, netip.Addr{}) {
		t.Error("no allowlist refused")
	}
	if !coversNetworks(nets, []netip.Prefix{netip.MustParsePrefix("10.2.0.0/16")}) || coversNetworks(nets, []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}) {
		t.Error("coversNetworks compares networks wrongly")
	}
}
