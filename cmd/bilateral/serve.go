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
