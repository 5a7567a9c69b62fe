package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// memFigures are the memory figures (KiB) gathered by the sections.
type memFigures struct {
	idleStart, idleWarm   dist // fresh server; after the first requests
	serveOurs, serveNginx dist // peak VmRSS per wrk run of section 1
	serveHWM, nginxHWM    float64
	nginxIdle             dist
	loadOurs              dist // peak VmRSS per wrk run of section 4
	loadHWM               float64
}

// measureIdle starts fresh servers and reads their memory once started and
// again after the first requests (which build the compressed bodies).
func (b *bench) measureIdle(ctx context.Context) error {
	for run := 0; run < b.runs; run++ {
		b.progress("memory: idle server %d/%d", run+1, b.runs)
		srv, err := b.startServer(ctx, fmt.Sprintf("idle-server-%d", run+1))
		if err != nil {
			return err
		}
		time.Sleep(2 * time.Second)
		m, err := readMem(srv.pid())
		if err != nil {
			srv.stop()
			return err
		}
		b.mem.idleStart = append(b.mem.idleStart, float64(m.RSS))
		id, err := srv.firstChartID()
		if err != nil {
			srv.stop()
			return err
		}
		for _, p := range []string{"/", "/charts/" + id + ".json"} {
			for _, enc := range []string{"identity", "gzip", "br"} {
				resp, _, err := get(srv.base+p, enc)
				if err != nil || resp.StatusCode != http.StatusOK {
					srv.stop()
					return fmt.Errorf("GET %s: %v %v", p, err, resp)
				}
			}
		}
		time.Sleep(time.Second)
		m, err = readMem(srv.pid())
		srv.stop()
		if err != nil {
			return err
		}
		b.mem.idleWarm = append(b.mem.idleWarm, float64(m.RSS))
	}
	return nil
}

// writeMemory writes section 6 from what the other sections sampled.
func (b *bench) writeMemory() {
	w := b.rep.sec("memory")
	m := b.mem
	fmt.Fprintf(w, "VmRSS and VmHWM from `/proc/PID/status`. Idle: %d fresh servers (a new data directory each), read 2 s after `/readyz` "+
		"answered, then again 1 s after one `GET /` and one chart JSON in each encoding (the first request of an encoding compresses the body once). "+
		"Under load: the peak of VmRSS sampled every 100 ms during each wrk run. nginx figures add up the master and its workers.\n\n", len(m.idleStart))
	hwm := func(v float64) string {
		if v == 0 {
			return "–"
		}
		return fMiB(v)
	}
	rows := [][]string{
		{"idle, just started (default dataset)", m.idleStart.mmm(fMiB), "", nginxOr(m.nginxIdle)},
		{"idle, after the first requests", m.idleWarm.mmm(fMiB), "", ""},
		{"under section 1's load (64 and 256 connections, every run)", m.serveOurs.mmm(fMiB), hwm(m.serveHWM), m.serveNginx.mmm(fMiB) + "; VmHWM " + hwm(m.nginxHWM)},
		{"under section 4's load (256 connections, publishing every second)", m.loadOurs.mmm(fMiB), hwm(m.loadHWM), ""},
	}
	table(w, []string{"server state", "ours: VmRSS (min / median / max)", "ours: VmHWM at the end", "nginx (same bytes)"}, rows)
	fence(w, "sh", strings.Join([]string{
		"grep -E 'VmRSS|VmHWM' /proc/PID/status   # PID of bin/bilateral serve",
		"# idle figures alone: go run ./bench -only memory -o /tmp/memory.md",
	}, "\n"))
}

func nginxOr(d dist) string {
	if len(d) == 0 {
		return ""
	}
	return d.mmm(fMiB) + " (idle)"
}
