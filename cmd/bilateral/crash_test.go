package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/internal/testtool"
)

// TestServeChild runs `bilateral serve` inside the test binary, as the
// child process that TestKillDuringPublish kills.
func TestServeChild(t *testing.T) {
	dir := os.Getenv("BILATERAL_SERVE_CHILD")
	if dir == "" {
		t.Skip("only runs as the child of TestKillDuringPublish")
	}
	if err := run(context.Background(), []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, nil, io.Discard, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

// reServing finds the address in the server's "serving" log line.
var reServing = regexp.MustCompile(`msg=serving addr=(\S+)`)

// child is a `bilateral serve` process started by a test.
type child struct {
	cmd    *exec.Cmd
	addr   string        // where it listens
	exited chan struct{} // closed when the process has exited
}

// kill stops the process with SIGKILL and waits until it has exited.
func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

// startChild starts `bilateral serve` on a port the child chooses, reads
// the address from its log, and waits until it is ready. The child is
// killed when the test ends, if the test has not killed it already.
func startChild(t *testing.T, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$")
	cmd.Env = append(os.Environ(), "BILATERAL_SERVE_CHILD="+dir)
	logs := &testtool.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{})}
	exited := c.exited
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	isDone := func() bool {
		select {
		case <-exited:
			return true
		default:
			return false
		}
	}
	addr := ""
	testtool.WaitFor(t, 2*time.Minute, func() bool {
		if m := reServing.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
		}
		return addr != "" || isDone()
	}, "the server to log its address")
	client := &http.Client{Timeout: 10 * time.Second}
	ready := func() bool {
		if isDone() {
			return true
		}
		resp, err := client.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	if addr != "" {
		testtool.WaitFor(t, 2*time.Minute, ready, "the server at "+addr+" to be ready")
	}
	if isDone() {
		t.Fatalf("the server exited before it was ready: %v", cmd.ProcessState)
	}
	c.addr = addr
	return c
}

// TestKillDuringPublish publishes through the API of a child server in a
// loop, kills the process with SIGKILL while a publish is in flight, and
// checks that the store is whole and that a restarted server serves its
// current version.
func TestKillDuringPublish(t *testing.T) {
	if os.Getenv("BILATERAL_SERVE_CHILD") != "" {
		t.Skip("running as the child")
	}
	dir := t.TempDir()
	store, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := accounts.NewAPIToken(context.Background(), store, "crash")
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	server := startChild(t, dir)
	addr := server.addr
	var sent, published atomic.Int64
	var failure atomic.Value // string: a publish the server refused
	done := make(chan struct{})
	go func() {
		defer close(done)
		d := datasets.MustDefault()
		for i := 0; ; i++ {
			d.Facts[0].Value = float64(1000 + i)
			var wb, body bytes.Buffer
			xlsx.Encode(&wb, d)
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "x.xlsx")
			fw.Write(wb.Bytes())
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/datasets", &body)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			sent.Add(1)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // the server is gone
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				failure.Store(fmt.Sprintf("publish %d = %d %s", i+1, resp.StatusCode, msg))
				return
			}
			published.Add(1)
		}
	}()
	// Kill once five publishes are acknowledged and the sixth is on its way.
	testtool.WaitFor(t, 5*time.Minute, func() bool {
		select {
		case <-done:
			return true
		default:
		}
		return published.Load() >= 5 && sent.Load() > published.Load()
	}, "five publishes and a sixth in flight")
	server.kill()
	<-done
	if f, ok := failure.Load().(string); ok {
		t.Fatalf("before the kill: %s", f)
	}

	store, err = sqlite.Open(dir)
	if err != nil {
		t.Fatalf("the store does not open after kill -9: %v", err)
	}
	ctx := context.Background()
	info, _, err := store.Current(ctx)
	if err != nil {
		t.Fatalf("no current version after kill -9: %v", err)
	}
	vs, _ := store.Versions(ctx)
	for _, v := range vs {
		wb, err := store.Workbook(ctx, v.Number)
		h := sha256.Sum256(wb)
		if err != nil || hex.EncodeToString(h[:]) != v.SHA256 {
			t.Errorf("version %d is damaged", v.Number)
		}
		if _, err := xlsx.Decode(wb, xlsx.DefaultLimits()); err != nil {
			t.Errorf("version %d workbook does not decode: %v", v.Number, err)
		}
	}
	store.Close()
	t.Logf("%d publishes acknowledged before the kill; the store holds %d versions, current %d", published.Load(), len(vs), info.Number)
	if int64(len(vs)) < published.Load()+1 {
		t.Errorf("acknowledged publishes were lost: %d acknowledged, %d versions besides the default", published.Load(), len(vs)-1)
	}

	resp, err := http.Get("http://" + startChild(t, dir).addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Dataset-Version"); got != strconv.Itoa(info.Number) {
		t.Errorf("after restart the server serves version %s, the store's current is %d", got, info.Number)
	}
}
