package pgcluster

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// BinDirEnv names the environment variable that tells gqlbase where PostgreSQL's server
// binaries are, instead of searching PATH and the usual install folders.
const BinDirEnv = "GQLBASE_PG_BIN"

// ErrNoPostgres is returned (wrapped, with where gqlbase looked and how to install PostgreSQL)
// when no PostgreSQL server binaries can be found. Test for it with errors.Is.
var ErrNoPostgres = errors.New("PostgreSQL server binaries not found")

// notFoundError explains where the binaries were looked for and how to get them.
type notFoundError struct{ where string }

func (e *notFoundError) Error() string {
	return "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found " + e.where +
		": install PostgreSQL (Debian/Ubuntu: apt-get install -y postgresql; Fedora: dnf install postgresql-server; " +
		"macOS: brew install postgresql), or set " + BinDirEnv + " to the folder that holds them, " +
		"or point gqlbase at a running server with --database-url / DATABASE_URL"
}

func (e *notFoundError) Is(target error) bool { return target == ErrNoPostgres }

var requiredBinaries = []string{"initdb", "pg_ctl", "postgres"}

// FindBinaries returns the directory holding initdb, pg_ctl and postgres: the one named by
// GQLBASE_PG_BIN when it is set (and nothing else then), else the one on PATH if all three are
// there, else the newest of the usual install folders.
func FindBinaries() (string, error) {
	return findBinaries(os.Getenv(BinDirEnv))
}

// findBinaries is FindBinaries with an explicit folder (from Options.BinDir or the
// environment); an empty one means search.
func findBinaries(explicit string) (string, error) {
	if explicit != "" {
		dir, err := filepath.Abs(explicit)
		if err != nil {
			return "", &notFoundError{where: "in " + explicit}
		}
		if hasAll(dir) {
			return dir, nil
		}
		return "", &notFoundError{where: "in " + dir + " (set by " + BinDirEnv + ")"}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dir := filepath.Dir(resolve(p))
		if hasAll(dir) {
			return dir, nil
		}
		// pg_ctl on PATH may be a symlink into the real bin directory.
		if dir2 := filepath.Dir(p); hasAll(dir2) {
			return dir2, nil
		}
	}
	for _, pattern := range searchPatterns {
		matches, _ := filepath.Glob(pattern)
		sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
		for _, dir := range matches {
			if hasAll(dir) {
				return dir, nil
			}
		}
	}
	return "", &notFoundError{where: "on PATH or in /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin " +
		"or Homebrew's folders"}
}

var searchPatterns = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/pgsql-*/bin",
	"/usr/local/pgsql/bin",
	"/opt/homebrew/opt/postgresql*/bin",
	"/usr/local/opt/postgresql*/bin",
}

func resolve(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func hasAll(dir string) bool {
	for _, b := range requiredBinaries {
		st, err := os.Stat(filepath.Join(dir, b))
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// versionOf pulls the major version out of paths like /usr/lib/postgresql/15/bin or
// /opt/homebrew/opt/postgresql@16/bin.
func versionOf(dir string) int {
	if m := versionPattern.FindStringSubmatch(dir); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var versionPattern = regexp.MustCompile(`(?:postgresql[/@-]?|pgsql-)(\d+)`)
