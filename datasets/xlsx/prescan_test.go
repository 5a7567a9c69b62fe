package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// These tests cover the pieces of the pre-scan one by one, where the
// corpus of package xlsxtest covers them as a whole; and the temporary
// files and crashes of Decode, which need the hook only this package sees.

func TestSniff(t *testing.T) {
	ole := func(names ...string) []byte {
		b := append(bytes.Clone(oleMagic), make([]byte, 512-len(oleMagic)+128*len(names))...)
		for i, n := range names {
			e := b[512+128*i:]
			for j, r := range n {
				e[2*j] = byte(r)
			}
			e[64] = byte(2*len(n) + 2)
			e[66] = 2
		}
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string // fragment of the message; "" for a zip package
	}{
		{"empty", nil, "the file is empty"},
		{"xls", ole("Workbook"), "Excel 97–2003"},
		{"Excel 5 xls", ole("Book"), "Excel 97–2003"},
		{"encrypted", ole("EncryptionInfo", "EncryptedPackage"), "password-protected"},
		{"encrypted xls-like", ole("Workbook", "EncryptedPackage"), "password-protected"},
		{"Word 97 document", ole("WordDocument"), "not an Excel workbook"},
		{"OLE magic only", oleMagic, "not an Excel workbook"},
		{"pdf", []byte("%PDF-1.7\n"), "PDF document"},
		{"html", []byte("\xEF\xBB\xBF  <!DOCTYPE HTML>\n<HTML>"), "web page (HTML)"},
		{"html table", []byte("<table><tr><td>1</td></tr></table>"), "web page (HTML)"},
		{"Excel web page", []byte(`<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">`), "web page (HTML)"},
		{"xml 2003", []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`), "Excel 2003 XML"},
		{"other xml", []byte(`<?xml version="1.0"?><rss/>`), "not an Excel workbook"},
		{"csv", []byte("a,b\n1,2\n"), "CSV or text file"},
		{"csv in Windows-1252", []byte("Caf\xe9;1\r\n"), "CSV or text file"},
		{"utf-16 text", []byte("\xFF\xFEa\x00\t\x00b\x00\r\x00\n\x00"), "CSV or text file"},
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "not an Excel workbook"},
		{"zip", []byte("PK\x03\x04rest"), ""},
		{"empty zip", []byte("PK\x05\x06"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iss := sniff(tc.data)
			switch {
			case tc.want == "" && iss != nil:
				t.Errorf("sniff(%q) = %q, want nil", tc.data[:min(len(tc.data), 20)], iss.Message)
			case tc.want != "" && (iss == nil || !strings.Contains(iss.Message, tc.want)):
				t.Errorf("sniff(%q) = %v, want a message containing %q", tc.data[:min(len(tc.data), 20)], iss, tc.want)
			}
		})
	}
}

func TestUnsafeName(t *testing.T) {
	for _, tc := range []struct {
		name string
		size uint64
		want string // fragment; "" for a safe name
	}{
		{"xl/workbook.xml", 0, ""},
		{"[Content_Types].xml", 0, ""},
		{"xl/", 0, ""},
		{"xl/", 5, "folder holding data"},
		{"", 0, "empty name"},
		{"../evil", 0, "path with"},
		{"xl/../../evil", 0, "path with"},
		{"xl//workbook.xml", 0, "path with"},
		{"./xl/workbook.xml", 0, "path with"},
		{"/etc/passwd", 0, "absolute"},
		{"C:/Windows/evil", 0, "absolute"},
		{`xl\workbook.xml`, 0, "backslash"},
		{"xl/work\x00book.xml", 0, "control character"},
		{"xl/\xff.xml", 0, "not valid text"},
	} {
		got := unsafeName(&zip.File{FileHeader: zip.FileHeader{Name: tc.name, UncompressedSize64: tc.size}})
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("unsafeName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestDTDGuard writes each input in two pieces split at every point, since
// a declaration may straddle two reads of the decompressor.
func TestDTDGuard(t *testing.T) {
	utf16le := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			b.WriteString(string(rune(r)) + "\x00")
		}
		return b.String()
	}
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>`, true},
		{`<?xml version="1.0"?><x>&amp;</x><!ENTITY a "b">`, true},
		{`<x><!-- a comment --><![CDATA[ <x> ]]></x>`, false},
		{`<x a="<!"/>`, false},
		{"\xFF\xFE" + utf16le(`<!DOCTYPE x>`), true},
		{"\xFE\xFF" + "\x00<\x00!\x00D", true},
		{`<worksheet><sheetData/></worksheet>`, false},
		{`{"not": "xml", "but": "<!DOCTYPE"}`, false},
		{"  \n  " + `<!doctype x>`, true},
	} {
		for cut := 0; cut <= len(tc.in); cut++ {
			g := &dtdGuard{}
			g.Write([]byte(tc.in[:cut]))
			g.Write([]byte(tc.in[cut:]))
			if g.found != tc.want {
				t.Errorf("dtdGuard(%q split at %d) = %v, want %v", tc.in, cut, g.found, tc.want)
				break
			}
		}
	}
	named := &dtdGuard{decided: true, xml: true}
	named.Write([]byte(`garbage <!ENTITY`))
	if !named.found {
		t.Errorf("dtdGuard(part named .xml) = false, want true")
	}
}

