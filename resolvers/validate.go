package resolvers

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
)

// checkName validates a human-facing name (workspace, token): trimmed, 1 to 200 characters.
func checkName(name, field string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", gqlbase.BadInput("%s must not be empty", field).WithField(field)
	}
	if utf8.RuneCountInString(name) > 200 {
		return "", gqlbase.BadInput("%s must have at most 200 characters", field).WithField(field)
	}
	return name, nil
}

// checkEmail validates and normalises an email address.
func checkEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", gqlbase.BadInput("%q is not a valid email address", email).WithField("email")
	}
	return strings.ToLower(email), nil
}

// checkTableName validates the name of a table the API creates or renames: an identifier
// (gqlbase.CheckTableName, which raw SQL's tables pass too) that also gives valid names in the
// typed GraphQL API.
func checkTableName(name string) error {
	if err := gqlbase.CheckTableName(name); err != nil {
		return err
	}
	return gqlbase.CheckTypedTableName(name)
}

// principalOrError returns the request's principal if it is authenticated.
func principalOrError(p *gqlbase.Principal) (*gqlbase.Principal, error) {
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	return p, nil
}
