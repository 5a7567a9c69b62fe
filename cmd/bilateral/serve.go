package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/bilateral/bilateral/datasets"
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
	retention := retentionFlags(fs)
	if _, err := parseInterleaved(fs, args); err != nil {
		return errUsage
	}
	keep, err := retention()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	store, err := sqlite.Open(*dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	if keep.Enabled() {
		log.Info("retention", "rules", keep.String())
	}
	var trusted []string
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			trusted = append(trusted, p)
		}
	}
	srv, err := web.NewServer(web.Config{
		Addr: *addr, Store: store, Dev: *dev, BaseURL: *baseURL, Logger: log,
		MaxUpload: int64(*maxUpload) << 20, TrustedProxies: trusted, Retention: keep,
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

// retentionFlags adds --keep-versions and --keep-age to fs; the function
// it returns reads them once fs is parsed.
func retentionFlags(fs *flag.FlagSet) func() (datasets.Retention, error) {
	n := fs.Int("keep-versions", atoiDefault(envDefault("BILATERAL_KEEP_VERSIONS", "0"), 0), "keep the newest N versions (with --keep-age, versions either rule keeps); 0 keeps every version")
	age := fs.String("keep-age", envDefault("BILATERAL_KEEP_AGE", ""), "keep versions younger than this (90d, 720h); empty keeps every version")
	return func() (datasets.Retention, error) {
		if *n < 0 {
			return datasets.Retention{}, fmt.Errorf("--keep-versions %d: a number of versions, 0 for all", *n)
		}
		d, err := datasets.ParseAge(*age)
		if err != nil {
			return datasets.Retention{}, err
		}
		return datasets.Retention{KeepVersions: *n, KeepAge: d}, nil
	}
}

// cmdPrune applies retention once: `bilateral prune --keep-versions N
// --keep-age D [--dry-run]`. A running server keeps versions it is
// restoring or comparing only against its own retention; run prune when
// no editor is restoring, or give the server the flags instead.
func cmdPrune(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("prune", stdout)
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory")
	dry := fs.Bool("dry-run", false, "list what would be removed, remove nothing")
	retention := retentionFlags(fs)
	if pos, err := parseInterleaved(fs, args); err != nil || len(pos) > 0 {
		return errUsage
	}
	keep, err := retention()
	if err != nil {
		return err
	}
	if !keep.Enabled() {
		return fmt.Errorf("prune: give --keep-versions N or --keep-age DURATION (the default keeps every version): %w", errUsage)
	}
	store, err := sqlite.Open(*dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	if *dry {
		vs, err := store.Versions(ctx)
		if err != nil {
			return err
		}
		ns := keep.Expired(vs, time.Now(), nil)
		fmt.Fprintf(stdout, "would remove %d of %d versions (%s): %s\n", len(ns), len(vs), keep, datasets.Ranges(ns))
		return nil
	}
	removed, err := keep.Apply(ctx, store, time.Now(), nil)
	if err != nil {
		return err
	}
	ns := make([]int, len(removed))
	for i, v := range removed {
		ns[i] = v.Number
	}
	fmt.Fprintf(stdout, "removed %d versions (%s): %s\n", len(ns), keep, datasets.Ranges(ns))
	return nil
}
