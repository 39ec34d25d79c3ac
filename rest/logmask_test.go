package rest

import "testing"

func TestMaskPathHidesTheReadonlyID(t *testing.T) {
	for in, want := range map[string]string{
		"/readonly/ro_SECRET/graphql":        "/readonly/***/graphql",
		"/readonly/ro_SECRET":                "/readonly/***",
		"/readonly/ro_SECRET/":               "/readonly/***/",
		"//readonly/ro_SECRET/graphql":       "//readonly/***/graphql",
		"/readonly//ro_SECRET/graphql":       "/readonly//***/graphql",
		"/ReadOnly/ro_SECRET/graphql":        "/ReadOnly/***/graphql",
		"/readonly/ro_SECRET/tables/t/x/y/z": "/readonly/***/tables/t/x/y/z",
		"/readonly/":                         "/readonly/",
		"/dbs/1/graphql":                     "/dbs/1/graphql",
		"/dbs/1/regenerate-readonly-id":      "/dbs/1/regenerate-readonly-id",
		"/graphql":                           "/graphql",
	} {
		if got := maskPath(in); got != want {
			t.Errorf("maskPath(%q) = %q, want %q", in, got, want)
		}
	}
}
