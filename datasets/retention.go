package datasets

import (
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
