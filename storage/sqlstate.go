package storage

// The SQLSTATEs gqlbase tells apart, named once (Postgres's errcodes appendix). Every branch
// on a Postgres error code in storage uses these names.
const (
	sqlstateFeatureNotSupported   = "0A000" // also "cached plan must not change result type"
	sqlstateNumericOutOfRange     = "22003"
	sqlstateInvalidDatetime       = "22007"
	sqlstateDatetimeOverflow      = "22008"
	sqlstateInvalidParameter      = "22023"
	sqlstateInvalidTextRepr       = "22P02"
	sqlstateIntegrityViolation    = "23000" // a row's id was to change (writerules.go)
	sqlstateNotNullViolation      = "23502"
	sqlstateForeignKeyViolation   = "23503"
	sqlstateUniqueViolation       = "23505"
	sqlstateCheckViolation        = "23514"
	sqlstateSerializationFailure  = "40001"
	sqlstateDeadlockDetected      = "40P01"
	sqlstateInsufficientPrivilege = "42501"
	sqlstateDuplicateColumn       = "42701"
	sqlstateDatatypeMismatch      = "42804"
	sqlstateCannotCoerce          = "42846"
	sqlstateUndefinedTable        = "42P01"
	sqlstateDuplicateTable        = "42P07"
	sqlstateLockNotAvailable      = "55P03"
	sqlstateQueryCanceled         = "57014"

	// sqlstateCachedPlanChanged: "cached plan must not change result type", after DDL
	// changed a prepared statement's result.
	sqlstateCachedPlanChanged = sqlstateFeatureNotSupported
)
