package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// This file checks an upload's zip package before excelize opens it, since
// excelize trusts what a zip says about itself: it reserves as much memory
// as an entry declares (an entry can declare 15 GiB), ignores read errors
// (an entry that holds more than it declares is silently cut short), reads
// every entry into memory, and opens old and encrypted formats on its own.
// The checks run cheapest first, and the first that fails names the
// problem; a hostile file has no claim to a complete list.

// The compression-ratio check: a part that unpacks to more than ratioFloor
// bytes may expand at most maxRatio times. Deflate cannot do much better
// than 1000:1, which only runs of one byte reach; spreadsheet XML, whose
// cell references and values change from cell to cell, packs 10 to 30
// times. Small parts are exempt: they cannot exhaust anything.
const (
	maxRatio   = 200
	ratioFloor = 1 << 20
)

// Messages for zip packages that are not workbooks Decode accepts.
const (
	msgTruncated     = "the file is incomplete — it may have been cut off while uploading: upload it again; if this keeps happening, open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy"
	msgNotXLSX       = "the file is a zip archive but not an Excel workbook (.xlsx): if the workbook is inside it, unzip it and upload the .xlsx file; otherwise open the workbook in Excel or LibreOffice, choose Save As, pick Excel Workbook (.xlsx), and upload that file"
	msgOtherOffice   = "this is a Word document or PowerPoint presentation, not an Excel workbook: upload the Excel workbook (.xlsx) the figures are in"
	msgODS           = "this is an OpenDocument spreadsheet (.ods): open it in LibreOffice or Excel, choose Save As, pick Excel 2007-365 (.xlsx) or Excel Workbook (.xlsx), and upload that file"
	msgMacros        = "this workbook contains macros (.xlsm), which are never uploaded: in Excel choose File > Save As, pick Excel Workbook (.xlsx) rather than Excel Macro-Enabled Workbook, and upload that file; the data stays, the macros are left out"
	msgXLSB          = "this is an Excel Binary Workbook (.xlsb), which cannot be read: in Excel choose File > Save As, pick Excel Workbook (.xlsx), and upload that file"
	msgZipPassword   = "the file is a password-protected zip archive, not a workbook: upload the workbook itself, saved from Excel or LibreOffice as Excel Workbook (.xlsx)"
	msgDTD           = "the file contains XML document type declarations (<!DOCTYPE or <!ENTITY), which workbooks never need, so it was refused for safety: open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy"
	msgUnsafeName    = "the file contains a part with an unsafe name (%s), which no spreadsheet program writes, so it was refused for safety: open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy"
	msgDuplicateName = "the file contains two parts with the same name, so what it holds is ambiguous and it was refused for safety: open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy"
	msgTooManyParts  = "the file holds more than %d parts, far more than any workbook, so it was refused: open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy"
	msgTooLarge      = "the workbook is larger than %s once unpacked: remove what the dataset does not need, or split it"
	msgBomb          = "a part of the file expands more than %d times when unpacked, which workbooks saved by Excel or LibreOffice never do, so it was refused for safety: open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy"
	msgTooManyTexts  = "the workbook holds more than %d different texts, more than an upload may hold: delete sheets, columns or notes the dataset does not need, or split the data into several uploads"
	msgSaveAgain     = "open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy"
)

// damagedFile is the issue for a zip package that cannot be unpacked.
func damagedFile(why string) *Issue {
	return &Issue{Message: fmt.Sprintf("the file is damaged (%s): %s", why, msgSaveAgain)}
}

// sharedStringsPart is where excelize reads the shared-string table from,
// whatever the workbook's relationships say.
const sharedStringsPart = "xl/sharedstrings.xml"

// Content types of a workbook's main part: a workbook and a template
// (.xltx), whose cells are read the same way and which holds no code.
var workbookTypes = map[string]bool{
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":    true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": true,
}

