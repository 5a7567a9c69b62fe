package datasets

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bilateral/bilateral/stats"
)

// Errors a Store returns; callers test them with errors.Is.
var (
	// ErrNotFound: no version, upload, user, token or session by that key.
	ErrNotFound = stats.NewError(stats.NotFound, "not found")
	// ErrEmpty: the store holds no version yet.
	ErrEmpty = errors.New("the store holds no dataset version")
	// ErrStale: a publish was based on a version that is no longer current.
	ErrStale = stats.NewError(stats.Conflict, "the current version changed since this upload was checked")
	// ErrExists: a user of that name exists already.
	ErrExists = errors.New("already exists")
	// ErrExpired: an API token that has passed its expiry.
	ErrExpired = errors.New("expired")
)

// Token scopes: what an API token may do.
const (
	// ScopeRead may list versions and download workbooks.
	ScopeRead = "read"
	// ScopePublish may also upload, publish and restore.
	ScopePublish = "publish"
)

// ValidScope reports whether s is a known token scope.
func ValidScope(s string) bool { return s == ScopeRead || s == ScopePublish }

// TokenInfo describes an API token; the token itself is never stored.
type TokenInfo struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Scope     string    `json:"scope"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is zero for a token that does not expire.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Expired reports whether the token has expired at t.
func (t TokenInfo) Expired(at time.Time) bool {
	return !t.ExpiresAt.IsZero() && !at.Before(t.ExpiresAt)
}

// NewToken is what AddScopedToken stores.
type NewToken struct {
	Name      string
	Hash      string
	Scope     string    // ScopeRead or ScopePublish; empty means publish
	ExpiresAt time.Time // zero: never
}

// UserInfo describes an editor account.
type UserInfo struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// VersionInfo describes one published version of the dataset.
type VersionInfo struct {
	Number       int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	Author       string    `json:"author"`
	Comment      string    `json:"comment"`
	SHA256       string    `json:"sha256"` // of the workbook bytes
	Size         int       `json:"size"`
	RestoredFrom int       `json:"restored_from,omitempty"`
	Current      bool      `json:"current"`
	// Formulas is the number of formula cells in the uploaded workbook
	// (their saved values were used); -1 when not known (versions
	// published before this was recorded).
	Formulas int `json:"formulas"`
}

// NewVersion is what Publish stores.
type NewVersion struct {
	Workbook []byte
	Dataset  *stats.Dataset
	Author   string
	Comment  string
	// BaseVersion is the version the workbook was checked against; Publish
	// fails with ErrStale if another version became current since. Zero
	// skips the check (first import, restore).
	BaseVersion  int
	RestoredFrom int
	// Formulas is the number of formula cells in Workbook.
	Formulas int
}

// Upload is a checked workbook waiting to be published or discarded.
type Upload struct {
	ID          string
	CreatedAt   time.Time
	Author      string
	Filename    string
	SHA256      string
	Workbook    []byte
	Dataset     *stats.Dataset
	BaseVersion int
	// ExportedFrom is the version the workbook says it was downloaded
	// from (its Metadata row); 0 when it does not say.
	ExportedFrom int
	// Formulas is the number of formula cells in Workbook.
	Formulas int
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID     int64 // set by the store
	At     time.Time
	Actor  string
	Action string // login, login_failed, login_throttled, logout, upload, publish, discard, restore, token_created, token_revoked, user_added, user_removed, password_changed
	Detail string
	Remote string
	// Count is how many events the line stands for: summarised actions
	// (SummarisedActions) keep one line per client address and minute.
	Count int
}

// Audit field caps, in characters (runes, never splitting one).
const (
	MaxAuditActor  = 64
	MaxAuditDetail = 1000
	MaxAuditRemote = 64
	// MaxComment caps a version's comment.
	MaxComment = 2000
	// MaxFilename caps an upload's file name.
	MaxFilename = 255
	// MaxNoiseRows bounds the audit lines of NoiseActions; older ones are
	// dropped. Every other action is kept for good.
	MaxNoiseRows = 10000
)

// SummarisedActions are counted in one audit line per client address and
// minute rather than one line per event.
var SummarisedActions = map[string]bool{"login_throttled": true}

// NoiseActions are the audit actions that retention may drop (the oldest
// first, beyond MaxNoiseRows). Publish, restore, upload and account
// entries are never among them.
var NoiseActions = map[string]bool{"login_throttled": true, "login_failed": true}

// AuditQuery selects a page of the audit log.
type AuditQuery struct {
	// Action keeps only entries of this action; empty means all.
	Action string
	// Before keeps only entries older than this ID (the next page); 0
	// means from the newest.
	Before int64
	// Limit is the page size.
	Limit int
}

// Clip returns s as valid UTF-8, cut to at most n runes without splitting
// one; a cut string ends with "…".
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i = range s {
		if k == n-1 {
			break
		}
		k++
	}
	return s[:i] + "…"
}

// Session is a signed-in editor's browser session.
type Session struct {
	User      string
	CSRF      string
	ExpiresAt time.Time
}

// VersionStore keeps every published version of the dataset and which one
// is current. Implementations make Publish atomic: after a crash at any
// moment the store holds the previous or the new current version, never a
// mix, and every published version stays readable. History is never
// rewritten: a restore is a Publish of an old version's workbook and
// dataset with RestoredFrom set.
type VersionStore interface {
	// Current returns the current version and its dataset, or ErrEmpty.
	Current(ctx context.Context) (VersionInfo, *stats.Dataset, error)
	// CurrentNumber returns the current version number, or ErrEmpty; it is
	// cheap enough to poll.
	CurrentNumber(ctx context.Context) (int, error)
	// Versions lists every version, newest first. Listings shown to
	// people or scripts use ListVersions, a page at a time.
	Versions(ctx context.Context) ([]VersionInfo, error)
	// ListVersions lists one page of the history, newest first.
	ListVersions(ctx context.Context, q VersionQuery) ([]VersionInfo, error)
	// CountVersions counts the versions kept numbered above the given
	// number (0: every version kept).
	CountVersions(ctx context.Context, above int) (int, error)
	// Version returns one version's description and dataset, or ErrNotFound.
	Version(ctx context.Context, n int) (VersionInfo, *stats.Dataset, error)
	// Workbook returns the workbook bytes of a version, or ErrNotFound.
	Workbook(ctx context.Context, n int) ([]byte, error)
	// SetFormulas records the number of formula cells in a version's
	// workbook when it is not known yet (versions stored before it was
	// counted); a known count is left alone.
	SetFormulas(ctx context.Context, n, formulas int) error
	// Publish stores a new version and makes it current in one transaction.
	// It returns ErrStale if v.BaseVersion is set and is not current.
	// Workbooks and datasets are stored by content: publishing bytes the
	// store holds already adds a history row and no copy.
	Publish(ctx context.Context, v NewVersion) (VersionInfo, error)
	// RemoveVersions deletes the given versions from the history in one
	// transaction, with every stored workbook and dataset no version
	// refers to any more, and returns what it removed. It never removes
	// the current version or the first one (they are skipped); numbers
	// that are not kept are skipped too. Retention (see Retention) decides
	// what to remove.
	RemoveVersions(ctx context.Context, numbers []int) ([]VersionInfo, error)
}

// VersionQuery asks for one page of the history, newest first.
type VersionQuery struct {
	// Before lists only versions numbered below it; 0 starts at the
	// newest. It is the cursor of the API's pages.
	Before int
	// Offset skips that many versions (after Before), for numbered pages.
	Offset int
	// Limit is the most versions returned; 0 means no limit.
	Limit int
}

// UploadStore keeps checked workbooks between their preview and their
// publication or discard.
type UploadStore interface {
	// SaveUpload keeps a checked workbook for preview; it returns its id.
	SaveUpload(ctx context.Context, u Upload) (string, error)
	// Upload returns a pending upload, or ErrNotFound.
	Upload(ctx context.Context, id string) (Upload, error)
	// DeleteUpload removes a pending upload (published or discarded).
	DeleteUpload(ctx context.Context, id string) error
}

// AccountStore keeps editor accounts, API tokens and browser sessions.
// Secrets are stored only as hashes made by the caller.
type AccountStore interface {
	// AddUser creates an editor with a password hash, or returns ErrExists.
	AddUser(ctx context.Context, name, passwordHash string) error
	// SetPassword replaces a user's password hash and ends every session
	// of that user, or returns ErrNotFound.
	SetPassword(ctx context.Context, name, passwordHash string) error
	// PasswordHash returns a user's password hash, or ErrNotFound.
	PasswordHash(ctx context.Context, name string) (string, error)
	// CountUsers returns the number of editor accounts.
	CountUsers(ctx context.Context) (int, error)

	// Users lists the editor accounts by name.
	Users(ctx context.Context) ([]UserInfo, error)
	// RemoveUser deletes an account and ends its sessions, or returns
	// ErrNotFound.
	RemoveUser(ctx context.Context, name string) error

	// AddToken stores the hash of a new publish token for name that does
	// not expire.
	AddToken(ctx context.Context, name, tokenHash string) error
	// AddScopedToken stores a new token with its scope and expiry.
	AddScopedToken(ctx context.Context, t NewToken) (TokenInfo, error)
	// TokenName returns the name a valid (unexpired) token hash belongs
	// to, or ErrNotFound.
	TokenName(ctx context.Context, tokenHash string) (string, error)
	// Token returns a token by its hash: ErrNotFound when there is none
	// (or it was revoked), ErrExpired with its info when it has expired.
	Token(ctx context.Context, tokenHash string) (TokenInfo, error)
	// Tokens lists every token, oldest first.
	Tokens(ctx context.Context) ([]TokenInfo, error)
	// RevokeToken deletes a token by id, or returns ErrNotFound.
	RevokeToken(ctx context.Context, id int64) error
	// RevokeTokens deletes every token of a name and returns how many.
	RevokeTokens(ctx context.Context, name string) (int, error)

	// CreateSession stores a session under the hash of its id.
	CreateSession(ctx context.Context, idHash string, s Session) error
	// Session returns an unexpired session, or ErrNotFound.
	Session(ctx context.Context, idHash string) (Session, error)
	// DeleteSession ends a session.
	DeleteSession(ctx context.Context, idHash string) error
}

// AuditStore keeps the audit log of editors' actions.
type AuditStore interface {
	// Audit appends to the audit log. Fields are capped (Clip, MaxAudit*);
	// SummarisedActions are counted in one line per address and minute;
	// NoiseActions beyond MaxNoiseRows are dropped, oldest first.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog returns a page of entries, newest first.
	AuditLog(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
	// AuditActions lists the actions the log holds, for filtering.
	AuditActions(ctx context.Context) ([]string, error)
}

// Store is everything the server keeps: dataset versions, pending
// uploads, accounts and the audit log, in one place so that a publish and
// its audit line share a store. Code that needs only one of these jobs
// takes the smaller interface.
type Store interface {
	VersionStore
	UploadStore
	AccountStore
	AuditStore
	// Close releases the store.
	Close() error
}
