// Package testtool holds the one policy for tests that need a program
// from outside Go (Chromium, LibreOffice, openpyxl, pdftotext) or the
// built front-end: skip with a message naming what to install, or fail
// when BILATERAL_REQUIRE_TOOLS=1, as in CI, where a skip would hide a
// missing install step.
package testtool

import (
	"fmt"
	"os"
	"testing"
)

// RequireEnv is the environment variable that turns a missing tool from a
// skip into a failure.
const RequireEnv = "BILATERAL_REQUIRE_TOOLS"

// Missing skips the test with msg, or fails it when RequireEnv is "1".
func Missing(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("%s (%s=1 requires it)", msg, RequireEnv)
	}
	tb.Skip(msg)
}

// MissingPackage reports a tool that is not installed, naming the Debian
// package that provides it.
func MissingPackage(tb testing.TB, tool, debianPackage string) {
	tb.Helper()
	Missing(tb, fmt.Sprintf("%s not found: install it with `apt-get install %s`", tool, debianPackage))
}
