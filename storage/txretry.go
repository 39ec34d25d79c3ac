package storage

import (
	"context"

	"github.com/gqlbase/gqlbase"
)

const (
	// txAttempts is how many times a data change is tried when Postgres aborts it to break a
	// deadlock with concurrent changes.
	txAttempts = 3
)

// inTxRetry is InTx for the changes of user tables and their metadata: when Postgres aborts
// the transaction to break a deadlock (or a serialization failure), fn runs again in a new
// transaction, up to txAttempts times; after that the caller gets CONFLICT rather than an
// internal error. fn must therefore start from scratch each time it runs (assign its results,
// never append to state kept from an earlier run).
func (s *Store) inTxRetry(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for range txAttempts {
		err = s.InTx(ctx, fn)
		if code := pgCode(err); code != sqlstateDeadlockDetected && code != sqlstateSerializationFailure {
			return err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return &gqlbase.Error{Code: gqlbase.CodeConflict, Message: "the change collided with concurrent changes of the same rows or table; try again", Err: err}
}
