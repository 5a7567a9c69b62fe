package datasets

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Retention says which versions an operator keeps. The zero value keeps
// everything. With both rules set, a version is kept when either rule
// keeps it. Whatever the rules, the current version, the first version
// and the versions in use (a restore or comparison running on them) are
// always kept.
type Retention struct {
	// KeepVersions keeps the newest N versions; 0 sets no rule.
	KeepVersions int
	// KeepAge keeps versions published less than this long ago; 0 sets
	// no rule.
	KeepAge time.Duration
}

// Enabled reports whether the rules can remove anything.
func (r Retention) Enabled() bool { return r.KeepVersions > 0 || r.KeepAge > 0 }

// String describes the rules for the audit log.
func (r Retention) String() string {
	var parts []string
	if r.KeepVersions > 0 {
		parts = append(parts, "keep-versions "+strconv.Itoa(r.KeepVersions))
	}
	if r.KeepAge > 0 {
		parts = append(parts, "keep-age "+r.KeepAge.String())
	}
	if len(parts) == 0 {
		return "keep everything"
	}
	return strings.Join(parts, ", ")
}

// Expired returns the numbers of the versions the rules remove from vs
// (newest first, as Versions lists them), in ascending order. inUse
// reports versions that must stay because work is running on them; it
// may be nil.
func (r Retention) Expired(vs []VersionInfo, now time.Time, inUse func(int) bool) []int {
	if !r.Enabled() || len(vs) == 0 {
		return nil
	}
	first := vs[0].Number
	for _, v := range vs {
		first = min(first, v.Number)
	}
	var out []int
	for i, v := range vs {
		switch {
		case v.Current, v.Number == first, v.Number == 1:
			continue
		case r.KeepVersions > 0 && i < r.KeepVersions:
			continue
		case r.KeepAge > 0 && now.Sub(v.CreatedAt) < r.KeepAge:
			continue
		case inUse != nil && inUse(v.Number):
			continue
		}
		out = append(out, v.Number)
	}
	sort.Ints(out)
	return out
}

// Ranges writes version numbers (ascending) compactly: "2-40, 45".
func Ranges(ns []int) string {
	var b strings.Builder
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if j == i {
			fmt.Fprintf(&b, "%d", ns[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", ns[i], ns[j])
		}
		i = j + 1
	}
	return b.String()
}

// retentionStore is what applying retention needs: the history and the audit log.
type retentionStore interface {
	VersionStore
	AuditStore
}

// Apply removes the versions the rules let go from the store, with the
// stored workbooks and datasets only they used, and writes one line to
// the audit log naming them. inUse reports versions that work is running
// on (nil: none); the caller keeps them in use until Apply returns.
func (r Retention) Apply(ctx context.Context, s retentionStore, now time.Time, inUse func(int) bool) ([]VersionInfo, error) {
	if !r.Enabled() {
		return nil, nil
	}
	vs, err := s.Versions(ctx)
	if err != nil {
		if errors.Is(err, ErrEmpty) {
			return nil, nil
		}
		return nil, err
	}
	expired := r.Expired(vs, now, inUse)
	if len(expired) == 0 {
		return nil, nil
	}
	removed, err := s.RemoveVersions(ctx, expired)
	if err != nil || len(removed) == 0 {
		return nil, err
	}
	ns := make([]int, len(removed))
	for i, v := range removed {
		ns[i] = v.Number
	}
	sort.Ints(ns)
	// The audit log keeps MaxAuditDetail characters; ranges keep a long
	// list short, and a list cut there ends with "…".
	detail := Clip(fmt.Sprintf("removed %d version(s) by retention (%s): %s", len(ns), r, Ranges(ns)), MaxAuditDetail)
	if err := s.Audit(ctx, AuditEntry{Actor: "bilateral", Action: "versions_removed", Detail: detail}); err != nil {
		return removed, err
	}
	return removed, nil
}

// ParseAge reads a retention age: a Go duration ("720h") or a number of
// days ("90d").
func ParseAge(s string) (time.Duration, error) {
	if s == "" || s == "0" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("keep-age %q: a number of days (90d) or a duration (720h)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("keep-age %q: a number of days (90d) or a duration (720h)", s)
	}
	return d, nil
}
