package pgcluster

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// account is the unprivileged user the server runs as when gqlbase runs as root (PostgreSQL
// refuses to run as root).
type account struct {
	name     string
	uid, gid int
}

// serverAccount returns nil when gqlbase is not root: the server then runs as gqlbase's user.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &account{name: name, uid: uid, gid: gid}, nil
	}
	return nil, fmt.Errorf("gqlbase runs as root, and PostgreSQL must not: create a 'postgres' user " +
		"(useradd --system postgres) or run gqlbase as an ordinary user")
}

func (a *account) apply(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(a.uid), Gid: uint32(a.gid)}
}

// checkReachable makes sure the server account can walk down into dir (the data dir itself
// included, since the cluster and its socket live inside it): a data dir under a private home
// folder would otherwise fail deep inside initdb with a cryptic message.
func (a *account) checkReachable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("data dir %s: %w", d, err)
		}
		sys, ok := st.Sys().(*syscall.Stat_t)
		if ok {
			mode := st.Mode().Perm()
			canEnter := mode&0o001 != 0 ||
				(int(sys.Uid) == a.uid && mode&0o100 != 0) ||
				(int(sys.Gid) == a.gid && mode&0o010 != 0)
			if !canEnter && d == dir {
				return fmt.Errorf("gqlbase runs as root and starts PostgreSQL as user %q, which cannot enter the data dir %s "+
					"(mode %v): make it enterable (chmod 755 %s), choose another --data-dir, or run gqlbase as an ordinary user",
					a.name, d, mode, d)
			}
			if !canEnter {
				return &parentBlockedError{msg: fmt.Sprintf("gqlbase runs as root and starts PostgreSQL as user %q, which cannot enter %s "+
					"(mode %v): choose a --data-dir outside it (for example /var/lib/gqlbase) or run gqlbase as an ordinary user",
					a.name, d, mode)}
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// parentBlockedError says the server account cannot reach the data dir because of a folder
// above it (a home folder, typically), which the launcher can work around.
type parentBlockedError struct{ msg string }

func (e *parentBlockedError) Error() string { return e.msg }
