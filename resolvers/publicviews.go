package resolvers

import (
	"context"
	"crypto/rand"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Public sharing of views. A shared view has a random slug (26 base32 characters, 130 bits),
// which is all a visitor needs; it reads only that view's rows (the view's filter, no other)
// and only its visible fields, and a form view takes submissions of its visible fields only.
// A password, when set, is exchanged for a token valid for that view until the slug or the
// password changes. Visitors are limited per client address and view (viewlimit.go).
//
// What a visitor can send is kept to what cannot reach past the view: no filters, no search
// (either could probe hidden fields), and pages by offset, since a keyset cursor carries the
// sort keys, which may be hidden fields.

const (
	viewTokenTTL       = 24 * time.Hour
	maxPublicPageSize  = 200
	maxPublicOffset    = 10_000
	publicActorPrefix  = "public:view:"
	defaultPublicPages = 50
)

// ShareView makes a view public (or, when it already is, sets its password) and returns its
// slug. A new slug is drawn each time, so sharing again also breaks old links.
func (r *Resolver) ShareView(ctx context.Context, id int64, password *string) (*gqlbase.ViewShare, error) {
	v, _, err := r.viewFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	hash := ""
	if password != nil && *password != "" {
		if err := checkPassword(*password, "password"); err != nil {
			return nil, err
		}
		if hash, err = r.hashPassword(ctx, *password); err != nil {
			return nil, err
		}
	}
	return r.reshare(ctx, v, hash)
}

// RotateViewSlug gives a public view a new slug: the old one stops working at once, and so
// do the tokens its password bought.
func (r *Resolver) RotateViewSlug(ctx context.Context, id int64) (*gqlbase.ViewShare, error) {
	v, _, err := r.viewFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if !v.Public {
		return nil, gqlbase.BadInput("view %d is not public: share it first", id).WithField("id")
	}
	return r.reshare(ctx, v, v.PasswordHash)
}

func (r *Resolver) reshare(ctx context.Context, v *gqlbase.View, hash string) (*gqlbase.ViewShare, error) {
	slug := rand.Text()
	defer r.forgetView(v.ID)
	if err := r.Store.ShareView(ctx, v.ID, slug, hash); err != nil {
		return nil, err
	}
	nv, err := r.Store.GetView(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	return &gqlbase.ViewShare{View: nv, Slug: slug}, nil
}

// UnshareView makes a view private again.
func (r *Resolver) UnshareView(ctx context.Context, id int64) (*gqlbase.View, error) {
	v, _, err := r.viewFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	defer r.forgetView(v.ID)
	if err := r.Store.UnshareView(ctx, v.ID); err != nil {
		return nil, err
	}
	return r.Store.GetView(ctx, v.ID)
}

// PublicView is what a visitor with slug (and, for a password-protected view, token) may
// see: the view and its table. An unknown or rotated slug answers NOT_FOUND; a missing or
// wrong token UNAUTHENTICATED.
func (r *Resolver) PublicView(ctx context.Context, slug, token string) (*gqlbase.View, *gqlbase.Table, error) {
	if len(slug) == 0 || len(slug) > 64 {
		return nil, nil, gqlbase.NotFound("no public view has this link")
	}
	v, err := r.Store.ViewBySlug(ctx, slug)
	if err != nil {
		if e, ok := err.(*gqlbase.Error); ok && e.Code == gqlbase.CodeNotFound {
			return nil, nil, gqlbase.NotFound("no public view has this link")
		}
		return nil, nil, err
	}
	if err := r.viewLimits.allow("read", v.ID, ClientAddrFrom(ctx), publicReadsPerMinute, time.Now()); err != nil {
		return nil, nil, err
	}
	if v.PasswordProtected() {
		if token == "" {
			return nil, nil, gqlbase.Unauthenticated("this view needs its password: exchange it for a token first")
		}
		ok, err := r.Store.ViewTokenValid(ctx, v.ID, token)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, gqlbase.Unauthenticated("the view token is invalid or expired")
		}
	}
	t, err := r.loaders(ctx).Table(ctx, v.TableID)
	if err != nil {
		return nil, nil, err
	}
	return v, t, nil
}

// PublicViewToken exchanges a public view's password for a token of that view.
func (r *Resolver) PublicViewToken(ctx context.Context, slug, password string) (string, time.Time, error) {
	v, err := r.Store.ViewBySlug(ctx, slug)
	if err != nil {
		return "", time.Time{}, gqlbase.NotFound("no public view has this link")
	}
	if !v.PasswordProtected() {
		return "", time.Time{}, gqlbase.BadInput("this view has no password: read it without a token").WithField("password")
	}
	if err := r.viewLimits.allow("password", v.ID, ClientAddrFrom(ctx), publicPasswordsPerMinute, time.Now()); err != nil {
		return "", time.Time{}, err
	}
	if len(password) > maxPasswordLen {
		return "", time.Time{}, gqlbase.Unauthenticated("wrong password")
	}
	ok, err := r.verifyPassword(ctx, password, v.PasswordHash)
	if err != nil {
		return "", time.Time{}, err
	}
	if !ok {
		return "", time.Time{}, gqlbase.Unauthenticated("wrong password")
	}
	token := "gqv_" + rand.Text() + rand.Text()
	expires := time.Now().Add(viewTokenTTL)
	if err := r.Store.CreateViewToken(ctx, v.ID, token, expires); err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// PublicPage is a page of a public view's rows: only their ids and visible fields.
type PublicPage struct {
	Rows    []*gqlbase.Row
	HasMore bool
}

// PublicViewRows reads a page of a public view's rows: the view's filter and sorts, its
// visible fields, limit rows (default 50, at most 200) from offset (at most 10,000).
func (r *Resolver) PublicViewRows(ctx context.Context, v *gqlbase.View, t *gqlbase.Table, limit, offset int) (*PublicPage, error) {
	if v.Type == gqlbase.ViewForm {
		return nil, gqlbase.BadInput("a form view takes submissions; it shows no rows")
	}
	if limit == 0 {
		limit = defaultPublicPages
	}
	if limit < 0 || limit > maxPublicPageSize {
		return nil, gqlbase.BadInput("limit is between 1 and %d", maxPublicPageSize).WithField("limit")
	}
	if offset < 0 || offset > maxPublicOffset {
		return nil, gqlbase.BadInput("offset is between 0 and %d", maxPublicOffset).WithField("offset")
	}
	q, err := r.rowQuery(t, v.Filter, nil)
	if err != nil {
		return nil, err
	}
	q.Sorts = v.Sorts
	q.Columns = v.VisibleColumns(t)
	q.Limit, q.Offset = limit, offset
	page, err := r.Store.ListRows(ctx, t, q)
	if err != nil {
		return nil, err
	}
	return &PublicPage{Rows: page.Rows, HasMore: page.HasMore}, nil
}

// PublicFormSubmit creates a row from a visitor's submission to a public form view: only
// the form's visible fields are taken (any other key is refused), and submissions are rate
// limited per client address.
func (r *Resolver) PublicFormSubmit(ctx context.Context, v *gqlbase.View, t *gqlbase.Table, values map[string]any) (*gqlbase.Row, error) {
	if v.Type != gqlbase.ViewForm {
		return nil, gqlbase.BadInput("only a form view takes submissions")
	}
	if err := r.viewLimits.allow("submit", v.ID, ClientAddrFrom(ctx), publicSubmitsPerMinute, time.Now()); err != nil {
		return nil, err
	}
	for name := range values {
		c := t.UserColumn(name)
		if c == nil || v.Hidden(name) {
			return nil, gqlbase.BadInput("the form has no field %q", name).WithField(name)
		}
	}
	prepared, err := gqlbase.PrepareInsert(t, values, -1)
	if err != nil {
		return nil, err
	}
	rows, err := r.Store.InsertRows(ctx, t, []map[string]any{prepared}, publicActor(v.ID))
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

func publicActor(viewID int64) string {
	return publicActorPrefix + strconv.FormatInt(viewID, 10)
}
