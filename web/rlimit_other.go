//go:build !unix

package web

func openFileLimit() int { return 0 }
