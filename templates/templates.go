// Package templates holds the html/template files of the web pages. They
// are embedded in the binary; with --dev the server reads them from disk.
package templates

import "embed"

// FS holds every template file.
//
//go:embed *.html
var FS embed.FS
