package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/web"
)

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	addr := fs.String("addr", envDefault("BILATERAL_ADDR", ":8080"), "listen address")
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory (the SQLite version store)")
	dev := fs.Bool("dev", envDefault("BILATERAL_DEV", "") != "", "re-read templates and static files from disk on each request")
	baseURL := fs.String("base-url", envDefault("BILATERAL_BASE_URL", ""), "public address of the dashboard (https://...), printed in image captions and canonical links")
	maxUpload := fs.Int("max-upload-mb", atoiDefault(envDefault("BILATERAL_MAX_UPLOAD_MB", "20"), 20), "largest workbook accepted, in MiB")
	proxies := fs.String("trusted-proxies", envDefault("BILATERAL_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed")
	metricsAddr := fs.String("metrics-addr", envDefault("BILATERAL_METRICS_ADDR", ""), "separate listen address of /metrics (e.g. 127.0.0.1:9090); when set, the main address has no /metrics")
	maxConns := fs.Int("max-conns-per-client", atoiDefault(envDefault("BILATERAL_MAX_CONNS_PER_CLIENT", "0"), 0), "open connections allowed per client address (0: 128); trusted proxies are exempt")
	if _, err := parseInterleaved(fs, args); err != nil {
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	store, err := sqlite.Open(*dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	var trusted []string
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			trusted = append(trusted, p)
		}
	}
	srv, err := web.NewServer(web.Config{
		Addr: *addr, Store: store, Dev: *dev, BaseURL: *baseURL, Logger: log,
		MaxUpload: int64(*maxUpload) << 20, TrustedProxies: trusted,
		MetricsAddr: *metricsAddr, MaxConnsPerClient: *maxConns,
	})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx)
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
