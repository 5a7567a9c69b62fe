package web

import "time"

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
