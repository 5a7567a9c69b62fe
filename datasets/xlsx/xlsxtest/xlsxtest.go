// Package xlsxtest provides workbooks for testing uploads: a valid workbook
// of the default dataset, and a corpus of broken and hostile files, each
// with the issue xlsx.Decode reports for it. It is a package of its own,
// not a test file, so that the web layer's tests can upload every case and
// check that each is refused with its message and leaves the data as it
// was.
//
// Every file is built in code, from the default dataset's workbook or from
// scratch, so the corpus needs no fixtures and follows the format when it
// changes. The expected messages assume xlsx.DefaultLimits.
package xlsxtest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/xlsx"
)

// Case is one broken or hostile upload and the issue Decode must report.
type Case struct {
	// Name says what is wrong with the file, for test names.
	Name string
	// Data is the file as uploaded.
	Data []byte
	// Sheet and Cell locate the expected issue; both are "" for a problem
	// with the file as a whole, and Cell is "" for one with a whole sheet.
	Sheet, Cell string
	// Message is a fragment of the expected issue's message.
	Message string
}

// built caches the corpus: building it compresses tens of megabytes, and
// several test packages and fuzz seeds ask for it.
var built struct {
	once  sync.Once
	valid []byte
	cases []Case
	err   error
}

func build() {
	built.valid, built.err = encodeDefault()
	if built.err == nil {
		built.cases, built.err = hostile(built.valid)
	}
}

// Valid returns a valid workbook of the default dataset, as Encode writes
// it. Each call returns a fresh copy the caller may change.
func Valid(tb testing.TB) []byte {
	tb.Helper()
	built.once.Do(build)
	if built.err != nil {
		tb.Fatalf("xlsxtest: %v", built.err)
	}
	return bytes.Clone(built.valid)
}

// Hostile returns the corpus of broken and hostile workbooks: files that
// are not workbooks at all, zip packages built to exhaust memory or escape
// a directory, workbooks with macros or XML entities, and workbooks whose
// data breaks the format in the ways analysts' edits do. Each call returns
// fresh copies the caller may change.
func Hostile(tb testing.TB) []Case {
	tb.Helper()
	built.once.Do(build)
	if built.err != nil {
		tb.Fatalf("xlsxtest: %v", built.err)
	}
	out := make([]Case, len(built.cases))
	for i, c := range built.cases {
		c.Data = bytes.Clone(c.Data)
		out[i] = c
	}
	return out
}

