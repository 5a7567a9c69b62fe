package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// Two editors can work from the same download. Every downloaded workbook
// records the version it was exported from (schema.ExportedFromField); an
// upload made from an older version than the current one is compared
// with what changed since, and publishing it needs an explicit
// confirmation when it would undo any of it (issue 10, finding 6).

// baseCheck is what an upload's base version says about publishing it
// over the current version.
type baseCheck struct {
	// Base is the version the workbook was exported from; 0 when it does
	// not say.
	Base int `json:"base_version"`
	// Current is the version it would replace.
	Current int `json:"current_version"`
	// Overwrites are the values changed since Base that the upload sets
	// to something else; never nil, so that JSON shows [].
	Overwrites []stats.Overwrite `json:"overwrites"`
	// Unknown: Base is not a version this store holds, so what changed
	// since cannot be told.
	Unknown bool `json:"-"`
}

// NeedsConfirm reports whether publishing needs an explicit confirmation.
func (b baseCheck) NeedsConfirm() bool { return b.Unknown || len(b.Overwrites) > 0 }

// Stale reports whether the upload was made from an older version.
func (b baseCheck) Stale() bool { return b.Base != 0 && b.Base != b.Current }

// checkBase compares an upload made from version base with the current
// version cur (dataset curDS) and returns the warnings to show with it.
func (s *Server) checkBase(ctx context.Context, base, cur int, curDS, upload *stats.Dataset) (baseCheck, []schema.Warning, error) {
	bc := baseCheck{Base: base, Current: cur, Overwrites: []stats.Overwrite{}}
	switch {
	case base == 0:
		return bc, []schema.Warning{{Sheet: stats.TableMetadata, Code: schema.WarnNoBase,
			Message: fmt.Sprintf("the workbook does not say which version it was downloaded from (no %q row), so publishing it replaces the current version %d whole, including any change made since it was downloaded", schema.ExportedFromField, cur)}}, nil
	case base == cur:
		return bc, nil, nil
	}
	var baseDS *stats.Dataset
	var err error
	if base < cur {
		_, baseDS, err = s.store.Version(ctx, base)
	}
	if base > cur || errors.Is(err, datasets.ErrNotFound) {
		bc.Unknown = true
		return bc, []schema.Warning{{Sheet: stats.TableMetadata, Code: schema.WarnOlderBase,
			Message: fmt.Sprintf("the workbook was downloaded from version %d, which this store does not hold, so what changed since cannot be shown; publishing it over version %d needs a confirmation", base, cur)}}, nil
	}
	if err != nil {
		return bc, nil, err
	}
	if ow := stats.Overwrites(baseDS, curDS, upload); ow != nil {
		bc.Overwrites = ow
	}
	msg := fmt.Sprintf("the workbook was downloaded from version %d; version %d is current. It overwrites none of the changes made since, so it can be published", base, cur)
	if n := len(bc.Overwrites); n > 0 {
		msg = fmt.Sprintf("the workbook was downloaded from version %d; version %d is current. Publishing it would overwrite %d value%s changed since (listed), so it needs a confirmation", base, cur, n, plural(n))
	}
	return bc, []schema.Warning{{Sheet: stats.TableMetadata, Code: schema.WarnOlderBase, Message: msg}}, nil
}

// staleBaseError is the Conflict a publish gets when it would overwrite
// newer changes and ?force=1 is not given: the common error shape with
// the base and current versions and the overwritten values beside it.
type staleBaseError struct {
	bc   baseCheck
	kind *stats.Error
}

func (e *staleBaseError) Error() string { return e.kind.Message }

// Unwrap gives the error its kind (Conflict).
func (e *staleBaseError) Unwrap() error { return e.kind }

// errorCode replaces the kind's code in the JSON body.
func (e *staleBaseError) errorCode() string { return "stale_base" }

// errorFields are added to the JSON body.
func (e *staleBaseError) errorFields() map[string]any {
	return map[string]any{"base_version": e.bc.Base, "current_version": e.bc.Current, "overwrites": e.bc.Overwrites}
}

// staleBase is the 409 answer to a publish that would overwrite newer
// changes without ?force=1.
func staleBase(bc baseCheck) error {
	msg := fmt.Sprintf("This workbook was downloaded from version %d, but version %d is current: publishing it would overwrite %d value%s changed since. Download the current workbook and make the change again, or send it with ?force=1 to overwrite them.", bc.Base, bc.Current, len(bc.Overwrites), plural(len(bc.Overwrites)))
	if bc.Unknown {
		msg = fmt.Sprintf("This workbook was downloaded from version %d, which this store does not hold, so what it would overwrite cannot be shown. Download the current workbook (version %d) and make the change again, or send it with ?force=1.", bc.Base, bc.Current)
	}
	return &staleBaseError{bc: bc, kind: stats.NewError(stats.Conflict, msg)}
}

// preconditionError is the 412 of an If-Match naming another version,
// with the current version beside the common error shape.
type preconditionError struct {
	current int
	kind    *stats.Error
}

func (e *preconditionError) Error() string { return e.kind.Message }
func (e *preconditionError) Unwrap() error { return e.kind }
func (e *preconditionError) errorFields() map[string]any {
	return map[string]any{"current_version": e.current}
}

// etag is the entity tag of a version: "v<N>".
func etag(n int) string { return `"v` + strconv.Itoa(n) + `"` }

// ifMatchFails reports whether the request's If-Match header names a
// version other than cur. No header, or "*", matches.
func ifMatchFails(c echo.Context, cur int) bool {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return false
	}
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag(cur) {
			return false
		}
	}
	return true
}

// checkIfMatch fails with 412 when If-Match names another version; it
// runs before anything else of an upload is read or checked.
func (s *Server) checkIfMatch(c echo.Context) error {
	if c.Request().Header.Get("If-Match") == "" {
		return nil
	}
	cur, err := s.store.CurrentNumber(c.Request().Context())
	if err != nil {
		return err
	}
	if !ifMatchFails(c, cur) {
		return nil
	}
	return &preconditionError{current: cur, kind: stats.Errorf(stats.PreconditionFailed,
		"If-Match names another version than the current one (%s): fetch /api/v1/datasets/current, check what changed, and send the upload again.", etag(cur))}
}

// handleAPICurrent describes the current version, with its ETag for
// If-Match.
func (s *Server) handleAPICurrent(c echo.Context) error {
	v, _, err := s.store.Current(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(v.Number))
	c.Response().Header().Set("Cache-Control", "no-store")
	if m := c.Request().Header.Get("If-None-Match"); m != "" && strings.Contains(m, etag(v.Number)) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSON(http.StatusOK, v)
}

// wantForce reports whether ?force=1 (or true) was given.
func wantForce(c echo.Context) bool {
	f := c.QueryParam("force")
	return f == "1" || f == "true"
}
