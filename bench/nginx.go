package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// nginxConf serves the files under www exactly as they are: FILE.gz when
// the client accepts gzip (gzip_static), FILE.br with Content-Encoding: br
// when it accepts br. nginx-light has no brotli module, so the choice of
// .br is a map on Accept-Encoding and a rewrite, which is the work
// brotli_static would do. No compression at request time, no access log,
// loopback only, two workers for two cores.
const nginxConf = `# bench: the obvious alternative for serving the dashboard's bytes.
daemon off;
master_process on;
worker_processes 2;
pid {{PREFIX}}/nginx.pid;
error_log {{PREFIX}}/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 10000000;
    client_body_temp_path {{PREFIX}}/tmp/body;
    proxy_temp_path {{PREFIX}}/tmp/proxy;
    fastcgi_temp_path {{PREFIX}}/tmp/fastcgi;
    uwsgi_temp_path {{PREFIX}}/tmp/uwsgi;
    scgi_temp_path {{PREFIX}}/tmp/scgi;
    types { text/html html; application/json json; }
    default_type application/octet-stream;
    map $http_accept_encoding $br_suffix {
        default "";
        "~*(^|[\s,])br($|[\s,;])" ".br";
    }
    server {
        listen 127.0.0.1:{{PORT}} reuseport;
        root {{PREFIX}}/www;
        etag on;
        gzip off;
        gzip_static on;
        gzip_vary on;
        rewrite ^/$ /index.html;
        if ($br_suffix) { rewrite ^(.*)$ $1.br last; }
        location ~ \.html\.br$ {
            types { } default_type "text/html"; 
            add_header Content-Encoding br;
            add_header Vary Accept-Encoding;
        }
        location ~ \.json\.br$ {
            types { } default_type "application/json";
            add_header Content-Encoding br;
            add_header Vary Accept-Encoding;
        }
        location / { }
    }
}
`

// nginx is a running nginx with its own prefix.
type nginx struct {
	*proc
	base   string
	prefix string
	conf   string // the configuration text, for BENCHMARKS.md
}

// startNginx writes files (URL path -> bytes) under a fresh prefix and
// starts nginx in the foreground on a free loopback port.
func (b *bench) startNginx(ctx context.Context, files map[string][]byte) (*nginx, error) {
	prefix := filepath.Join(b.tmp, "nginx")
	for _, d := range []string{"www", "tmp", "logs"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			return nil, err
		}
	}
	// Workers run as nobody when nginx starts as root: they must be able
	// to reach the files through the temporary directories.
	for _, d := range []string{b.tmp, prefix, filepath.Join(prefix, "www")} {
		os.Chmod(d, 0o755)
	}
	for p, data := range files {
		path := filepath.Join(prefix, "www", filepath.FromSlash(strings.TrimPrefix(p, "/")))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := strings.NewReplacer("{{PREFIX}}", prefix, "{{PORT}}", fmt.Sprint(port)).Replace(nginxConf)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	if out, err := runCmd(ctx, "nginx", "-t", "-q", "-p", prefix+"/", "-c", confPath, "-e", filepath.Join(prefix, "error.log")); err != nil {
		return nil, fmt.Errorf("nginx -t: %w\n%s", err, out)
	}
	p, err := startProc(b.tmp, "nginx", "nginx", "-p", prefix+"/", "-c", confPath, "-e", filepath.Join(prefix, "error.log"))
	if err != nil {
		return nil, err
	}
	n := &nginx{proc: p, base: fmt.Sprintf("http://127.0.0.1:%d", port), prefix: prefix, conf: conf}
	if err := waitHTTP(ctx, p, n.base+"/", 30*time.Second); err != nil {
		p.stop()
		b, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
		return nil, fmt.Errorf("%w\n%s", err, b)
	}
	return n, nil
}