func encodeDefault() ([]byte, error) {
	var buf bytes.Buffer
	if err := xlsx.Encode(&buf, datasets.MustDefault()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// hostile builds the corpus from the valid workbook.
func hostile(valid []byte) ([]Case, error) {
	var (
		out  []Case
		errs []error
	)
	add := func(name, sheet, cell, msg string, data []byte, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("case %q: %w", name, err))
			return
		}
		out = append(out, Case{Name: name, Data: data, Sheet: sheet, Cell: cell, Message: msg})
	}
	file := func(name, msg string, data []byte, err error) { add(name, "", "", msg, data, err) }
	obsPart := sheetPath(valid, "Observations")
	if obsPart == "" {
		return nil, errors.New("the valid workbook has no Observations sheet")
	}
	obs := func(change func(string) string) ([]byte, error) { return rewriteSheet(valid, "Observations", change) }

	// Files that are not workbooks.
	file("empty file", "the file is empty", []byte{}, nil)
	file("old .xls workbook (OLE)", "Excel 97–2003 workbook (.xls)", oleFile("Workbook", 4096), nil)
	enc, err := excelize.Encrypt(valid, &excelize.Options{Password: "secret"})
	file("password-protected workbook (encrypted OOXML in OLE)", "password-protected", enc, err)
	file("CSV renamed to .xlsx", "CSV or text file", []byte("Series,Year,Value,Source,Note\nus_goods_exports,2023,65.3,bea,\n"), nil)
	file("tab-separated Unicode text (UTF-16)", "CSV or text file", utf16Text("Series\tYear\tValue\r\nus_goods_exports\t2023\t65.3\r\n"), nil)
	file("HTML table renamed to .xlsx", "web page (HTML)", []byte("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Export</title></head>\n<body><table><tr><td>Series</td><td>Year</td></tr></table></body></html>\n"), nil)
	file("Excel 2003 XML spreadsheet", "Excel 2003 XML spreadsheet", []byte("<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"Observations\"/></Workbook>\n"), nil)
	file("PDF renamed to .xlsx", "PDF document", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), nil)
	ods, err := odsFile()
	file("OpenDocument spreadsheet (.ods)", "OpenDocument spreadsheet (.ods)", ods, err)
	file("random bytes", "not an Excel workbook (.xlsx)", randomBytes(64<<10), nil)
	xlsb, err := zipOf(part{name: "[Content_Types].xml", data: []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>`)}, part{name: "xl/workbook.bin", data: []byte{0x83, 0x01, 0x00}})
	file("Excel binary workbook (.xlsb)", "Excel Binary Workbook (.xlsb)", xlsb, err)

	// Zip packages that are damaged or hostile.
	file("zip cut in half", "the file is incomplete", valid[:len(valid)/2], nil)
	data, err := rezip(valid, nil, part{name: "xl/media/image1.png", data: make([]byte, 2<<20)})
	file("zip bomb: a part expands 800 times", "expands more than 200 times", data, err)
	data, err = rezip(valid, replace(obsPart, func(name string, b []byte) part {
		return part{name: name, data: b, declare: 15 << 30}
	}))
	file("a part declares 15 GiB", "larger than 256 MB once unpacked", data, err)
	data, err = rezip(valid, replace(obsPart, func(name string, b []byte) part {
		return part{name: name, data: b, declare: 100}
	}))
	file("a part declares less than it holds", "holds more than the file's table of contents says", data, err)
	data, err = rezip(valid, replace("xl/styles.xml", func(name string, b []byte) part {
		return part{name: name, data: b, crc: 0xDEADBEEF}
	}))
	file("a part fails its checksum", "fails its checksum", data, err)
	fillers := make([]part, 10001)
	for i := range fillers {
		fillers[i] = part{name: fmt.Sprintf("xl/media/filler%05d.bin", i), store: true}
	}
	data, err = rezip(valid, nil, fillers...)
	file("too many entries", "more than 10000 parts", data, err)
	data, err = rezip(valid, nil, part{name: "../../../etc/cron.d/bilateral", data: []byte("* * * * * root true\n")})
	file("path traversal in a part name", "unsafe name", data, err)
	data, err = rezip(valid, nil, part{name: "xl/workbook.xml", data: []byte(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`)})
	file("two parts with the same name", "same name", data, err)
	data, err = rezip(valid, func(name string, b []byte) (part, bool) {
		// As Excel saves an .xlsm renamed to .xlsx: the workbook's content
		// type says macro-enabled, and the VBA project is related to it.
		switch name {
		case "[Content_Types].xml":
			b = bytes.Replace(b, []byte("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"), []byte("application/vnd.ms-excel.sheet.macroEnabled.main+xml"), 1)
			b = bytes.Replace(b, []byte("</Types>"), []byte(`<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>`), 1)
		case "xl/_rels/workbook.xml.rels":
			b = bytes.Replace(b, []byte("</Relationships>"), []byte(`<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>`), 1)
		}
		return part{name: name, data: b}, true
	}, part{name: "xl/vbaProject.bin", data: oleFile("VBA", 4096)})
	file("macro-enabled workbook (.xlsm) with vbaProject.bin", "contains macros (.xlsm)", data, err)
	data, err = obs(func(s string) string {
		decl := `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`
		s = strings.Replace(s, "?>", "?>"+decl, 1)
		return strings.Replace(s, "</sheetData>", `<row r="9999"><c r="A9999" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData>`, 1)
	})
	file("XML entities (billion laughs)", "document type declarations", data, err)
	data, err = rezip(valid, drop("[Content_Types].xml"))
	file("missing [Content_Types].xml", "zip archive but not an Excel workbook", data, err)
	sst := func(change func(string) string) ([]byte, error) {
		return rezip(valid, replace("xl/sharedStrings.xml", func(name string, b []byte) part {
			return part{name: name, data: []byte(change(string(b)))}
		}))
	}
	data, err = sst(func(s string) string {
		var b strings.Builder
		b.WriteString(strings.TrimSuffix(s, "</sst>"))
		for i := range 500001 {
			b.WriteString("<si><t>filler ")
			b.WriteString(strconv.Itoa(i))
			b.WriteString("</t></si>")
		}
		b.WriteString("</sst>")
		return b.String()
	})
	file("huge shared-string table", "more than 500000 different texts", data, err)
	data, err = sst(func(s string) string { return s[:len(s)/2] })
	file("shared-string table cut short", "table of texts is damaged", data, err)

	// Workbooks whose sheets break the format.
	sheet := func(name, sheet, cell, msg string, edit func(f *excelize.File) error) {
		data, err := excelizeEdit(valid, edit)
		add(name, sheet, cell, msg, data, err)
	}
	sheet("missing required sheet", "Facts", "", "no sheet named Facts", func(f *excelize.File) error { return f.DeleteSheet("Facts") })
	sheet("sheet renamed with a look-alike letter", "Observations", "", "no sheet named Observations", func(f *excelize.File) error {
		return f.SetSheetName("Observations", "\u041ebservations") // Cyrillic O
	})
	sheet("empty data sheet", "Facts", "", "the sheet is empty", func(f *excelize.File) error {
		if err := f.DeleteSheet("Facts"); err != nil {
			return err
		}
		_, err := f.NewSheet("Facts")
		return err
	})
	sheet("duplicated header", "Observations", "F1", "appears twice", func(f *excelize.File) error {
		return f.SetCellStr("Observations", "F1", "value")
	})
	sheet("missing header", "Observations", "", `the column "Value" is missing`, func(f *excelize.File) error {
		return f.SetCellStr("Observations", "C1", "Amount")
	})
	sheet("merged cells in data rows", "Observations", "D3", "merged cells are not allowed in data rows", func(f *excelize.File) error {
		return f.MergeCell("Observations", "D3", "E3")
	})
	sheet("text in a number column", "Observations", "C2", "Value must be a number", func(f *excelize.File) error {
		return f.SetCellStr("Observations", "C2", "12,5x")
	})
	sheet("unknown source reference", "Observations", "D2", "no source has this ID", func(f *excelize.File) error {
		return f.SetCellStr("Observations", "D2", "no-such-source")
	})
	sheet("more rows than the cap", "Observations", "", "more than 200000 rows", func(f *excelize.File) error {
		return f.SetCellStr("Observations", "A200001", "us_goods_exports")
	})
	data, err = obs(func(s string) string {
		return regexp.MustCompile(`<c r="C2"[^>]*?(/>|>.*?</c>)`).ReplaceAllString(s, `<c r="C2"><f>1+1</f></c>`)
	})
	add("formula without a saved result", "Observations", "C2", "formula but no saved result", data, err)
	data, err = obs(func(s string) string {
		i := strings.Index(s, `<row r="10"`)
		if i < 0 {
			return s
		}
		// The part stays a valid zip entry; its XML breaks off in row 10.
		return s[:i] + `<row r="10"><c r="A10" t="s"><v>1`
	})
	add("sheet XML cut off mid-row", "Observations", "", "damaged", data, err)

	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// part is one entry of a zip package being built.
