package stats

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kinds of figure references in the narrative's text.
const (
	RefValue  = "value"  // {{value SERIES YEAR}}: a series' value in one year
	RefLatest = "latest" // {{latest SERIES}}: a series' most recent value
	RefFact   = "fact"   // {{fact KEY}}: a fact from the Facts sheet
	RefSource = "source" // {{source ID}}: a citation of a source
	RefYear   = "year"   // {{year SERIES}}: the year of a series' latest value
	RefWord   = "word"   // {{word SERIES latest|YEAR POSITIVE NEGATIVE}}: a word chosen by the value's sign
	// RefPreliminary is {{preliminary SERIES latest|YEAR TEXT...}}: the
	// text, after a space, when the value is preliminary; nothing otherwise.
	RefPreliminary = "preliminary"
)

// Ref is one figure reference. Value and latest references may end with
// "abs" to drop the sign, for prose that names the direction in words
// ("a deficit of {{latest balance abs}}").
type Ref struct {
	Kind   string
	Series string // value, latest, year, word
	Year   int    // value, word; 0 for the latest year
	// YearOf, when set, makes the year that of another series' latest
	// value (written latest:SERIES), so that two figures of one sentence
	// are for the same year.
	YearOf string
	Key    string // fact key or source id
	Abs    bool
	Pos    string // word; the text of preliminary
	Neg    string // word
	// Text is the reference as written, braces included.
	Text string
}

// Segment is a piece of text: literal Markdown, or one reference.
type Segment struct {
	Text string
	Ref  *Ref
}

// RefSyntax describes the references, for messages and the README.
const RefSyntax = "{{value SERIES YEAR|latest:SERIES}}, {{latest SERIES}}, {{fact KEY}}, {{source ID}}, {{year SERIES}}, {{word SERIES YEAR|latest POSITIVE NEGATIVE}} or {{preliminary SERIES YEAR|latest TEXT}}; add abs after a value or latest reference to drop the sign"

// ParseRefs splits text into literal pieces and figure references. It is
// a small parser of its own: editor text is never run as a template.
func ParseRefs(text string) ([]Segment, error) {
	var out []Segment
	rest := text
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if j := strings.Index(rest, "}}"); j >= 0 {
				return nil, fmt.Errorf("a figure reference ends with }} but does not start with {{: %q", clip(rest[:j+2]))
			}
			if rest != "" {
				out = append(out, Segment{Text: rest})
			}
			return out, nil
		}
		if j := strings.Index(rest[:i], "}}"); j >= 0 {
			return nil, fmt.Errorf("a figure reference ends with }} but does not start with {{: %q", clip(rest[:j+2]))
		}
		if i > 0 {
			out = append(out, Segment{Text: rest[:i]})
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("a figure reference starts with {{ but never ends with }}: %q", clip(rest[i:]))
		}
		raw := rest[i : i+j+2]
		r, err := parseRef(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, Segment{Ref: r})
		rest = rest[i+j+2:]
	}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func parseRef(raw string) (*Ref, error) {
	f := strings.Fields(raw[2 : len(raw)-2])
	bad := func() (*Ref, error) {
		return nil, fmt.Errorf("%q is not a figure reference: write %s", clip(raw), RefSyntax)
	}
	if len(f) == 0 {
		return bad()
	}
	r := &Ref{Kind: f[0], Text: raw}
	args := f[1:]
	if (r.Kind == RefValue || r.Kind == RefLatest) && len(args) > 0 && args[len(args)-1] == "abs" {
		r.Abs = true
		args = args[:len(args)-1]
	}
	year := func(s string) bool {
		if s == "latest" {
			return true
		}
		if of, ok := strings.CutPrefix(s, "latest:"); ok && of != "" {
			r.YearOf = of
			return true
		}
		y, err := strconv.Atoi(s)
		if err != nil || y < MinYear || y > MaxYear {
			return false
		}
		r.Year = y
		return true
	}
	switch r.Kind {
	case RefValue:
		if len(args) != 2 || args[1] == "latest" || !year(args[1]) {
			return bad()
		}
		r.Series = args[0]
	case RefLatest, RefYear:
		if len(args) != 1 {
			return bad()
		}
		r.Series = args[0]
	case RefFact, RefSource:
		if len(args) != 1 {
			return bad()
		}
		r.Key = args[0]
	case RefWord:
		if len(args) != 4 || !year(args[1]) {
			return bad()
		}
		r.Series, r.Pos, r.Neg = args[0], args[2], args[3]
	case RefPreliminary:
		if len(args) < 3 || !year(args[1]) {
			return bad()
		}
		r.Series, r.Pos = args[0], strings.Join(args[2:], " ")
	default:
		return bad()
	}
	return r, nil
}

