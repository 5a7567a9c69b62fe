// Package web is the HTTP side of bilateral: the Echo server, its routes,
// handlers and middleware. It is the only package that imports Echo.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/bootstrap"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/templates"
	"github.com/bilateral/bilateral/web/static"
)

// Config configures a Server.
type Config struct {
	// Addr is the listen address, e.g. ":8080".
	Addr string
	// Store holds the dataset versions, accounts and audit log.
	Store datasets.Store
	// Dev re-reads templates and front-end files from disk on every
	// request (run from the repository root).
	Dev bool
	// BaseURL is the public address of the dashboard (absolute, http or
	// https), printed in image captions and in the canonical link of every
	// public page; empty means none.
	BaseURL string
	// MaxUpload caps the size of an uploaded workbook; 0 means 20 MiB.
	MaxUpload int64
	// TrustedProxies lists the networks (CIDR) of reverse proxies whose
	// X-Forwarded-For header is believed. Without it the client address is
	// the connection's, so a forged header cannot dodge the login limiter.
	TrustedProxies []string
	// MetricsAddr, when set, is the separate listen address of /metrics
	// (with /healthz and /readyz beside it); the main address then has no
	// /metrics. Keep it on a private interface, e.g. 127.0.0.1:9090.
	MetricsAddr string
	// MaxConnsPerClient caps the open connections of one client address
	// (0 means DefaultMaxConnsPerClient); addresses of TrustedProxies are
	// exempt, since every visitor arrives through them.
	MaxConnsPerClient int
	// ImageBudget is the pixels of chart images that may be drawn at once
	// (0 means DefaultImageBudget).
	ImageBudget int64
	// Decodes is how many uploaded workbooks may be decoded at once (0
	// means DefaultDecodes).
	Decodes int
	// PollInterval is how often the server checks whether another replica
	// published a new version; 0 means 2 seconds.
	PollInterval time.Duration
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Retention says which old versions to remove; the zero value keeps
	// every version.
	Retention datasets.Retention
}

// DefaultMaxUpload is the upload size limit when none is configured.
const DefaultMaxUpload = 20 << 20

// Server serves the dashboard. Its current snapshot (one dataset version,
// fully rendered) sits behind an atomic pointer.
type Server struct {
	cfg    Config
	log    *slog.Logger
	echo   *echo.Echo
	store  datasets.Store
	assets *Assets
	pages  map[string]*template.Template
	cur    atomic.Pointer[snapshot]
	// charts are the ids of every chart this server has served or that
	// the built-in definitions have, so a removed chart's address can
	// answer 410 Gone rather than 404.
	chartsMu sync.Mutex
	charts   map[string]bool
	metrics  *metrics
	started  time.Time
	logins   *loginLimiter
	images   images
	// trusted are the networks of TrustedProxies.
	trusted []*net.IPNet
	// decodes bounds the workbooks decoded at once (finding 10).
	decodes *budget
	// zips bounds the chart archives built at once.
	zips *budget
	// bodyTimes bounds how long a request body may take (see slowBodies).
	bodyTimes bodyLimits
	// conns counts open connections by client address.
	conns *connLimiter
	// dryRunChanges is how many changes a dry run lists (0: the default).
	dryRunChanges int
	// metricsEcho serves /metrics (and health) on MetricsAddr, if set.
	metricsEcho *echo.Echo

	// publishMu serialises publishing in this process; the store's
	// transaction serialises it across replicas.
	publishMu sync.Mutex

	// pinned are the versions restores and comparisons are running on,
	// which retention keeps; pruneNow wakes retention after a publish.
	pinned   pins
	pruneNow chan struct{}
}

