package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The server is started by pg_ctl and is not gqlbase's child, so its death cannot be waited
// for: the supervisor looks at its pid once a second, which costs a file read and a signal 0.
const (
	checkInterval = time.Second
	// Restart attempts back off exponentially so a server that cannot start (old backends
	// still holding the shared memory, a full disk) is not hammered; a server that has run
	// for healthyAfter starts the next outage at minBackoff again.
	minBackoff   = 100 * time.Millisecond
	maxBackoff   = 10 * time.Second
	healthyAfter = time.Minute
)

// supervise runs until stopSupervisor: it notices when the postmaster is gone (killed,
// crashed, stopped by hand) and starts it again, logging every attempt. Each attempt doubles
// the pause before the next one may begin, so a server that cannot start, or dies again
// right after starting, is retried less and less often.
func (c *Cluster) supervise() {
	defer close(c.supervisorDone)
	backoff := minBackoff
	var lastAttempt, notBefore time.Time
	failures := 0
	wait := checkInterval
	for {
		select {
		case <-c.supervisorStop:
			return
		case <-time.After(wait):
		}
		wait = checkInterval
		c.mu.Lock()
		pid, running := c.postmasterRunning()
		if running {
			c.mu.Unlock()
			failures = 0
			if !lastAttempt.IsZero() && time.Since(lastAttempt) >= healthyAfter {
				backoff = minBackoff
			}
			continue
		}
		if early := time.Until(notBefore); early > 0 {
			c.mu.Unlock()
			wait = early
			continue
		}
		c.logger.Warn("PostgreSQL server is not running; restarting it", "dir", c.dir, "old_pid", pid, "failures", failures)
		err := c.restartDead(pid)
		c.mu.Unlock()
		lastAttempt = time.Now()
		notBefore = lastAttempt.Add(backoff)
		if err != nil {
			failures++
			c.logger.Error("PostgreSQL restart failed", "dir", c.dir, "failures", failures, "retry_in", backoff.String(), "err", err)
			wait = backoff
		} else {
			c.logger.Warn("PostgreSQL restarted", "dir", c.dir, "after_failures", failures)
			failures = 0
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// startSupervisor starts watching the server; Stop ends it.
func (c *Cluster) startSupervisor() {
	c.supervisorStop = make(chan struct{})
	c.supervisorDone = make(chan struct{})
	go c.supervise()
}

// Supervise runs the supervisor until ctx ends, for a cluster started with
// Options.CallerSupervises; it returns once a restart in progress is finished. Call Stop only
// after it returned.
func (c *Cluster) Supervise(ctx context.Context) error {
	c.startSupervisor()
	<-ctx.Done()
	c.stopSupervisor()
	return nil
}

// stopSupervisor ends the supervision and waits for it, so a restart in progress is finished
// before the server is stopped. It is safe to call more than once.
func (c *Cluster) stopSupervisor() {
	if c.supervisorStop == nil {
		return
	}
	c.stopOnce.Do(func() { close(c.supervisorStop) })
	<-c.supervisorDone
}

// restartDead starts the server again after its postmaster (pid, 0 when unknown) died.
// Lock files that still name the dead postmaster are removed first: when nobody reaps the
// dead process (a container's init that does not), it stays a zombie, which signal 0 still
// finds, and pg_ctl and the server would take its lock files for a live server's forever.
// This is safe because the server's own interlock remains: it refuses to start while any
// process (an old backend) is still attached to the old shared memory segment.
func (c *Cluster) restartDead(pid int) error {
	if pid > 0 {
		for _, lock := range []string{filepath.Join(c.dir, "postmaster.pid"), filepath.Join(c.socketDir, ".s.PGSQL.5432.lock")} {
			if err := removeLockOf(lock, pid); err != nil {
				return err
			}
		}
	}
	return c.launch(context.Background())
}

// postmasterRunning reports whether the postmaster named by postmaster.pid still runs, and
// its pid (0 when there is no readable pid). When the file cannot be judged (unreadable, or
// half written by a server starting), the server is taken for running: the next check tells.
func (c *Cluster) postmasterRunning() (int, bool) {
	raw, err := os.ReadFile(filepath.Join(c.dir, "postmaster.pid"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, false
	}
	if err != nil {
		return 0, true
	}
	pid, ok := firstLinePID(raw)
	if !ok {
		return 0, true
	}
	return pid, processAlive(pid)
}

// processAlive says whether pid is a process that has not ended: signal 0 finds it (EPERM
// means it exists under another user) and, where /proc tells, it is not a zombie.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc (macOS), or it ended just now: the next check tells
	}
	// The state follows the command name in parentheses, which may itself hold ") ".
	i := strings.LastIndex(string(stat), ") ")
	return i < 0 || !strings.HasPrefix(string(stat[i+2:]), "Z")
}

// removeLockOf removes a PostgreSQL lock file whose first line is pid, and leaves any other.
func removeLockOf(path string, pid int) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read lock file: %w", err)
	}
	if owner, ok := firstLinePID(raw); !ok || owner != pid {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale lock file: %w", err)
	}
	return nil
}

func firstLinePID(raw []byte) (int, bool) {
	line, _, _ := strings.Cut(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	return pid, err == nil && pid > 0
}