// openPackage checks the upload and its zip package against the limits and
// maps sheet names to their worksheet parts. It returns an issue, not an
// error, when the file is not a workbook it can read: that is the
// analyst's to fix.
func openPackage(data []byte, lim Limits) (*pkg, *Issue) {
	if iss := sniff(data); iss != nil {
		return nil, iss
	}
	if int64(len(data)) > lim.UnzipSizeLimit {
		return nil, &Issue{Message: fmt.Sprintf("the file is larger than %s: remove what the dataset does not need, or split it", mb(lim.UnzipSizeLimit))}
	}
	zr, iss := openZip(data, lim)
	if iss != nil {
		return nil, iss
	}
	p, iss := newPkg(zr, lim)
	if iss != nil {
		return nil, iss
	}
	if iss := p.checkKind(); iss != nil {
		return nil, iss
	}
	if iss := p.checkParts(lim); iss != nil {
		return nil, iss
	}
	sheets, err := p.sheetList(p.workbook)
	if err != nil {
		return nil, &Issue{Message: "the workbook's list of sheets could not be read, so the file may be damaged: " + msgSaveAgain}
	}
	dir := path.Dir(p.workbook)
	rels, err := p.rels(path.Join(dir, "_rels", path.Base(p.workbook)+".rels"), dir)
	if err != nil {
		return nil, &Issue{Message: "the workbook's table of contents could not be read, so the file may be damaged: " + msgSaveAgain}
	}
	targets := map[string]string{}
	for _, r := range rels {
		targets[r.id] = r.target
	}
	for _, s := range sheets {
		if t, ok := targets[s.rid]; ok {
			p.parts[s.name] = t
		}
	}
	return p, nil
}

