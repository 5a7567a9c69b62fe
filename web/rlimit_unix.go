//go:build unix

package web

import "syscall"

// openFileLimit is the process's limit on open files (the soft limit,
// which Go raises to the hard one at start-up), or 0 when unknown.
func openFileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<30 {
		return 0
	}
	return int(rl.Cur)
}
