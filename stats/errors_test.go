package stats

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestKindOf(t *testing.T) {
	notFound := NewError(NotFound, "not found")
	wrapped := fmt.Errorf("version 3: %w", notFound)
	if KindOf(wrapped) != NotFound || !errors.Is(wrapped, notFound) {
		t.Errorf("a wrapped kinded error lost its kind or identity")
	}
	if KindOf(io.EOF) != Internal || KindOf(nil) != Internal {
		t.Errorf("an unkinded error is not Internal")
	}
	// The outermost kind wins.
	outer := Wrap(Conflict, "published meanwhile", wrapped)
	if KindOf(outer) != Conflict || !errors.Is(outer, notFound) {
		t.Errorf("Wrap: kind %v", KindOf(outer))
	}
	if got := outer.Error(); got != "published meanwhile: version 3: not found" {
		t.Errorf("Error() = %q", got)
	}
	if e := Errorf(BadRequest, "width %d", 5); e.Message != "width 5" || e.Kind != BadRequest {
		t.Errorf("Errorf = %+v", e)
	}
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if seen[k.String()] {
			t.Errorf("code %q used twice", k)
		}
		seen[k.String()] = true
	}
}
