package gqlbase

import "time"

// Events of comments on rows.
const (
	EventCommentCreated EventKind = "comment.created"
	EventCommentUpdated EventKind = "comment.updated"
	EventCommentDeleted EventKind = "comment.deleted"
)

// MaxCommentBytes bounds the text of a comment.
const MaxCommentBytes = 10_000

// Comment is a note on a row, written by a principal (its Author, such as "user:12"), which
// only that author may edit or delete.
type Comment struct {
	ID        int64
	TableID   int64
	RowID     int64
	Author    string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CommentConnection is a page of comments, newest first.
type CommentConnection struct {
	Nodes []*Comment
	// EndCursor continues after the page's last comment; nil on the last page.
	EndCursor   *string
	HasNextPage bool
}

// IsComment reports whether the event is about a comment on a row (neither the row nor the
// table's structure changed).
func (k EventKind) IsComment() bool {
	switch k {
	case EventCommentCreated, EventCommentUpdated, EventCommentDeleted:
		return true
	}
	return false
}
