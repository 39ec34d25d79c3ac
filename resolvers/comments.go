package resolvers

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
)

// Comments on rows. Reading a row's comments needs read access to its table, writing one
// write access; only a comment's author (the same user or token) may edit or delete it.

const (
	defaultCommentPage = 20
	maxCommentPage     = 100
)

func checkCommentBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" || len(body) > gqlbase.MaxCommentBytes || !utf8.ValidString(body) {
		return "", gqlbase.BadInput("a comment is 1 to %d bytes of text", gqlbase.MaxCommentBytes).WithField("body")
	}
	return body, nil
}

// CreateComment comments on a row that exists.
func (r *Resolver) CreateComment(ctx context.Context, tableID, rowID int64, body string) (*gqlbase.Comment, error) {
	t, err := r.TableFor(ctx, tableID, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if body, err = checkCommentBody(body); err != nil {
		return nil, err
	}
	rows, err := r.Store.GetRows(ctx, t, []int64{rowID})
	if err != nil {
		return nil, err
	}
	if rows[rowID] == nil {
		return nil, gqlbase.NotFound("row %d not found in table %q", rowID, t.Name).WithField("row")
	}
	return r.Store.CreateComment(ctx, t, rowID, actor(ctx), body)
}

// Comments lists a row's comments, newest first: first (default 20, at most 100) after the
// endCursor of the previous page.
func (r *Resolver) Comments(ctx context.Context, tableID, rowID int64, first *int, after *string) (*gqlbase.CommentConnection, error) {
	if _, err := r.TableFor(ctx, tableID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	n := defaultCommentPage
	if first != nil {
		if *first < 0 || *first > maxCommentPage {
			return nil, gqlbase.BadInput("first is between 0 and %d", maxCommentPage).WithField("first")
		}
		n = *first
	}
	var before int64
	if after != nil && *after != "" {
		id, err := strconv.ParseInt(*after, 10, 64)
		if err != nil || id <= 0 {
			return nil, gqlbase.BadInput("invalid after cursor").WithField("after")
		}
		before = id
	}
	list, more, err := r.Store.ListComments(ctx, tableID, rowID, before, n)
	if err != nil {
		return nil, err
	}
	conn := &gqlbase.CommentConnection{Nodes: list, HasNextPage: more}
	if more && len(list) > 0 {
		c := strconv.FormatInt(list[len(list)-1].ID, 10)
		conn.EndCursor = &c
	}
	return conn, nil
}

// commentFor loads a comment and its table for a principal with scope on the table.
func (r *Resolver) commentFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.Comment, *gqlbase.Table, error) {
	if err := gqlbase.PrincipalFrom(ctx).Authenticated(); err != nil {
		return nil, nil, err
	}
	c, err := r.Store.GetComment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := r.TableFor(ctx, c.TableID, scope)
	if err != nil {
		if e, ok := err.(*gqlbase.Error); ok && e.Code == gqlbase.CodeNotFound {
			return nil, nil, gqlbase.NotFound("comment %d not found", id)
		}
		return nil, nil, err
	}
	return c, t, nil
}

// UpdateComment changes the text of the caller's own comment.
func (r *Resolver) UpdateComment(ctx context.Context, id int64, body string) (*gqlbase.Comment, error) {
	_, t, err := r.commentFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if body, err = checkCommentBody(body); err != nil {
		return nil, err
	}
	return r.Store.UpdateComment(ctx, t, id, actor(ctx), body)
}

// DeleteComment deletes the caller's own comment.
func (r *Resolver) DeleteComment(ctx context.Context, id int64) (bool, error) {
	_, t, err := r.commentFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return false, err
	}
	if err := r.Store.DeleteComment(ctx, t, id, actor(ctx)); err != nil {
		return false, err
	}
	return true, nil
}