type part struct {
	name string
	data []byte
	// store keeps the data uncompressed, as some tools do.
	store bool
	// declare, when not 0, is the uncompressed size written in the zip
	// directory instead of the real one.
	declare uint64
	// crc, when not 0, is the checksum written instead of the real one.
	crc uint32
}

// zipOf writes parts as a zip package, in order.
func zipOf(parts ...part) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if err := writePart(zw, p); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writePart writes one part, compressing it itself so that the sizes and
// checksum in the directory can be made to lie.
func writePart(zw *zip.Writer, p part) error {
	h := &zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(p.data), UncompressedSize64: uint64(len(p.data))}
	body := p.data
	if p.store {
		h.Method = zip.Store
	} else {
		var c bytes.Buffer
		// Fastest, since the corpus is built in every test run; it packs
		// spreadsheet XML about as well as Excel does.
		fw, err := flate.NewWriter(&c, flate.BestSpeed)
		if err != nil {
			return err
		}
		if _, err := fw.Write(p.data); err != nil {
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
		body = c.Bytes()
	}
	h.CompressedSize64 = uint64(len(body))
	if p.declare != 0 {
		h.UncompressedSize64 = p.declare
	}
	if p.crc != 0 {
		h.CRC32 = p.crc
	}
	w, err := zw.CreateRaw(h)
	if err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

// rezip rewrites a zip package: change (nil keeps everything) maps each
// part to its replacement or drops it, and extra parts are added at the
// end.
func rezip(data []byte, change func(name string, b []byte) (part, bool), extra ...part) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var parts []part
	for _, f := range zr.File {
		b, err := readAll(f)
		if err != nil {
			return nil, err
		}
		p, keep := part{name: f.Name, data: b}, true
		if change != nil {
			p, keep = change(f.Name, b)
		}
		if keep {
			parts = append(parts, p)
		}
	}
	return zipOf(append(parts, extra...)...)
}