// Resolve finds the observation or fact a reference names. For a source
// reference only ok matters.
func (d *Dataset) Resolve(r *Ref) (o Observation, f Fact, ok bool) {
	switch r.Kind {
	case RefFact:
		f, ok = d.Fact(r.Key)
		return o, f, ok
	case RefSource:
		_, ok = d.Source(r.Key)
		return o, f, ok
	}
	switch {
	case r.YearOf != "":
		var l Observation
		if l, ok = d.Latest(r.YearOf); ok {
			o, ok = d.Observation(r.Series, l.Year)
		}
	case r.Year == 0:
		o, ok = d.Latest(r.Series)
	default:
		o, ok = d.Observation(r.Series, r.Year)
	}
	if ok && o.IsGap() {
		return Observation{}, f, false // a recorded gap has no figure to show
	}
	return o, f, ok
}

// checkRef says what is wrong with a reference in this dataset, or "".
func (d *Dataset) checkRef(r *Ref) string {
	if _, _, ok := d.Resolve(r); ok {
		return ""
	}
	switch r.Kind {
	case RefFact:
		return fmt.Sprintf("%s: no fact has the key %q; add it to the Facts sheet or fix the spelling", r.Text, r.Key)
	case RefSource:
		return fmt.Sprintf("%s: no source has the ID %q; add it to the Sources sheet or fix the spelling", r.Text, r.Key)
	}
	if _, ok := d.SeriesByID(r.Series); !ok {
		return fmt.Sprintf("%s: no series has the ID %q; add it to the Series sheet or fix the spelling", r.Text, r.Series)
	}
	if r.YearOf != "" {
		if _, ok := d.SeriesByID(r.YearOf); !ok {
			return fmt.Sprintf("%s: no series has the ID %q; add it to the Series sheet or fix the spelling", r.Text, r.YearOf)
		}
		return fmt.Sprintf("%s: series %s has no value for the year of the latest value of %s", r.Text, r.Series, r.YearOf)
	}
	if r.Year == 0 {
		return fmt.Sprintf("%s: series %s has no values yet", r.Text, r.Series)
	}
	return fmt.Sprintf("%s: series %s has no value for %d on the Observations sheet", r.Text, r.Series, r.Year)
}

var (
	rawHTML    = regexp.MustCompile(`<[A-Za-z/!?]`)
	autolink   = regexp.MustCompile(`^<https?://[^<>\s]*>`)
	inlineLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]*)`)
	refLinkDef = regexp.MustCompile(`(?m)^\s{0,3}\[[^\]]+\]:\s*<?(\S*?)>?(\s|$)`)
)

// checkText returns what is wrong with a piece of narrative text: raw
// HTML, links that are not http(s), and figure references that are
// malformed or name nothing in the dataset.
func (d *Dataset) checkText(s string) []string {
	var msgs []string
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		if m := autolink.FindString(s[i:]); m != "" {
			i += len(m) - 1
			continue
		}
		if rawHTML.MatchString(s[i:]) {
			msgs = append(msgs, fmt.Sprintf("raw HTML is not allowed (found %q): use Markdown, such as *emphasis* or [a link](https://example.org)", clip(s[i:])))
			break
		}
	}
	var links []string
	for _, m := range inlineLink.FindAllStringSubmatch(s, -1) {
		links = append(links, m[1])
	}
	for _, m := range refLinkDef.FindAllStringSubmatch(s, -1) {
		links = append(links, m[1])
	}
	for _, l := range links {
		if strings.Contains(l, "{{") {
			msgs = append(msgs, fmt.Sprintf("link %q: a figure reference cannot be part of a link's address", clip(l)))
			continue
		}
		if msg := checkURL(l); msg != "" {
			msgs = append(msgs, fmt.Sprintf("link %q: %s", clip(l), msg))
		}
	}
	segs, err := ParseRefs(s)
	if err != nil {
		return append(msgs, err.Error())
	}
	for _, sg := range segs {
		if sg.Ref != nil {
			if msg := d.checkRef(sg.Ref); msg != "" {
				msgs = append(msgs, msg)
			}
		}
	}
	return msgs
}
