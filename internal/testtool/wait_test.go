package testtool

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitFor(t *testing.T) {
	var n atomic.Int64
	go func() {
		for range 5 {
			n.Add(1)
		}
	}()
	WaitFor(t, time.Minute, func() bool { return n.Load() == 5 }, "five increments")
}

// fatalTB records Fatalf instead of ending the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper()                        {}
func (f *fatalTB) Fatalf(format string, a ...any) { f.msg = fmt.Sprintf(format, a...) }

func TestWaitForFailsAtTheDeadline(t *testing.T) {
	t.Setenv(ScaleEnv, "")
	f := &fatalTB{TB: t}
	start := time.Now()
	WaitFor(f, 50*time.Millisecond, func() bool { return false }, "nothing")
	if !strings.Contains(f.msg, "waited 50ms for nothing") {
		t.Errorf("WaitFor at the deadline: %q, want it to name the wait", f.msg)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("WaitFor gave up after %v, before its deadline", d)
	}
}

func TestTimeoutScale(t *testing.T) {
	for _, c := range []struct {
		env  string
		want time.Duration
	}{{"", time.Second}, {"3", 3 * time.Second}, {"0.5", 500 * time.Millisecond}, {"-1", time.Second}, {"x", time.Second}, {"NaN", time.Second}} {
		t.Setenv(ScaleEnv, c.env)
		if got := Timeout(time.Second); got != c.want {
			t.Errorf("%s=%q: Timeout(1s) = %v, want %v", ScaleEnv, c.env, got, c.want)
		}
	}
}
