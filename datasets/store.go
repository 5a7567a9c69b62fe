package datasets

import (
	"context"
	"errors"
	"time"

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
)

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
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At     time.Time
	Actor  string
	Action string // login, login_failed, logout, upload, publish, discard, restore, token_created, user_added
	Detail string
	Remote string
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
	// SetPassword replaces a user's password hash, or returns ErrNotFound.
	SetPassword(ctx context.Context, name, passwordHash string) error
	// PasswordHash returns a user's password hash, or ErrNotFound.
	PasswordHash(ctx context.Context, name string) (string, error)
	// CountUsers returns the number of editor accounts.
	CountUsers(ctx context.Context) (int, error)

	// AddToken stores the hash of a new API token for name.
	AddToken(ctx context.Context, name, tokenHash string) error
	// TokenName returns the name a token hash belongs to, or ErrNotFound.
	TokenName(ctx context.Context, tokenHash string) (string, error)

	// CreateSession stores a session under the hash of its id.
	CreateSession(ctx context.Context, idHash string, s Session) error
	// Session returns an unexpired session, or ErrNotFound.
	Session(ctx context.Context, idHash string) (Session, error)
	// DeleteSession ends a session.
	DeleteSession(ctx context.Context, idHash string) error
}

// AuditStore keeps the audit log of editors' actions.
type AuditStore interface {
	// Audit appends to the audit log.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog returns the most recent entries, newest first.
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)
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
