package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
)

// TestServeChild runs `bilateral serve` inside the test binary, as the
// child process that TestKillDuringPublish kills.
func TestServeChild(t *testing.T) {
	args := os.Getenv("BILATERAL_SERVE_CHILD")
	if args == "" {
		t.Skip("only runs as the child of TestKillDuringPublish")
	}
	var dir, addr string
	fmt.Sscan(args, &dir, &addr)
	if err := run(context.Background(), []string{"serve", "--data", dir, "--addr", addr}, nil, io.Discard, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startChild(t *testing.T, dir, addr string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$")
	cmd.Env = append(os.Environ(), "BILATERAL_SERVE_CHILD="+dir+" "+addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatalf("the server did not become ready at %s", addr)
	return nil
}

// TestKillDuringPublish publishes through the API of a child server in a
// loop, kills the process with SIGKILL while publishes are in flight, and
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

	addr := freeAddr(t)
	child := startChild(t, dir, addr)
	var published atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		d := datasets.MustDefault()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
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
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // the server is gone
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				published.Add(1)
			}
		}
	}()
	for published.Load() < 5 {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(137 * time.Millisecond) // land somewhere inside a publish
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	close(stop)
	<-done

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

	child = startChild(t, dir, addr)
	defer func() { child.Process.Kill(); child.Wait() }()
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Dataset-Version"); got != strconv.Itoa(info.Number) {
		t.Errorf("after restart the server serves version %s, the store's current is %d", got, info.Number)
	}
}