// NewServer opens the current dataset version from the store (importing
// the embedded default into an empty store), creates the first editor
// account when there is none, and renders everything served.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: a store is required")
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("web: the base URL %q is not an absolute http(s) address such as https://example.org", cfg.BaseURL)
		}
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	s := &Server{cfg: cfg, log: cfg.Logger, store: cfg.Store, metrics: newMetrics(), started: time.Now(), logins: newLoginLimiter(), pruneNow: make(chan struct{}, 1)}
	s.images.cache = newLRU(imageCacheBytes)
	if cfg.ImageBudget <= 0 {
		cfg.ImageBudget = DefaultImageBudget
		s.cfg.ImageBudget = cfg.ImageBudget
	}
	s.images.budget = newBudget("image", cfg.ImageBudget, imageQueue, imageWait, imageRetryAfter)
	s.images.budget.onIdle = memoryReleaser(5 * time.Second)
	if cfg.Decodes <= 0 {
		cfg.Decodes = DefaultDecodes
		s.cfg.Decodes = cfg.Decodes
	}
	s.decodes = newBudget("upload", int64(cfg.Decodes), decodeQueue, decodeWait, decodeRetryAfter)
	s.decodes.onIdle = memoryReleaser(5 * time.Second)
	s.zips = newBudget("archive", 2, 4, 10*time.Second, 10*time.Second)
	s.bodyTimes = defaultBodyLimits
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.assets, err = LoadAssets(s.staticFS()); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(s.templateFS()); err != nil {
		return nil, err
	}
	if n := xlsx.SweepTemp(time.Hour); n > 0 {
		s.log.Info("removed temporary directories left by interrupted imports", "count", n)
	}
	ctx := context.Background()
	v, d, err := bootstrap.Current(ctx, s.store)
	if err != nil {
		return nil, fmt.Errorf("web: loading the current dataset: %w", err)
	}
	if err := s.ensureEditor(ctx); err != nil {
		return nil, err
	}
	snap, err := s.build(d, v)
	if err != nil {
		return nil, err
	}
	s.swap(snap)
	s.echo = echo.New()
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	if s.trusted, err = parseCIDRs(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	s.echo.IPExtractor = ipExtractor(s.trusted)
	// c.Scheme() believes forwarded headers only from the trusted proxies
	// too (Echo's default believes any private or loopback address).
	s.echo.SchemeExtractor = func(r *http.Request) string {
		if s.isTLSRequest(r) {
			return "https"
		}
		return "http"
	}
	if cfg.MaxConnsPerClient <= 0 {
		cfg.MaxConnsPerClient = DefaultMaxConnsPerClient
		s.cfg.MaxConnsPerClient = cfg.MaxConnsPerClient
	}
	s.conns = newConnLimiter(cfg.MaxConnsPerClient, s.trustedIP)
	s.routes()
	return s, nil
}

