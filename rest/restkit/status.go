package restkit

import (
	"net/http"

	"github.com/gqlbase/gqlbase"
)

// HTTPStatus is the usual HTTP status of a domain error code; dialects with statuses of
// their own map the codes themselves.
func HTTPStatus(code gqlbase.Code) int {
	switch code {
	case gqlbase.CodeUnauthenticated:
		return http.StatusUnauthorized
	case gqlbase.CodeForbidden:
		return http.StatusForbidden
	case gqlbase.CodeNotFound:
		return http.StatusNotFound
	case gqlbase.CodeBadUserInput:
		return http.StatusBadRequest
	case gqlbase.CodeConflict:
		return http.StatusConflict
	case gqlbase.CodeRateLimited:
		return http.StatusTooManyRequests
	case gqlbase.CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case gqlbase.CodeNotImplemented:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}
