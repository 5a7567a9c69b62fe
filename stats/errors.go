package stats

import (
	"errors"
	"fmt"
	"time"
)

// Kind says what kind of failure an error is, in terms a caller can act
// on: fix the request, sign in, wait, or report a fault. Each kind maps to
// one HTTP status in the web package, and to nothing else anywhere: code
// that fails says what kind of failure it is and never picks a status.
type Kind int

// The kinds of failure. The zero value is Internal, so an error that says
// nothing about itself is treated as a fault of ours.
const (
	// Internal is a fault of the program or its environment (500).
	Internal Kind = iota
	// BadRequest: the request cannot be understood as sent (400).
	BadRequest
	// Unauthorized: the request needs credentials it lacks (401).
	Unauthorized
	// Forbidden: the credentials, form token or origin are refused (403).
	Forbidden
	// NotFound: nothing by that name or number (404).
	NotFound
	// Conflict: the request conflicts with the current state, for
	// example a publish checked against a version no longer current (409).
	Conflict
	// Gone: something that existed and was removed for good (410).
	Gone
	// PreconditionFailed: a condition the request set does not hold (412).
	PreconditionFailed
	// TooLarge: the request body is over a limit (413).
	TooLarge
	// Invalid: the content was read but fails validation, for example a
	// workbook with problems (422).
	Invalid
	// RateLimited: too many requests; try again after a while (429).
	RateLimited
	// Unavailable: the service cannot answer now; try again later (503).
	Unavailable
)

// kindCodes are the kinds' machine-readable names, as sent in the "code"
// field of JSON errors.
var kindCodes = [...]string{
	Internal:           "internal",
	BadRequest:         "bad_request",
	Unauthorized:       "unauthorized",
	Forbidden:          "forbidden",
	NotFound:           "not_found",
	Conflict:           "conflict",
	Gone:               "gone",
	PreconditionFailed: "precondition_failed",
	TooLarge:           "too_large",
	Invalid:            "invalid",
	RateLimited:        "rate_limited",
	Unavailable:        "unavailable",
}

// Kinds lists every kind, in declaration order.
func Kinds() []Kind {
	ks := make([]Kind, len(kindCodes))
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// String returns the kind's code, e.g. "not_found".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindCodes) {
		return kindCodes[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an error with a kind and a message fit to show to whoever made
// the request. The cause, if any, is kept for logs and for errors.Is and
// errors.As, but is not part of the message.
type Error struct {
	Kind Kind
	// Message says what went wrong and, where it can, what to do; it is
	// shown to the reader as it is, so it never holds internals.
	Message string
	// RetryAfter, for RateLimited and Unavailable, is how long to wait
	// before trying again; zero leaves it to the server's default.
	RetryAfter time.Duration
	// Err is the underlying cause, if any.
	Err error
}

// NewError returns an error of kind k with message msg.
func NewError(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// Errorf returns an error of kind k whose message is formatted as by
// fmt.Sprintf. To keep a cause, use Wrap.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind k with message msg and cause err.
func Wrap(k Kind, msg string, err error) *Error { return &Error{Kind: k, Message: msg, Err: err} }

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the first *Error in err's chain, or Internal
// when there is none (or err is nil).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