// parseCIDRs reads the trusted proxies' networks.
func parseCIDRs(cidrs []string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, c := range cidrs {
		if strings.TrimSpace(c) == "" {
			continue
		}
		_, n, err := net.ParseCIDR(strings.TrimSpace(c))
		if err != nil {
			return nil, fmt.Errorf("web: trusted proxy %q: %w", c, err)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// ipExtractor believes X-Forwarded-For only from the configured proxies.
func ipExtractor(nets []*net.IPNet) echo.IPExtractor {
	if len(nets) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range nets {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// trustedIP reports whether ip is in a trusted proxy's network.
func (s *Server) trustedIP(ip net.IP) bool {
	for _, n := range s.trusted {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// fromTrustedProxy reports whether the request's connection comes from a
// trusted proxy, whose forwarded headers are then believed.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.trusted) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && s.trustedIP(ip)
}

// ensureEditor creates the account "admin" with a random password when the
// store has no editor, and logs the password once.
func (s *Server) ensureEditor(ctx context.Context) error {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := accounts.NewPassword()
	h, err := accounts.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.store.AddUser(ctx, "admin", h); err != nil {
		if errors.Is(err, datasets.ErrExists) { // another replica won the race
			return nil
		}
		return err
	}
	s.log.Warn("created the first editor account; this password is shown only once", "user", "admin", "password", pw)
	if err := s.store.Audit(ctx, datasets.AuditEntry{Actor: "bilateral", Action: "user_added", Detail: "admin (generated on first start)"}); err != nil {
		s.log.Error("writing the audit log", "action", "user_added", "err", err)
	}
	return nil
}

// maxChartHistory is how many of the latest versions the server reads at
// start to learn the charts they had, so that a chart removed since
// answers 410 Gone after a restart too.
const maxChartHistory = 200

// knowCharts records chart ids that a version has shown.
func (s *Server) knowCharts(ids []string) {
	s.chartsMu.Lock()
	defer s.chartsMu.Unlock()
	if s.charts == nil {
		s.charts = map[string]bool{}
		builtin, _, _ := datasets.Wave1Definitions()
		for _, c := range builtin {
			s.charts[c.ID] = true
		}
	}
	for _, id := range ids {
		s.charts[id] = true
	}
}

// wasChart reports whether a chart with this id was ever shown.
func (s *Server) wasChart(id string) bool {
	s.chartsMu.Lock()
	defer s.chartsMu.Unlock()
	return s.charts[id]
}

// learnChartHistory reads the chart ids of the latest stored versions, in
// the background at start: a removed chart's address then answers 410
// rather than 404 whichever replica serves it.
func (s *Server) learnChartHistory(ctx context.Context) {
	// The newest versions only, a page of the history (newest first).
	vs, err := s.store.ListVersions(ctx, datasets.VersionQuery{Limit: maxChartHistory})
	if err != nil {
		s.log.Warn("reading the versions' charts", "err", err)
		return
	}
	for _, v := range vs {
		if ctx.Err() != nil {
			return
		}
		_, d, err := s.store.Version(ctx, v.Number)
		if err != nil {
			s.log.Warn("reading a version's charts", "version", v.Number, "err", err)
			continue
		}
		ids := make([]string, len(d.Charts))
		for i, c := range d.Charts {
			ids[i] = c.ID
		}
		s.knowCharts(ids)
	}
}

// build renders a dataset version.
func (s *Server) build(d *stats.Dataset, v datasets.VersionInfo) (*snapshot, error) {
	snap, err := buildSnapshot(d, v.Number, v.CreatedAt, s.assets, s.pages, s.publicPage)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(snap.byID))
	for id := range snap.byID {
		ids = append(ids, id)
	}
	s.knowCharts(ids)
	return snap, nil
}

// swap makes a rendered version current in one step.
func (s *Server) swap(snap *snapshot) {
	s.cur.Store(snap)
	s.metrics.version.Store(int64(snap.version))
}

// publish stores a checked dataset as a new version and serves it. The
// new pages are rendered before the store commits, so a rendering failure
// publishes nothing, and readers switch from the old version to the new
// one in a single pointer swap.
func (s *Server) publish(ctx context.Context, nv datasets.NewVersion) (datasets.VersionInfo, error) {
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	cur, err := s.store.CurrentNumber(ctx)
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	if nv.BaseVersion != 0 && nv.BaseVersion != cur {
		return datasets.VersionInfo{}, fmt.Errorf("checked against version %d, current is %d: %w", nv.BaseVersion, cur, datasets.ErrStale)
	}
	nv.BaseVersion = cur
	snap, err := s.build(nv.Dataset, datasets.VersionInfo{Number: cur + 1, CreatedAt: time.Now().UTC()})
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	v, err := s.store.Publish(ctx, nv)
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	snap.createdAt = v.CreatedAt
	s.swap(snap)
	s.afterPublish()
	return v, nil
}

// countFormulas counts the formula cells of versions stored before
// uploads were counted, so that the history can say which uploads hold
// formulas (issue 10, finding 8). It runs once, in the background.
func (s *Server) countFormulas(ctx context.Context) {
	vs, err := s.store.Versions(ctx)
	if err != nil {
		s.log.Error("counting formulas of older versions", "err", err)
		return
	}
	// Versions share workbooks (the store keeps each once, by SHA-256):
	// each is read and counted once.
	counted := map[string]int{}
	for _, v := range vs {
		if v.Formulas >= 0 || ctx.Err() != nil {
			continue
		}
		n, ok := counted[v.SHA256]
		if !ok {
			wb, err := s.store.Workbook(ctx, v.Number)
			if errors.Is(err, datasets.ErrNotFound) {
				continue // removed by retention meanwhile
			}
			if err != nil {
				s.log.Error("counting formulas of older versions", "version", v.Number, "err", err)
				continue
			}
			if n, err = xlsx.CountFormulas(wb); err != nil {
				s.log.Warn("counting formulas of older versions", "version", v.Number, "err", err)
				continue
			}
			counted[v.SHA256] = n
		}
		if err := s.store.SetFormulas(ctx, v.Number, n); err != nil {
			s.log.Error("counting formulas of older versions", "version", v.Number, "err", err)
		}
	}
}

// follow polls the store and serves versions published by other replicas.
func (s *Server) follow(ctx context.Context) {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Refresh(ctx); err != nil {
			s.log.Error("following the store", "err", err)
		}
	}
}

// Refresh loads the store's current version if it is newer than the one
// served. Version numbers only grow (a restore is a new version), so a
// lower number is never swapped in: the number is read under publishMu,
// after any publish of this process has finished, and compared, so a
// poll racing with a publish cannot put an older version back.
func (s *Server) Refresh(ctx context.Context) error {
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	n, err := s.store.CurrentNumber(ctx)
	if err != nil {
		return err
	}
	if snap := s.cur.Load(); snap != nil && snap.version >= n {
		return nil
	}
	v, d, err := s.store.Version(ctx, n)
	if err != nil {
		return err
	}
	snap, err := s.build(d, v)
	if err != nil {
		return err
	}
	s.swap(snap)
	s.log.Info("serving a version published elsewhere", "version", n)
	return nil
}

// staticFS is where the built front-end files are: embedded, or on disk
// in dev mode.
func (s *Server) staticFS() fs.FS {
	if s.cfg.Dev {
		return os.DirFS("web/static/dist")
	}
	sub, _ := fs.Sub(static.FS, "dist")
	return sub
}

// templateFS is where the templates are: embedded, or on disk in dev mode.
func (s *Server) templateFS() fs.FS {
	if s.cfg.Dev {
		return os.DirFS("templates")
	}
	return templates.FS
}

// snapshot returns what to serve. In dev mode templates and assets are
// re-read and the current dataset re-rendered on every request.
func (s *Server) snapshot() (*snapshot, error) {
	snap := s.cur.Load()
	if !s.cfg.Dev {
		return snap, nil
	}
	assets, err := LoadAssets(s.staticFS())
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(s.templateFS())
	if err != nil {
		return nil, err
	}
	dev, err := buildSnapshot(snap.dataset, snap.version, snap.createdAt, assets, pages, s.publicPage)
	if err != nil {
		return nil, err
	}
	return dev, nil
}

func (s *Server) assetsNow() *Assets {
	if s.cfg.Dev {
		if a, err := LoadAssets(s.staticFS()); err == nil {
			return a
		}
	}
	return s.assets
}

// Handler returns the HTTP handler, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.echo }

// ListenAndServe listens on the configured addresses and serves until ctx
// is cancelled, then shuts down gracefully. It logs the address it listens
// on, so that with port 0 (a port chosen at run time, as tests do) the log
// tells where to connect.
func (s *Server) ListenAndServe(ctx context.Context) error {
	addr := s.cfg.Addr
	if addr == "" {
		addr = ":http"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	var mln net.Listener
	if s.cfg.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", s.cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("web: metrics address: %w", err)
		}
	}
	return s.Serve(ctx, ln, mln)
}

// Serve serves the dashboard on ln, and /metrics with the health checks on
// metricsLn when it is not nil, until ctx is cancelled. Connections on ln
// are capped per client address (Config.MaxConnsPerClient).
func (s *Server) Serve(ctx context.Context, ln, metricsLn net.Listener) error {
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout or WriteTimeout: a body's time is bounded by its
		// pace, and the response's from when the body has arrived (see
		// slowBodies), so a slow but steady upload is answered.
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(s.conns.listener(ln)) }()
	if metricsLn != nil {
		msrv := &http.Server{Handler: s.metricsEcho, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
		servers = append(servers, msrv)
		go func() { errc <- msrv.Serve(metricsLn) }()
		s.log.Info("serving metrics", "addr", metricsLn.Addr().String())
	}
	go s.follow(ctx)
	go s.retain(ctx)
	go s.learnChartHistory(ctx)
	go s.countFormulas(ctx)
	go s.rendererFor() // compile ECharts for images before the first one is asked for
	s.log.Info("serving", "addr", ln.Addr().String(), "version", s.cur.Load().version)
	select {
	case err := <-errc:
		for _, hs := range servers {
			hs.Close()
		}
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, hs := range servers {
		if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// MetricsHandler is the handler of the metrics address (nil unless
// Config.MetricsAddr is set), for tests and for embedding.
func (s *Server) MetricsHandler() http.Handler {
	if s.metricsEcho == nil {
		return nil
	}
	return s.metricsEcho
}

var getAndHead = []string{http.MethodGet, http.MethodHead}

// routes registers every route in one place.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(s.forwardedRequestID)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestIDs().next}))
	e.Use(s.recoverMiddleware)
	e.Use(s.slowBodies)
	e.Use(s.metrics.middleware)
	e.Use(s.storeErrors)
	e.Use(s.securityHeaders)
	e.Use(s.headMiddleware)
	// Every GET route answers HEAD too, with the headers a GET would get.
	get := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Match(getAndHead, path, h, m...)
	}

	get("/", s.handleDashboard)
	get("/charts/:file", s.handleChart)
	get("/data/dataset.xlsx", s.handleDatasetXLSX)
	get("/data/charts.zip", s.handleChartsZip)
	get("/static/*", s.handleStatic)
	get("/api/v1/charts", s.handleAPICharts)
	get("/healthz", s.handleHealthz)
	get("/readyz", s.handleReadyz)
	if s.cfg.MetricsAddr == "" {
		get("/metrics", s.handleMetrics)
	} else {
		// /metrics on its own address (finding 16): counts of failed
		// sign-ins, uploads and the heap's size are not for the public.
		m := echo.New()
		m.HideBanner, m.HidePort = true, true
		m.HTTPErrorHandler = s.handleError
		m.Use(s.recoverMiddleware, s.storeErrors)
		m.Match(getAndHead, "/metrics", s.handleMetrics)
		m.Match(getAndHead, "/healthz", s.handleHealthz)
		m.Match(getAndHead, "/readyz", s.handleReadyz)
		s.metricsEcho = m
	}
	get("/robots.txt", s.handleRobots)

	// Editors. Order matters: the session is checked first, then the CSRF
	// token, which for uploads is read from the stream only after the size
	// limit is in place (readUpload), never by parsing the whole form.
	get("/admin/login", s.handleLoginForm)
	e.POST("/admin/login", s.handleLogin)
	ed := []echo.MiddlewareFunc{s.requireEditor}
	edPost := []echo.MiddlewareFunc{s.requireEditor, s.requireCSRF}
	e.POST("/admin/logout", s.handleLogout, edPost...)
	get("/admin", s.handleAdmin, ed...)
	e.POST("/admin/uploads", s.handleAdminUpload, s.requireEditor, s.requireCSRFStreaming)
	get("/admin/uploads/:id", s.handlePreview, ed...)
	get("/admin/uploads/:id/charts/:file", s.handleUploadChart, ed...)
	e.POST("/admin/uploads/:id/publish", s.handlePublish, edPost...)
	e.POST("/admin/uploads/:id/discard", s.handleDiscard, edPost...)
	get("/admin/versions/:version/workbook", s.serveVersionWorkbook, ed...)
	e.POST("/admin/versions/:version/restore", s.handleAdminRestore, edPost...)
	get("/admin/diff", s.handleDiff, ed...)
	get("/admin/audit", s.handleAudit, ed...)
	get("/admin/accounts", s.handleAccounts, ed...)
	e.POST("/admin/accounts/password", s.handleChangePassword, edPost...)
	e.POST("/admin/accounts/users/:name/remove", s.handleRemoveUser, edPost...)
	e.POST("/admin/accounts/tokens", s.handleCreateToken, edPost...)
	e.POST("/admin/accounts/tokens/:id/revoke", s.handleRevokeToken, edPost...)

	// Scripts, with a bearer token checked before the body is read.
	// Read tokens may GET; uploads, publishes and restores need the
	// publish scope.
	get("/api/v1/datasets", s.handleAPIVersions, s.requireToken)
	get("/api/v1/datasets/current", s.handleAPICurrent, s.requireToken)
	e.POST("/api/v1/datasets", s.handleAPIUpload, s.requireToken, s.requirePublish)
	get("/api/v1/datasets/:version/workbook", s.serveVersionWorkbook, s.requireToken)
	e.POST("/api/v1/datasets/:version/restore", s.handleAPIRestore, s.requireToken, s.requirePublish)
}
