package airsequel

import "github.com/gqlbase/gqlbase/rest/restkit"

// bindUnavailable adds the routes of Airsequel's products that gqlbase does not have: each
// answers 501 NOT_IMPLEMENTED naming what is missing (and where to go instead), and the
// document marks it so. They are Public: a client learns that without credentials, as it
// would with them.
func bindUnavailable(d *restkit.Dialect) {
	na := func(method, path, what string) restkit.Route {
		return restkit.Route{Method: method, Path: path, Summary: what + " (not available)", NotImplemented: true, Public: true,
			Description: "Answers 501 NOT_IMPLEMENTED: " + what + " is not available in gqlbase.",
			Handle:      restkit.NotImplemented(what)}
	}
	d.Add(
		na("GET", "/api/dbs/{dbId}/apps", "apps"),
		na("GET", "/dbs/{dbId}/apps/{appId}", "apps"),
		na("GET", "/api/dbs/{dbId}/azimutt-schema", "the Azimutt schema export"),
		na("GET", "/api/dbs/{dbId}/charts", "charts"),
		na("POST", "/api/dbs/{dbId}/charts", "charts"),
		na("PATCH", "/api/dbs/{dbId}/charts/{chartId}", "charts"),
		na("DELETE", "/api/dbs/{dbId}/charts/{chartId}", "charts"),
		na("GET", "/api/dbs/{dbId}/dashboards", "dashboards"),
		na("POST", "/api/dbs/{dbId}/dashboards", "dashboards"),
		na("PATCH", "/api/dbs/{dbId}/dashboards/{dashboardId}", "dashboards"),
		na("DELETE", "/api/dbs/{dbId}/dashboards/{dashboardId}", "dashboards"),
		na("POST", "/api/dbs/{dbId}/prompt", "AI prompts"),
		na("POST", "/api/dbs/{dbId}/prompt/describe-database", "AI prompts"),
		na("POST", "/api/dbs/{dbId}/prompt/describe-function", "AI prompts"),
		na("POST", "/api/dbs/{dbId}/prompt/describe-table", "AI prompts"),
		na("POST", "/api/prompt/create-database", "AI prompts"),
		na("POST", "/api/events/paddle", "billing"),
		na("GET", "/api/dbs/{dbId}/tables/{tableId}/columns/{column}/files/{primaryKey}/{equalsValue}", "file cells"),
		na("PUT", "/api/dbs/{dbId}/tables/{tableId}/columns/{column}/files/{primaryKey}/{equalsValue}", "file cells"),
		na("GET", "/readonly/{readonlyId}/tables/{tableId}/columns/{column}/files/{primaryKey}/{equalsValue}", "file cells"),
		na("POST", "/dbs", "uploading SQLite files (create the database with POST /api/dbs and a query)"),
		na("PUT", "/dbs/{dbId}", "uploading SQLite files"),
		na("GET", "/dbs/{dbId}/duplicate", "duplicating databases"),
		na("GET", "/readonly/{readonlyId}/duplicate", "duplicating databases"),
		na("GET", "/dbs/{dbId}/regenerate-db-id", "changing database ids"),
		na("POST", "/api/login", "password login here (use the platform GraphQL logIn mutation)"),
		na("POST", "/api/logout", "logout here (use the platform GraphQL logOut mutation)"),
		na("POST", "/api/users", "user accounts here (use the platform GraphQL signUp mutation)"),
		na("GET", "/api/users/{username}", "user accounts here"),
		na("POST", "/api/users/invite", "invitations here (use the platform GraphQL API)"),
		na("POST", "/api/users/reset-password", "password resets"),
		na("POST", "/api/users/reset-password/submit", "password resets"),
		na("GET", "/password-reset/{passwordResetKey}", "password resets"),
		na("GET", "/verify-email/{emailVerificationKey}", "email verification"),
		na("GET", "/api/teams/{teamName}", "teams here (use the platform GraphQL workspace API)"),
		na("PATCH", "/api/teams/{teamName}", "teams here (use the platform GraphQL workspace API)"),
		na("DELETE", "/api/teams/{teamName}", "teams here (use the platform GraphQL workspace API)"),
		na("GET", "/api/teams/{teamName}/members", "team members here (use the platform GraphQL workspace API)"),
		na("PATCH", "/api/teams/{teamName}/members/{username}", "team members here (use the platform GraphQL workspace API)"),
		na("DELETE", "/api/teams/{teamName}/members/{username}", "team members here (use the platform GraphQL workspace API)"),
	)
}