func TestSICounter(t *testing.T) {
	in := `<?xml version="1.0"?><sst count="4"><si><t>a</t></si><si/><x:si><x:t>b</x:t></x:si>` +
		`<si ><r><t>c</t></r></si><sig/><site>d</site><s/><i/></sst>`
	for cut := 0; cut <= len(in); cut++ {
		c := &siCounter{limit: 4}
		_, err1 := c.Write([]byte(in[:cut]))
		_, err2 := c.Write([]byte(in[cut:]))
		if c.n != 4 || err1 != nil || err2 != nil {
			t.Fatalf("siCounter(split at %d) = %d, %v, %v; want 4 and no error", cut, c.n, err1, err2)
		}
	}
	c := &siCounter{limit: 3}
	if _, err := c.Write([]byte(in)); !errors.Is(err, errTooManyTexts) {
		t.Errorf("siCounter(limit 3).Write(4 items) = %v, want errTooManyTexts", err)
	}
}

func TestZipEntryCount(t *testing.T) {
	good := miniBook().build(t, nil)
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		n      int
		wantOK bool
	}{
		{"workbook", good, len(zr.File), true},
		{"data before the zip", append([]byte("MZ self-extractor stub"), good...), len(zr.File), true},
		{"empty zip", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), 0, true},
		{"cut in half", good[:len(good)/2], 0, false},
		{"last byte cut", good[:len(good)-1], 0, false},
		{"tiny", []byte("PK"), 0, false},
	} {
		n, ok := zipEntryCount(tc.data, 1000)
		if n != tc.n || ok != tc.wantOK {
			t.Errorf("zipEntryCount(%s) = %d, %v, want %d, %v", tc.name, n, ok, tc.n, tc.wantOK)
		}
	}
	if n, _ := zipEntryCount(good, 3); n != 4 {
		t.Errorf("zipEntryCount(workbook, limit 3) = %d, want 4 (stops past the limit)", n)
	}
}

