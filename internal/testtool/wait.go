package testtool

import (
	"bytes"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// ScaleEnv is the environment variable that multiplies every test deadline
// taken through Timeout, for machines slower or busier than usual.
const ScaleEnv = "TEST_TIMEOUT_SCALE"

// Timeout returns d multiplied by $TEST_TIMEOUT_SCALE (a positive number;
// unset or unusable: 1). Tests take their deadlines through it, so that a
// slow machine can be given more time without editing code.
func Timeout(d time.Duration) time.Duration {
	f, err := strconv.ParseFloat(os.Getenv(ScaleEnv), 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return d
	}
	return time.Duration(float64(d) * f)
}

// WaitFor polls cond, backing off from 1 ms to 100 ms between calls, until
// it returns true, and fails the test, naming what it waited for, when it
// is still false after timeout (scaled by Timeout). It is how tests wait:
// on a condition, with a deadline, never for a fixed time.
func WaitFor(tb testing.TB, timeout time.Duration, cond func() bool, what string) {
	tb.Helper()
	timeout = Timeout(timeout)
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s", timeout, what)
			return
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// Buffer collects a child process's output; unlike bytes.Buffer it may be
// read while the process writes to it, as a test waiting on that output does.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
