package web

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/stats"
)

// DefaultMaxConnsPerClient is the open connections one client address may
// hold. A browser opens at most six per host over HTTP/1.1 and one over
// HTTP/2; the rest of the allowance is for offices behind one address.
const DefaultMaxConnsPerClient = 128

// connLimiter caps the open connections of each client address (finding
// 5): 20,000 sockets trickling bodies from one address used up the
// process's file handles, and /healthz and / stopped answering. A
// connection over the cap is closed as soon as it is accepted, before it
// costs a goroutine or a buffer. Trusted proxies are exempt: every
// visitor arrives through them.
type connLimiter struct {
	max int
	// maxTotal caps the connections of all clients together below the
	// process's open-file limit, keeping files for the store and for the
	// metrics address's health checks (0: no cap).
	maxTotal int
	exempt   func(net.IP) bool
	mu       sync.Mutex
	open     map[string]int
	refused  atomic.Int64
	total    atomic.Int64
}

func newConnLimiter(perClient int, exempt func(net.IP) bool) *connLimiter {
	l := &connLimiter{max: perClient, exempt: exempt, open: map[string]int{}}
	if n := openFileLimit(); n > 0 {
		l.maxTotal = max(n-256, n*3/4)
	}
	return l
}

// openBy returns the open connections of an address.
func (l *connLimiter) openBy(addr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[addr]
}

// clientKey is what limits count a client address under: the address
// itself for IPv4, its /64 network for IPv6, since one subscriber is
// given a whole /64 and could otherwise take a fresh address per request.
func clientKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// listener wraps ln so that it enforces the cap.
func (l *connLimiter) listener(ln net.Listener) net.Listener {
	return &limitedListener{Listener: ln, l: l}
}

type limitedListener struct {
	net.Listener
	l *connLimiter
}

func (ll *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr, _, err := net.SplitHostPort(c.RemoteAddr().String())
		if err != nil {
			return &countedConn{Conn: c}, nil
		}
		l := ll.l
		if ip := net.ParseIP(addr); ip != nil && l.exempt != nil && l.exempt(ip) {
			return &countedConn{Conn: c}, nil
		}
		host := clientKey(addr)
		l.mu.Lock()
		if l.open[host] >= l.max || (l.maxTotal > 0 && int(l.total.Load()) >= l.maxTotal) {
			l.mu.Unlock()
			l.refused.Add(1)
			c.Close()
			continue
		}
		l.open[host]++
		l.total.Add(1)
		l.mu.Unlock()
		return &countedConn{Conn: c, l: l, host: host}, nil
	}
}

// countedConn gives its place back when closed.
type countedConn struct {
	net.Conn
	l    *connLimiter
	host string
	once sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.l == nil {
			return
		}
		c.l.mu.Lock()
		if c.l.open[c.host]--; c.l.open[c.host] <= 0 {
			delete(c.l.open, c.host)
		}
		c.l.mu.Unlock()
		c.l.total.Add(-1)
	})
	return err
}

// bodyLimits bound how long a request body may take to arrive (finding
// 5). A body must keep coming: at least minBytes in every window, and all
// of it within total. A 20 MiB upload over a 1 Mbit/s link (measured in
// BENCHMARKS.md) sends 128 KiB a second, a hundred times the floor; a
// client that trickles a byte a second is cut off after one window.
type bodyLimits struct {
	window   time.Duration
	minBytes int64
	total    time.Duration
	// write bounds the time to send a response, counted from when the
	// request has fully arrived. (http.Server's WriteTimeout counts from
	// the request's headers, so an upload that took longer than it to
	// arrive was never answered.)
	write time.Duration
}

var defaultBodyLimits = bodyLimits{window: 20 * time.Second, minBytes: 16 << 10, total: 10 * time.Minute, write: 2 * time.Minute}

// slowBodies puts the body limits on every request that has a body, and
// the write deadline on every response.
func (s *Server) slowBodies(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		rc := http.NewResponseController(c.Response())
		now := time.Now()
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			rc.SetWriteDeadline(now.Add(s.bodyTimes.write)) // unsupported by tests' recorders: no deadline
			return next(c)
		}
		lim := s.bodyTimes
		p := &pacedBody{ReadCloser: r.Body, rc: rc, lim: lim, end: now.Add(lim.total)}
		if err := p.extend(now); err != nil {
			return next(c) // a connection without deadlines (tests' recorders)
		}
		rc.SetWriteDeadline(p.end.Add(lim.write))
		r.Body = p
		return next(c)
	}
}

// pacedBody extends the connection's read deadline by a window each time
// another minBytes have arrived, up to the total.
type pacedBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	lim  bodyLimits
	end  time.Time
	got  int64 // bytes since the deadline was last extended
	done bool
}

func (p *pacedBody) extend(now time.Time) error {
	d := now.Add(p.lim.window)
	if d.After(p.end) {
		d = p.end
	}
	return p.rc.SetReadDeadline(d)
}

func (p *pacedBody) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	p.got += int64(n)
	if p.got >= p.lim.minBytes && !p.done {
		p.got = 0
		p.extend(time.Now())
	}
	if err == io.EOF && !p.done {
		// The whole body is here: no deadline while the response is
		// made, however long that takes.
		p.done = true
		p.rc.SetReadDeadline(time.Time{})
		p.rc.SetWriteDeadline(time.Now().Add(p.lim.write))
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = stats.Wrap(stats.BadRequest, "The request body arrived too slowly and was cut off. Try again on a faster connection.", err)
	}
	return n, err
}