// zipParts writes a zip of name/content pairs, with each entry's header
// changed by edit when it is not nil.
func zipParts(t *testing.T, edit func(h *zip.FileHeader), parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		h := &zip.FileHeader{Name: parts[i], Method: zip.Deflate}
		if edit != nil {
			edit(h)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withRawPart returns the mini workbook with one part added as is, its
// header written by the test.
func withRawPart(t *testing.T, h *zip.FileHeader, body string) []byte {
	t.Helper()
	data := miniBook().build(t, nil)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(h)
	if err == nil {
		_, err = w.Write([]byte(body))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPart returns the mini workbook with one part replaced or added.
func withPart(t *testing.T, name, content string) []byte {
	t.Helper()
	data := miniBook().build(t, nil)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		parts = append(parts, f.Name, b.String())
	}
	return zipParts(t, nil, append(parts, name, content)...)
}

func TestOpenPackageRefuses(t *testing.T) {
	const ct = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	const rels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"Word document", zipParts(t, nil, "[Content_Types].xml", ct, "_rels/.rels", rels, "word/document.xml", "<w:document/>"), Limits{}, "Word document or PowerPoint"},
		{"no workbook part", zipParts(t, nil, "[Content_Types].xml", ct), Limits{}, "zip archive but not an Excel workbook"},
		{"plain zip of text files", zipParts(t, nil, "notes.txt", "hello"), Limits{}, "zip archive but not an Excel workbook"},
		{"zip password", zipParts(t, func(h *zip.FileHeader) { h.Flags |= 1 }, "a.xml", "x"), Limits{}, "password-protected zip"},
		{"unknown compression method", withRawPart(t, &zip.FileHeader{Name: "xl/media/image1.png", Method: 14, CompressedSize64: 4, UncompressedSize64: 4}, "\x00\x01\x02\x03"), Limits{}, "packed with a method spreadsheet programs do not use"},
		{"backslash name", withPart(t, `xl\worksheets\sheet9.xml`, "<worksheet/>"), Limits{}, "unsafe name (a backslash)"},
		{"absolute name", withPart(t, "/tmp/evil.xml", "<x/>"), Limits{}, "unsafe name (an absolute path)"},
		{"macro sheet", withPart(t, "xl/macrosheets/sheet1.xml", "<xm:macrosheet/>"), Limits{}, "contains macros"},
		{"SVG image with a DOCTYPE", withPart(t, "xl/media/image1.svg", `<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>`), Limits{}, ""},
		{"DOCTYPE in a part without extension", withPart(t, "xl/custom/data", `<!DOCTYPE x [<!ENTITY e "e">]><x/>`), Limits{}, "document type declarations"},
		{"damaged calcChain is left to excelize", withPart(t, "xl/calcChain.xml", "<calcChain><c r="), Limits{}, ""},
		{"DOCTYPE in a relationships part", withPart(t, "xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><Relationships/>`), Limits{}, "document type declarations"},
		{"too many texts for the limit", miniBook().build(t, nil), Limits{MaxSharedStrings: 3}, "more than 3 different texts"},
		{"too many parts for the limit", miniBook().build(t, nil), Limits{MaxEntries: 3}, "more than 3 parts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, iss := openPackage(tc.data, tc.lim.withDefaults())
			switch {
			case tc.want == "" && iss != nil:
				t.Errorf("openPackage(%s) = %q, want nil", tc.name, iss.Message)
			case tc.want != "" && (iss == nil || !strings.Contains(iss.Message, tc.want)):
				t.Errorf("openPackage(%s) = %v, want a message containing %q", tc.name, iss, tc.want)
			}
		})
	}
}

// TestTemplateAccepted: a template (.xltx) holds cells like a workbook and
// no code, so it is read like one.
func TestTemplateAccepted(t *testing.T) {
	data := miniBook().build(t, nil)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		s := b.String()
		if f.Name == "[Content_Types].xml" {
			s = strings.Replace(s, "spreadsheetml.sheet.main+xml", "spreadsheetml.template.main+xml", 1)
		}
		parts = append(parts, f.Name, s)
	}
	res := mustDecode(t, zipParts(t, nil, parts...), DefaultLimits())
	if !reflect.DeepEqual(res.Dataset, miniDataset()) {
		t.Errorf("Decode(template) differs:\n%s", diffDataset(res.Dataset, miniDataset()))
	}
}

// TestDecodeTempDir checks that excelize's temporary files go to a
// directory of the import's own and that nothing is left behind, whether
// the import succeeds, finds problems, fails to open, or crashes.
func TestDecodeTempDir(t *testing.T) {
	// A tiny XML limit makes excelize spill every worksheet to a file.
	spill := Limits{UnzipXMLSizeLimit: 512}
	damagedSheet := func(t *testing.T) []byte {
		return rewriteSheet(t, miniBook().build(t, nil), "Facts", func(s string) string {
			return strings.Replace(s, `<row r="2"`, `<row r="2"><c r="A2" t="s"<v>`, 1)
		})
	}
	for _, tc := range []struct {
		name  string
		data  func(t *testing.T) []byte
		crash bool
		want  string // fragment of an issue; "" for a valid workbook
	}{
		{name: "valid", data: func(t *testing.T) []byte { return miniBook().build(t, nil) }},
		{name: "damaged sheet", data: damagedSheet, want: "damaged"},
		{name: "opening fails after spilling", data: func(t *testing.T) []byte { return withPart(t, "xl/calcChain.xml", "<calcChain><c r=") }, want: "could not be read as a workbook"},
		{name: "crash after spilling", data: func(t *testing.T) []byte { return miniBook().build(t, nil) }, crash: true, want: "could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			t.Setenv("TMPDIR", root)
			data := tc.data(t)
			spilled := -1
			afterOpen = func(dir string) {
				if filepath.Dir(dir) != root {
					t.Errorf("temporary directory %s is not in TMPDIR %s", dir, root)
				}
				entries, _ := os.ReadDir(dir)
				spilled = len(entries)
				if tc.crash {
					panic("boom")
				}
			}
			t.Cleanup(func() { afterOpen = nil })
			_, err := Decode(data, spill)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Decode(%s) = %v, want nil", tc.name, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Decode(%s) = %v, want an issue containing %q", tc.name, err, tc.want)
			}
			if tc.name != "opening fails after spilling" && spilled < 6 {
				t.Errorf("Decode(%s) spilled %d files, want one per sheet (the test needs them)", tc.name, spilled)
			}
			left, err := os.ReadDir(root)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) > 0 {
				t.Errorf("Decode(%s) left %d entries in TMPDIR (%s), want none", tc.name, len(left), left[0].Name())
			}
		})
	}
}

// TestDecodeNoTempDir: a server that cannot make a temporary directory is
// the server's failure, not the file's, and must not be reported as a bad
// upload; a file refused by the pre-scan needs no directory at all.
func TestDecodeNoTempDir(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	_, err := Decode(miniBook().build(t, nil), DefaultLimits())
	var xe *Error
	if err == nil || errors.As(err, &xe) {
		t.Errorf("Decode(no TMPDIR) = %v (%T), want an error that is not *Error", err, err)
	}
	_, err = Decode([]byte("a,b\n"), DefaultLimits())
	if !errors.As(err, &xe) {
		t.Errorf("Decode(CSV, no TMPDIR) = %v (%T), want *Error", err, err)
	}
}

