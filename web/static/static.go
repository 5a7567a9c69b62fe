// Package static embeds the front-end files built by `make assets`
// (ECharts bundle, CSS, fonts, map geometry) from the npm registry.
package static

import "embed"

// FS holds the built files under dist/, including manifest.json, which maps
// logical names such as "app.js" to content-hashed file names.
//
//go:embed all:dist
var FS embed.FS
