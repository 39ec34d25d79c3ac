package rest

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Public views: what anyone holding a view's slug may do, without credentials. The routes
// sit on the same mux and middleware as the APIs (request id, logs, CORS); the authentication
// middleware lets requests without credentials through as anonymous, and these handlers
// authorize by the slug alone (and, for a password-protected view, the X-View-Token header
// a password bought). Answers use the GraphQL error shape.
//
//	GET  /public/views/{slug}        the view: name, type, visible fields, their options
//	GET  /public/views/{slug}/rows   its rows (?limit=, ?offset=): ids and visible fields only
//	POST /public/views/{slug}/rows   a form view's submission: {"values": {...}} → 201
//	POST /public/views/{slug}/token  {"password": "..."} → {"token", "expiresAt"}

const (
	viewTokenHeader     = "X-View-Token"
	maxPublicSubmission = 256 << 10
)

func (s *Server) publicViewRoutes() {
	s.handle("GET /public/views/{slug}", http.HandlerFunc(s.publicView))
	s.handle("GET /public/views/{slug}/rows", http.HandlerFunc(s.publicViewRows))
	s.handle("POST /public/views/{slug}/rows", http.HandlerFunc(s.publicViewSubmit))
	s.handle("POST /public/views/{slug}/token", http.HandlerFunc(s.publicViewToken))
}

// publicFailure answers an error of a public route.
func (s *Server) publicFailure(w http.ResponseWriter, r *http.Request, err error) {
	var e *gqlbase.Error
	if !errors.As(err, &e) {
		s.logger.ErrorContext(r.Context(), "public view", "err", err)
		writeGraphQLError(w, gqlbase.CodeInternal, "internal error")
		return
	}
	if e.Code == gqlbase.CodeRateLimited {
		writeRateLimited(w, e)
		return
	}
	writeGraphQLError(w, e.Code, e.Message)
}

type publicField struct {
	Name    string                 `json:"name"`
	Label   string                 `json:"label"`
	Type    gqlbase.ColumnType     `json:"type"`
	Options []gqlbase.SelectOption `json:"options,omitempty"`
	Width   *int                   `json:"width,omitempty"`
	Order   *int                   `json:"order,omitempty"`
}

func (s *Server) publicView(w http.ResponseWriter, r *http.Request) {
	v, t, err := s.resolver.PublicView(r.Context(), r.PathValue("slug"), r.Header.Get(viewTokenHeader))
	if err != nil {
		s.publicFailure(w, r, err)
		return
	}
	fields := []publicField{}
	for _, name := range v.VisibleColumns(t) {
		c := t.UserColumn(name)
		f := publicField{Name: c.Name, Label: c.Label, Type: c.Type, Options: c.Options}
		for _, o := range v.FieldOptions {
			if o.Column == name {
				f.Width, f.Order = o.Width, o.Order
			}
		}
		fields = append(fields, f)
	}
	visible := func(c *string) *string {
		if c == nil || v.Hidden(*c) {
			return nil
		}
		return c
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": v.Name, "type": v.Type, "fields": fields, "decorations": v.Decorations,
		"groupColumn": visible(v.GroupColumn), "dateColumn": visible(v.DateColumn), "endDateColumn": visible(v.EndDateColumn),
	})
}

type publicRow struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

func (s *Server) publicViewRows(w http.ResponseWriter, r *http.Request) {
	limit, err1 := intParam(r, "limit")
	offset, err2 := intParam(r, "offset")
	if err := cmp.Or(err1, err2); err != nil {
		s.publicFailure(w, r, err)
		return
	}
	v, t, err := s.resolver.PublicView(r.Context(), r.PathValue("slug"), r.Header.Get(viewTokenHeader))
	if err != nil {
		s.publicFailure(w, r, err)
		return
	}
	page, err := s.resolver.PublicViewRows(r.Context(), v, t, limit, offset)
	if err != nil {
		s.publicFailure(w, r, err)
		return
	}
	rows := make([]publicRow, len(page.Rows))
	for i, row := range page.Rows {
		rows[i] = publicRow{ID: strconv.FormatInt(row.ID, 10), Data: row.Data}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": rows, "hasMore": page.HasMore})
}

// intParam reads a non-negative integer query parameter (0 when absent).
func intParam(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, gqlbase.BadInput("%s must be a non-negative integer", name).WithField(name)
	}
	return n, nil
}

// decodePublic reads a JSON object body of at most maxPublicSubmission bytes into v.
func decodePublic(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return gqlbase.BadInput("send the body as application/json")
	}
	body, err := readLimited(r, maxPublicSubmission)
	if err != nil {
		return gqlbase.Errorf(gqlbase.CodePayloadTooLarge, "the body is larger than %d bytes", maxPublicSubmission)
	}
	dec := json.NewDecoder(body)
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return gqlbase.BadInput("the body is not the JSON object this route takes: %v", err)
	}
	return nil
}

func (s *Server) publicViewSubmit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Values map[string]any `json:"values"`
	}
	if err := decodePublic(r, &in); err != nil {
		s.publicFailure(w, r, err)
		return
	}
	v, t, err := s.resolver.PublicView(r.Context(), r.PathValue("slug"), r.Header.Get(viewTokenHeader))
	if err != nil {
		s.publicFailure(w, r, err)
		return
	}
	if in.Values == nil {
		s.publicFailure(w, r, gqlbase.BadInput("values (an object keyed by field name) is required").WithField("values"))
		return
	}
	row, err := s.resolver.PublicFormSubmit(r.Context(), v, t, in.Values)
	if err != nil {
		s.publicFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": strconv.FormatInt(row.ID, 10)})
}

func (s *Server) publicViewToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decodePublic(r, &in); err != nil {
		s.publicFailure(w, r, err)
		return
	}
	token, expires, err := s.resolver.PublicViewToken(r.Context(), r.PathValue("slug"), in.Password)
	if err != nil {
		s.publicFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "expiresAt": expires.UTC().Format(time.RFC3339)})
}