// openZip parses the zip directory, first counting its entries without
// allocating: archive/zip keeps a record for every entry it finds, however
// many the file claims, so the count must be capped before it runs.
func openZip(data []byte, lim Limits) (*zip.Reader, *Issue) {
	n, ok := zipEntryCount(data, lim.MaxEntries)
	if !ok {
		// A zip file ends with its table of contents; a file that starts
		// like a zip and has none was almost always cut short.
		if bytes.HasPrefix(data, zipMagic) {
			return nil, &Issue{Message: msgTruncated}
		}
		return nil, damagedFile("its table of contents is missing")
	}
	if n > lim.MaxEntries {
		return nil, &Issue{Message: fmt.Sprintf(msgTooManyParts, lim.MaxEntries)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	// ErrInsecurePath comes only with GODEBUG=zipinsecurepath=0; newPkg
	// checks names itself, with its own message, either way.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, damagedFile("its table of contents cannot be read")
	}
	return zr, nil
}

// zipEntryCount counts the entries of a zip file's central directory the
// way archive/zip finds them, stopping once the count passes limit. ok is
// false when the file has no end-of-directory record. archive/zip starts
// the directory where the end record says, or right before the end record
// when data precedes the zip; both are counted and the larger count
// returned.
func zipEntryCount(data []byte, limit int) (n int, ok bool) {
	const (
		endLen     = 22 // end-of-central-directory record, without comment
		locatorLen = 20 // zip64 end-of-directory locator
		headerLen  = 46 // central directory header, without name, extra, comment
	)
	le := binary.LittleEndian
	end := -1
	for i := len(data) - endLen; i >= max(0, len(data)-endLen-0xFFFF); i-- {
		if bytes.HasPrefix(data[i:], []byte("PK\x05\x06")) && i+endLen+int(le.Uint16(data[i+20:])) <= len(data) {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, false
	}
	records := uint64(le.Uint16(data[end+10:]))
	dirSize := uint64(le.Uint32(data[end+12:]))
	dirOffset := uint64(le.Uint32(data[end+16:]))
	dirEnd := uint64(end)
	if records == 0xFFFF || dirSize == 0xFFFF || dirSize == 0xFFFFFFFF || dirOffset == 0xFFFFFFFF {
		if l := end - locatorLen; l >= 0 && bytes.HasPrefix(data[l:], []byte("PK\x06\x07")) {
			if p := le.Uint64(data[l+8:]); p < uint64(len(data)) && p+56 <= uint64(len(data)) && bytes.HasPrefix(data[p:], []byte("PK\x06\x06")) {
				dirSize, dirOffset, dirEnd = le.Uint64(data[p+40:]), le.Uint64(data[p+48:]), p
			}
		}
	}
	count := func(off uint64) int {
		c := 0
		for off < uint64(len(data)) && uint64(len(data))-off >= headerLen && bytes.HasPrefix(data[off:], []byte("PK\x01\x02")) {
			c++
			if c > limit {
				break
			}
			off += headerLen + uint64(le.Uint16(data[off+28:])) + uint64(le.Uint16(data[off+30:])) + uint64(le.Uint16(data[off+32:]))
		}
		return c
	}
	n = count(dirOffset)
	if dirEnd >= dirSize {
		n = max(n, count(dirEnd-dirSize))
	}
	return n, true
}

// newPkg checks each entry's name and sizes, and indexes the parts.
func newPkg(zr *zip.Reader, lim Limits) (*pkg, *Issue) {
	p := &pkg{files: make(map[string]*zip.File, len(zr.File)), parts: map[string]string{}}
	var total uint64
	for _, f := range zr.File {
		if why := unsafeName(f); why != "" {
			return nil, &Issue{Value: printable(f.Name), Message: fmt.Sprintf(msgUnsafeName, why)}
		}
		if f.Flags&0x1 != 0 {
			return nil, &Issue{Message: msgZipPassword}
		}
		// Each entry is checked alone before it is added, so that the sum
		// cannot wrap around.
		size := f.UncompressedSize64
		if size > uint64(lim.UnzipSizeLimit) || total+size > uint64(lim.UnzipSizeLimit) {
			return nil, &Issue{Message: fmt.Sprintf(msgTooLarge, mb(lim.UnzipSizeLimit))}
		}
		total += size
		if size > ratioFloor && size/max(f.CompressedSize64, 1) > maxRatio {
			return nil, &Issue{Message: fmt.Sprintf(msgBomb, maxRatio)}
		}
		if strings.HasSuffix(f.Name, "/") {
			continue // an empty folder entry, which some zip tools add
		}
		name := partName(f.Name)
		if _, dup := p.files[name]; dup {
			return nil, &Issue{Value: printable(f.Name), Message: msgDuplicateName}
		}
		p.files[name] = f
		p.order = append(p.order, name)
	}
	return p, nil
}

// unsafeName says what is wrong with an entry's name, or "" when nothing
// is. Part names are plain relative paths with forward slashes; anything
// else is a path-traversal attempt or a file no spreadsheet program wrote,
// and names that differ only in spelling let two readers see two files.
func unsafeName(f *zip.File) string {
	name := f.Name
	switch {
	case name == "":
		return "an empty name"
	case !utf8.ValidString(name):
		return "not valid text"
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7F }):
		return "a control character"
	case strings.Contains(name, `\`):
		return "a backslash"
	case strings.HasPrefix(name, "/") || len(name) >= 2 && name[1] == ':':
		return "an absolute path"
	}
	if dir, ok := strings.CutSuffix(name, "/"); ok {
		if f.UncompressedSize64 != 0 {
			return "a folder holding data"
		}
		name = dir
	}
	if !fs.ValidPath(name) {
		return "a path with . or .. or an empty step"
	}
	return ""
}

// printable returns an entry name fit to show: valid text, no control
// characters, not absurdly long.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return '\uFFFD'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100]) + "…"
	}
	return s
}

// checkKind tells an .xlsx from the other zip-based formats an analyst may
// upload, and refuses workbooks with macros. It sets p.workbook.
func (p *pkg) checkKind() *Issue {
	if f, ok := p.files["mimetype"]; ok {
		// OpenDocument files start with a stored entry naming their type.
		if b, err := readPart(f, 256); err == nil && bytes.HasPrefix(b, []byte("application/vnd.oasis.opendocument.spreadsheet")) {
			return &Issue{Message: msgODS}
		}
	}
	if _, ok := p.files["xl/workbook.bin"]; ok {
		return &Issue{Message: msgXLSB}
	}
	for _, name := range p.order {
		base := path.Base(name)
		if base == "vbaproject.bin" || strings.HasPrefix(base, "vbaprojectsignature") || strings.HasPrefix(name, "xl/macrosheets/") {
			return &Issue{Message: msgMacros}
		}
	}
	f, ok := p.files["[content_types].xml"]
	if !ok {
		return &Issue{Message: msgNotXLSX}
	}
	types, err := contentTypes(f)
	if err != nil {
		return damagedFile("its list of content types cannot be read")
	}
	// A macro is a part: the declared types of the parts present are what
	// count. Some programs declare a default type for ".bin" files in every
	// workbook they save, macros or not.
	for _, name := range p.order {
		if t := types.of(name); strings.Contains(t, "vbaproject") || strings.Contains(t, "macrosheet") {
			return &Issue{Message: msgMacros}
		}
	}
	p.workbook = "xl/workbook.xml"
	if rels, err := p.rels("_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				p.workbook = r.target
				break
			}
		}
	}
	if _, ok := p.files[p.workbook]; !ok {
		return &Issue{Message: msgNotXLSX}
	}
	switch t := types.of(p.workbook); {
	case workbookTypes[t]:
		return nil
	case strings.Contains(t, "binary.macroenabled"):
		return &Issue{Message: msgXLSB}
	case strings.Contains(t, "macroenabled"):
		return &Issue{Message: msgMacros}
	case strings.Contains(t, "wordprocessingml"), strings.Contains(t, "presentationml"):
		return &Issue{Message: msgOtherOffice}
	}
	return &Issue{Message: msgNotXLSX}
}

// readPart reads a small part whole, refusing one longer than n bytes.
func readPart(f *zip.File, n int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, n+1))
	if err == nil && int64(len(b)) > n {
		err = errors.New("part too long")
	}
	return b, err
}

// typeMap is [Content_Types].xml: content types, lower-cased, by part name
// and by extension.
type typeMap struct {
	byPart, byExt map[string]string
}

// of returns the content type of a part.
func (m typeMap) of(part string) string {
	if t, ok := m.byPart[part]; ok {
		return t
	}
	return m.byExt[strings.TrimPrefix(path.Ext(part), ".")]
}

// contentTypes reads [Content_Types].xml. Its size is bounded by the
// checks of newPkg; what it keeps is bounded by maxTypesKept.
func contentTypes(f *zip.File) (typeMap, error) {
	m := typeMap{byPart: map[string]string{}, byExt: map[string]string{}}
	rc, err := f.Open()
	if err != nil {
		return m, err
	}
	defer rc.Close()
	d := newXMLDecoder(rc)
	for kept := 0; ; {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return m, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var name, ext, typ string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "PartName":
				name = partName(a.Value)
			case "Extension":
				ext = strings.ToLower(a.Value)
			case "ContentType":
				typ = strings.ToLower(strings.TrimSpace(a.Value))
			}
		}
		if kept++; kept > maxTypesKept {
			continue
		}
		switch se.Name.Local {
		case "Override":
			m.byPart[name] = typ
		case "Default":
			m.byExt[ext] = typ
		default:
			continue
		}
	}
}

// maxTypesKept bounds the elements of [Content_Types].xml looked at; a
// real workbook has a few dozen, one per part at most.
const maxTypesKept = 100000

// checkParts unpacks every part once, discarding what it reads, to check
// what the zip directory cannot tell: that each part holds exactly what it
// declares and is not damaged, that no XML part has a document type
// declaration, and that the shared-string table is within MaxSharedStrings
// and readable. excelize would otherwise cut a part silently short (its
// reader ignores errors) or spend memory on a table that is too big.
func (p *pkg) checkParts(lim Limits) *Issue {
	for _, name := range p.order {
		if iss := p.checkPart(name, lim); iss != nil {
			return iss
		}
	}
	return nil
}

// checkPart checks one part; see checkParts.
func (p *pkg) checkPart(name string, lim Limits) *Issue {
	f := p.files[name]
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return damagedFile(fmt.Sprintf("the part %s is packed with a method spreadsheet programs do not use", printable(f.Name)))
		}
		return damagedFile(fmt.Sprintf("the part %s cannot be unpacked", printable(f.Name)))
	}
	defer rc.Close()
	// archive/zip itself stops with ErrFormat at the first byte beyond the
	// declared size; the limit and the count make that a property of this
	// code rather than of the library's version.
	cr := &countingReader{r: io.LimitReader(rc, int64(f.UncompressedSize64)+1)}
	g := &dtdGuard{}
	switch path.Ext(name) {
	case ".xml", ".rels", ".vml":
		g.decided, g.xml = true, true
	case ".svg":
		g.decided = true
	}
	var w io.Writer = g
	var si *siCounter
	if name == sharedStringsPart {
		si = &siCounter{limit: lim.MaxSharedStrings}
		w = io.MultiWriter(g, si)
	}
	_, err = io.Copy(w, cr)
	if errors.Is(err, errTooManyTexts) {
		return &Issue{Message: fmt.Sprintf(msgTooManyTexts, lim.MaxSharedStrings)}
	}
	switch {
	case g.found:
		return &Issue{Message: msgDTD}
	case cr.n > f.UncompressedSize64 || errors.Is(err, zip.ErrFormat):
		return damagedFile(fmt.Sprintf("the part %s holds more than the file's table of contents says", printable(f.Name)))
	case errors.Is(err, zip.ErrChecksum):
		return damagedFile(fmt.Sprintf("the part %s fails its checksum", printable(f.Name)))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return damagedFile(fmt.Sprintf("the part %s is cut short", printable(f.Name)))
	case err != nil:
		return damagedFile(fmt.Sprintf("the part %s cannot be unpacked", printable(f.Name)))
	case si != nil && !p.sharedStringsParse():
		return &Issue{Message: "the workbook's table of texts is damaged, so some cells cannot be read: " + msgSaveAgain}
	}
	return nil
}

// sharedStringsParse reports whether the shared-string table is
// well-formed XML. excelize reads a table too big to keep in memory item by
// item and stops at the first XML error, treating the rest as missing; the
// table is parsed here once in full so that a damaged one is refused
// instead. It runs only on tables within MaxSharedStrings, whose cost is of
// the order of what excelize then spends on them.
func (p *pkg) sharedStringsParse() bool {
	rc, err := p.open(sharedStringsPart)
	if err != nil {
		return false
	}
	defer rc.Close()
	d := newXMLDecoder(rc)
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// siCounter counts the <si> elements, with or without a namespace prefix,
// in the bytes written to it: the items of a shared-string table, counted
// without parsing the XML, so that a table far over the limit is refused
// for the price of unpacking it. An "<si" inside a comment would be
// counted too, which only errs towards refusing. Once the count passes
// limit, Write fails with errTooManyTexts, so that the rest of the table
// is not even unpacked.
type siCounter struct {
	n, limit int
	carry    []byte // from a '<' whose name the last write cut off
	buf      []byte
}

var errTooManyTexts = errors.New("too many shared strings")

// maxNameLen bounds the element names siCounter looks at; longer names are
// not "si" with any sensible prefix.
const maxNameLen = 64

func (c *siCounter) Write(b []byte) (int, error) {
	w := b
	if len(c.carry) > 0 {
		c.buf = append(append(c.buf[:0], c.carry...), b...)
		w = c.buf
		c.carry = c.carry[:0]
	}
	for {
		i := bytes.IndexByte(w, '<')
		if i < 0 {
			return len(b), nil
		}
		w = w[i+1:]
		k := bytes.IndexAny(w[:min(len(w), maxNameLen+1)], " \t\r\n/>")
		if k < 0 {
			if len(w) <= maxNameLen {
				c.carry = append(append(c.carry[:0], '<'), w...)
				return len(b), nil
			}
			continue
		}
		name := w[:k]
		if j := bytes.LastIndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		if string(name) == "si" {
			if c.n++; c.n > c.limit {
				return 0, errTooManyTexts
			}
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n uint64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += uint64(n)
	return n, err
}

// dtdGuard is written a part's bytes and notes a document type or entity
// declaration: "<!" followed by a letter, in UTF-8 or UTF-16. Go's XML
// parser expands no entities, so this guards against what excelize or a
// later library might do with them, and refuses files no spreadsheet
// program writes. Comments ("<!--") and CDATA ("<![") are not declarations.
// Whether a part is XML is decided from its name or its first bytes; SVG
// images are exempt, since many carry a harmless DOCTYPE and nothing here
// parses them.
type dtdGuard struct {
	decided, xml, found bool
	tail                [dtdTail]byte // the last bytes written, for a declaration split between writes
	n                   int           // bytes in tail
}

// dtdTail is the longest prefix of a declaration that can end one write
// and continue in the next.
const dtdTail = 5

func (g *dtdGuard) Write(b []byte) (int, error) {
	if !g.decided {
		t := bytes.TrimLeft(b, "\xEF\xBB\xBF\xFF\xFE \t\r\n\x00")
		if len(t) == 0 {
			return len(b), nil // nothing but white space yet
		}
		g.decided, g.xml = true, t[0] == '<'
	}
	if !g.xml || g.found {
		return len(b), nil
	}
	var e [2 * dtdTail]byte
	edge := append(append(e[:0], g.tail[:g.n]...), b[:min(len(b), dtdTail)]...)
	g.found = hasDecl(edge) || hasDecl(b)
	if len(b) >= dtdTail {
		g.n = copy(g.tail[:], b[len(b)-dtdTail:])
	} else {
		g.n = copy(g.tail[:], edge[max(0, len(edge)-dtdTail):])
	}
	return len(b), nil
}

// declPatterns are "<!" in UTF-8, UTF-16LE and UTF-16BE, each with the
// offset of the character that follows.
var declPatterns = []struct {
	p    []byte
	next int
}{
	{[]byte("<!"), 2},
	{[]byte("<\x00!\x00"), 4},
	{[]byte("\x00<\x00!\x00"), 5},
}

// hasDecl reports whether b holds "<!" followed by an ASCII letter.
func hasDecl(b []byte) bool {
	for _, dp := range declPatterns {
		for s := b; ; {
			i := bytes.Index(s, dp.p)
			if i < 0 {
				break
			}
			if j := i + dp.next; j < len(s) && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') {
				return true
			}
			s = s[i+1:]
		}
	}
	return false
}
