// Command bilateral serves the dashboard of bilateral economic statistics
// and runs its maintenance tasks (validate, export).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `bilateral: a dashboard of bilateral economic statistics

Usage:
  bilateral serve [--addr :8080] [--data DIR] [--dev] [--base-url URL]
                  [--max-upload-mb 20] [--trusted-proxies CIDR,...]
                  [--keep-versions N] [--keep-age 90d]
  bilateral prune --keep-versions N | --keep-age 90d [--dry-run] [--data DIR]
  bilateral validate FILE.xlsx [--json]
  bilateral export [-o FILE.xlsx] [--data DIR]
  bilateral render CHART --format png|svg|pdf [--width W --height H --scale S] -o FILE
  bilateral user add NAME [--data DIR]        (password from standard input;
                                               an existing editor's sessions end)
  bilateral user remove NAME [--data DIR]     (ends the editor's sessions)
  bilateral user list [--data DIR]
  bilateral token create NAME [--scope read|publish] [--expires 90d|12h|2027-01-31|never]
                                              (token on the last line of output)
  bilateral token list [--json] [--data DIR]
  bilateral token revoke ID|NAME [--data DIR]

Environment variables mirror the flags: BILATERAL_ADDR, BILATERAL_DATA,
BILATERAL_DEV, BILATERAL_BASE_URL, BILATERAL_MAX_UPLOAD_MB,
BILATERAL_TRUSTED_PROXIES, BILATERAL_KEEP_VERSIONS, BILATERAL_KEEP_AGE.
Retention (--keep-versions, --keep-age) never removes the current
version, the first one or one being restored or compared; without it
every version is kept.
`

// errUsage marks a command-line mistake; main prints the usage and exits 2.
var errUsage = errors.New("usage")

// exitError carries an exit status other than 1.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		os.Exit(ee.code)
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "bilateral:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand; it is main without the process exit, so
// tests can call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stderr)
	case "validate":
		return cmdValidate(args[1:], stdout)
	case "prune":
		return cmdPrune(ctx, args[1:], stdout)
	case "export":
		return cmdExport(ctx, args[1:], stdout)
	case "render":
		return cmdRender(ctx, args[1:], stdout)
	case "user":
		return cmdUser(ctx, args[1:], stdin, stdout)
	case "token":
		return cmdToken(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
}

// envDefault returns the environment variable's value, or def when unset.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// newFlagSet makes a flag set that reports errors instead of exiting.
func newFlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("validate FILE --json" as well as "validate --json FILE").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
