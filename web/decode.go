package web

import (
	"time"

	"github.com/bilateral/bilateral/stats"
)

// Workbook decoding limits (finding 10): ten dry runs of a 50,000-row
// workbook at once took the server from 173 MB to 1.1 GB. Decodes run a
// few at a time; more wait briefly in a short queue, then get 503.
const (
	// DefaultDecodes is how many workbooks are decoded at once.
	DefaultDecodes   = 2
	decodeQueue      = 8
	decodeWait       = 20 * time.Second
	decodeRetryAfter = 15 * time.Second
)

// checkLimited is check under the decode budget.
func (s *Server) checkLimited(data []byte) (*checked, error) {
	release, err := s.decodes.acquire(1)
	if err != nil {
		return nil, err
	}
	defer release()
	return check(data)
}

// DefaultDryRunChanges is how many changes a dry run lists; the summary
// counts them all. A 199,000-row workbook once made a 224 MB answer.
const DefaultDryRunChanges = 1000

// changeSummary counts a dry run's changes and says how many are listed.
type changeSummary struct {
	Total     int  `json:"total"`
	Added     int  `json:"added"`
	Changed   int  `json:"changed"`
	Removed   int  `json:"removed"`
	Shown     int  `json:"shown"`
	Truncated bool `json:"truncated"`
}

// capChanges returns the first changes a dry run lists, and the summary of
// all of them.
func (s *Server) capChanges(cs []stats.Change) ([]stats.Change, changeSummary) {
	n := countChanges(cs)
	limit := s.dryRunChanges
	if limit <= 0 {
		limit = DefaultDryRunChanges
	}
	shown := cs
	if len(shown) > limit {
		shown = shown[:limit]
	}
	return shown, changeSummary{Total: len(cs), Added: n.Added, Changed: n.Changed, Removed: n.Removed, Shown: len(shown), Truncated: len(shown) < len(cs)}
}

// listChanges returns the changes a page lists, the same first ones a dry
// run lists, and how many more there are: a page of 199,000 rows is no
// use to read and costs the server its memory to write.
func (s *Server) listChanges(cs []stats.Change) ([]stats.Change, int) {
	shown, sum := s.capChanges(cs)
	return shown, sum.Total - sum.Shown
}