// replace returns a change for rezip that replaces one part.
func replace(name string, with func(name string, b []byte) part) func(string, []byte) (part, bool) {
	return func(n string, b []byte) (part, bool) {
		if n == name {
			return with(n, b), true
		}
		return part{name: n, data: b}, true
	}
}

// drop returns a change for rezip that leaves one part out.
func drop(name string) func(string, []byte) (part, bool) {
	return func(n string, b []byte) (part, bool) { return part{name: n, data: b}, n != name }
}

func readAll(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// sheetPath returns the zip entry name of a sheet, found through the
// workbook and its relationships the way a reader finds it; "" when the
// workbook has no such sheet.
func sheetPath(data []byte, sheet string) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	read := func(name string, v any) bool {
		f, err := zr.Open(name)
		if err != nil {
			return false
		}
		defer f.Close()
		return xml.NewDecoder(f).Decode(v) == nil
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if !read("xl/workbook.xml", &wb) || !read("xl/_rels/workbook.xml.rels", &rels) {
		return ""
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rel {
			if r.ID == s.ID {
				if strings.HasPrefix(r.Target, "/") {
					return strings.TrimPrefix(r.Target, "/")
				}
				return path.Join("xl", r.Target)
			}
		}
	}
	return ""
}

// rewriteSheet changes the XML of one sheet, for damage excelize cannot be
// asked to write.
func rewriteSheet(data []byte, sheet string, change func(string) string) ([]byte, error) {
	name := sheetPath(data, sheet)
	if name == "" {
		return nil, fmt.Errorf("no sheet %s", sheet)
	}
	return rezip(data, replace(name, func(n string, b []byte) part {
		return part{name: n, data: []byte(change(string(b)))}
	}))
}

// excelizeEdit opens a workbook with excelize, edits it and saves it.
func excelizeEdit(data []byte, edit func(f *excelize.File) error) ([]byte, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := edit(f); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// odsFile is a minimal OpenDocument spreadsheet: its mimetype entry comes
// first and uncompressed, as the standard requires.
func odsFile() ([]byte, error) {
	return zipOf(
		part{name: "mimetype", data: []byte("application/vnd.oasis.opendocument.spreadsheet"), store: true},
		part{name: "META-INF/manifest.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`)},
		part{name: "content.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Observations"/></office:spreadsheet></office:body></office:document-content>`)},
	)
}

// oleFile is a minimal OLE compound file (version 3, 512-byte sectors) with
// one stream of the given name and size: "Workbook" makes an .xls, "VBA" a
// stand-in for a VBA project. Sector 0 is the allocation table, sector 1
// the directory, and the stream follows.
func oleFile(stream string, size int) []byte {
	const (
		sectorLen  = 512
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	n := (size + sectorLen - 1) / sectorLen
	b := make([]byte, sectorLen*(3+n))
	le := binary.LittleEndian
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(b[0x18:], 0x003E) // minor version
	le.PutUint16(b[0x1A:], 0x0003) // major version
	le.PutUint16(b[0x1C:], 0xFFFE) // byte order
	le.PutUint16(b[0x1E:], 9)      // sector shift: 512 bytes
	le.PutUint16(b[0x20:], 6)      // mini sector shift: 64 bytes
	le.PutUint32(b[0x2C:], 1)      // FAT sectors
	le.PutUint32(b[0x30:], 1)      // first directory sector
	le.PutUint32(b[0x38:], 4096)   // mini stream cutoff
	le.PutUint32(b[0x3C:], endOfChain)
	le.PutUint32(b[0x44:], endOfChain)
	for i := range 109 {
		le.PutUint32(b[0x4C+4*i:], freeSect)
	}
	le.PutUint32(b[0x4C:], 0) // the FAT is sector 0
	sector := func(i int) []byte { return b[sectorLen*(i+1) : sectorLen*(i+2)] }
	fat := sector(0)
	for i := range sectorLen / 4 {
		le.PutUint32(fat[4*i:], freeSect)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	for i := range n {
		next := uint32(i + 3)
		if i == n-1 {
			next = endOfChain
		}
		le.PutUint32(fat[4*(i+2):], next)
	}
	dir := sector(1)
	entry := func(i int, name string, typ byte, child, start uint32, size uint64) {
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		if name != "" {
			le.PutUint16(e[64:], uint16(2*len(u)+2))
		}
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint64(e[120:], size)
	}
	entry(0, "Root Entry", 5, 1, endOfChain, 0)
	entry(1, stream, 2, noStream, 2, uint64(size))
	entry(2, "", 0, noStream, 0, 0)
	entry(3, "", 0, noStream, 0, 0)
	// A BIFF8 beginning-of-file record, as an .xls stream starts.
	copy(sector(2), []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00})
	return b
}

// utf16Text is s as UTF-16LE with a byte order mark, as Excel saves
// "Unicode Text".
func utf16Text(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// randomBytes returns n bytes that are the same in every run.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{'b', 'i', 'l', 'a', 't', 'e', 'r', 'a', 'l'}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// WithWarnings returns data, a valid workbook, with two additions that
// Decode accepts with a warning each: a sheet named Scratch, which is not
// part of the format (code unknown_sheet, at "Scratch"), and a column
// headed "Checked by" after the last column of Observations (code
// unknown_column, at the header cell, F1 in a workbook Encode wrote).
func WithWarnings(tb testing.TB, data []byte) []byte {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("xlsxtest: %v", err)
	}
	defer f.Close()
	cols, err := f.GetCols("Observations")
	if err == nil {
		col, _ := excelize.ColumnNumberToName(len(cols) + 1)
		err = errors.Join(f.SetCellStr("Observations", col+"1", "Checked by"), f.SetCellStr("Observations", col+"2", "ana"))
	}
	if err == nil {
		_, err = f.NewSheet("Scratch")
	}
	if err == nil {
		err = f.SetCellStr("Scratch", "A1", "working notes")
	}
	var b bytes.Buffer
	if err == nil {
		err = f.Write(&b)
	}
	if err != nil {
		tb.Fatalf("xlsxtest: adding a sheet and a column: %v", err)
	}
	return b.Bytes()
}

// WithFormula returns data, a workbook Encode wrote, with the formula
// (written without "=") added to one cell of a sheet, keeping the cell's
// saved value: what Excel writes for a formula it has calculated. The
// saved value need not be what the formula computes.
func WithFormula(tb testing.TB, data []byte, sheet, cell, formula string) []byte {
	tb.Helper()
	out, err := rewriteSheet(data, sheet, func(x string) string {
		i := strings.Index(x, `<c r="`+cell+`"`)
		if i < 0 {
			return x
		}
		j := strings.Index(x[i:], ">")
		if j < 0 || x[i+j-1] == '/' {
			return x
		}
		var esc bytes.Buffer
		xml.EscapeText(&esc, []byte(formula))
		at := i + j + 1
		return x[:at] + "<f>" + esc.String() + "</f>" + x[at:]
	})
	if err != nil {
		tb.Fatalf("xlsxtest: adding a formula: %v", err)
	}
	return out
}

// EditPart returns data, a zip package, with edit applied to the text of
// the part called name and the extra parts (name, content pairs) added at
// the end.
func EditPart(tb testing.TB, data []byte, name string, edit func(string) string, extra ...string) []byte {
	tb.Helper()
	var more []part
	for i := 0; i+1 < len(extra); i += 2 {
		more = append(more, part{name: extra[i], data: []byte(extra[i+1])})
	}
	out, err := rezip(data, replace(name, func(n string, b []byte) part {
		return part{name: n, data: []byte(edit(string(b)))}
	}), more...)
	if err != nil {
		tb.Fatalf("xlsxtest: editing %s: %v", name, err)
	}
	return out
}
