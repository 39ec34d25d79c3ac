package resolvers

// invitationPrefix makes invitation secrets recognisable in mail, logs and secret scanners,
// like the prefixes of token and session secrets.
const invitationPrefix = "gqi_"