// TestDecodeCrash checks that a panic in the parse path becomes an issue
// about the file, whose internal cause the server can still log.
func TestDecodeCrash(t *testing.T) {
	afterOpen = func(string) {
		var m map[string]int
		//lint:ignore SA5000 a deliberate runtime error, as a bug in excelize would raise
		m["nil map"]++
	}
	t.Cleanup(func() { afterOpen = nil })
	res, err := Decode(miniBook().build(t, nil), DefaultLimits())
	if res != nil {
		t.Errorf("Decode(crash) result = %+v, want nil", res)
	}
	var xe *Error
	if !errors.As(err, &xe) || len(xe.Issues) != 1 {
		t.Fatalf("Decode(crash) = %v (%T), want *Error with one issue", err, err)
	}
	if iss := xe.Issues[0]; iss.Sheet != "" || !strings.Contains(iss.Message, "save it again as .xlsx") || strings.Contains(iss.Message, "nil map") {
		t.Errorf("Decode(crash) issue = %q, want a plain message without internals", iss)
	}
	if cause := errors.Unwrap(err); cause == nil || !strings.Contains(cause.Error(), "nil map") || !strings.Contains(cause.Error(), "goroutine") {
		t.Errorf("errors.Unwrap(Decode(crash)) = %v, want the panic with its stack", cause)
	}
}

func TestDecodeSheetNames(t *testing.T) {
	rename := func(from, to string) func(f *excelize.File) error {
		return func(f *excelize.File) error { return f.SetSheetName(from, to) }
	}
	for _, tc := range []struct {
		name  string
		edit  func(f *excelize.File) error
		want  []want // nil: valid
		warns []want
	}{
		{name: "trailing space", edit: rename("Observations", "Observations ")},
		{name: "other case and inner spaces", edit: rename("Projects", "PROJECTS")},
		{name: "non-breaking space", edit: rename("Facts", "\u00a0facts\u00a0")},
		{
			name:  "Cyrillic look-alike letter",
			edit:  rename("Observations", "\u041ebservations"),
			want:  []want{{"Observations", "", "no sheet named Observations"}},
			warns: []want{{"\u041ebservations", "", "not part of the format"}},
		},
		{
			name:  "zero-width space inside",
			edit:  rename("Series", "Ser\u200bies"),
			want:  []want{{"Series", "", "no sheet named Series"}},
			warns: []want{{"Ser\u200bies", "", "not part of the format"}},
		},
		{
			name: "two sheets differing in case",
			edit: func(f *excelize.File) error {
				i, err := f.NewSheet("facts ")
				if err == nil {
					err = f.SetCellStr(f.GetSheetName(i), "A1", "Key")
				}
				return err
			},
			want: []want{{"Facts", "", "two sheets are named Facts"}},
		},
		{
			name: "empty data sheet",
			edit: func(f *excelize.File) error {
				if err := f.DeleteSheet("Projects"); err != nil {
					return err
				}
				_, err := f.NewSheet("Projects")
				return err
			},
			want: []want{{"Projects", "", "the sheet is empty: it needs the header row"}},
		},
		{
			name: "data sheet with only formatting",
			edit: func(f *excelize.File) error {
				if err := f.DeleteSheet("Facts"); err != nil {
					return err
				}
				if _, err := f.NewSheet("Facts"); err != nil {
					return err
				}
				style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
				if err != nil {
					return err
				}
				return f.SetCellStyle("Facts", "A1", "H20", style)
			},
			want: []want{{"Facts", "", "the sheet is empty"}},
		},
		{
			name: "header only",
			edit: func(f *excelize.File) error { return f.RemoveRow("Facts", 2) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Decode(miniBook().build(t, tc.edit), DefaultLimits())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Decode(%s) = %v, want nil", tc.name, err)
				}
			} else {
				got := issuesOf(t, err)
				if len(got) != len(tc.want) {
					t.Errorf("Decode(%s) = %d issues, want %d:\n%s", tc.name, len(got), len(tc.want), issueList(got))
				}
				for _, w := range tc.want {
					if !slicesContainsFunc(got, w.matches) {
						t.Errorf("Decode(%s) issues lack %s!%s %q; got:\n%s", tc.name, w.sheet, w.cell, w.fragment, issueList(got))
					}
				}
			}
			for _, w := range tc.warns {
				if res == nil || !slicesContainsFunc(warnIssues(t, res.Warnings), w.matches) {
					t.Errorf("Decode(%s) warnings lack %s %q", tc.name, w.sheet, w.fragment)
				}
			}
		})
	}
}
