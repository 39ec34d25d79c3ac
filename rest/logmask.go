package rest

import "strings"

// maskPath returns path with the segment after every "readonly" segment replaced by ***: in
// /readonly/{id}/... that segment is a database's read-only id, a credential on its own, and
// log files are read by more people, and kept longer, than the credentials they would leak.
// Any "readonly" segment counts, not only a leading one, because the line is written before
// routing: an unclean path (//readonly/{id}/graphql, /readonly//{id}/graphql) carries the id
// as well.
func maskPath(path string) string {
	if !strings.Contains(strings.ToLower(path), "readonly") {
		return path
	}
	segments := strings.Split(path, "/")
	for i := 0; i < len(segments); i++ {
		if !strings.EqualFold(segments[i], "readonly") {
			continue
		}
		// The next non-empty segment: routing cleans /readonly//{id} to /readonly/{id}.
		for j := i + 1; j < len(segments); j++ {
			if segments[j] != "" {
				segments[j], i = "***", j
				break
			}
		}
	}
	return strings.Join(segments, "/")
}
