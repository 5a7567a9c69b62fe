package xlsx

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// This file decides what kind of file an upload is from its first bytes,
// never from its name or the Content-Type the browser sent: analysts rename
// files, and sites that offer "Excel" downloads often send web pages or CSV.
// Whatever is not a zip package gets a message that names what the file is
// and how to turn it into a workbook.

var (
	// oleMagic starts every OLE compound file: an old .xls workbook, a
	// password-protected .xlsx (Office wraps the encrypted zip in one), or
	// another old Office document.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	// zipMagic starts a zip file's first entry; zipEmptyMagic starts a zip
	// file with no entries at all.
	zipMagic      = []byte("PK\x03\x04")
	zipEmptyMagic = []byte("PK\x05\x06")
	pdfMagic      = []byte("%PDF-")
)

// Messages for files that are not workbooks. Each names what the file is,
// since "not a workbook" alone leaves the analyst guessing, and says how to
// get an .xlsx from it.
const (
	msgEmpty       = "the file is empty: check that you chose the right file; if it is empty on your computer too, save the workbook again from Excel or LibreOffice and upload it"
	msgNotWorkbook = "the file is not an Excel workbook (.xlsx): in Excel or LibreOffice choose Save As, pick Excel Workbook (.xlsx), and upload that file"
	msgXLS         = "this is an Excel 97–2003 workbook (.xls), an older format that cannot be read: open it in Excel or LibreOffice, choose Save As, pick Excel Workbook (.xlsx), and upload that file"
	msgEncrypted   = "this workbook is password-protected, so it cannot be read: open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, and clear the password), save it, and upload it again"
	msgHTML        = "this is a web page (HTML), not a workbook, even if its name ends in .xls or .xlsx: open it in Excel or LibreOffice, choose Save As, pick Excel Workbook (.xlsx), and upload that file"
	msgXML2003     = "this is an Excel 2003 XML spreadsheet, an older format that cannot be read: open it in Excel or LibreOffice, choose Save As, pick Excel Workbook (.xlsx), and upload that file"
	msgText        = "this is a CSV or text file, not a workbook: open it in Excel or LibreOffice, choose Save As, pick Excel Workbook (.xlsx), and upload that file; download a fresh workbook to see the sheets and columns it needs"
	msgPDF         = "this is a PDF document, not a workbook: upload the Excel workbook (.xlsx) the figures are in, or download a fresh workbook and type them in"
)

// sniffLen is how much of a file sniff looks at to tell text from binary
// and HTML from CSV: enough for a header line or an HTML head.
const sniffLen = 4096

// sniff names what a file that is not a zip package is. It returns nil for
// anything that starts like a zip package, which openZip examines next.
func sniff(data []byte) *Issue {
	switch {
	case len(data) == 0:
		return &Issue{Message: msgEmpty}
	case bytes.HasPrefix(data, zipMagic), bytes.HasPrefix(data, zipEmptyMagic):
		return nil
	case bytes.HasPrefix(data, oleMagic):
		return oleIssue(data)
	case bytes.HasPrefix(data, pdfMagic):
		return &Issue{Message: msgPDF}
	}
	if s, ok := textPrefix(data); ok {
		return textIssue(s)
	}
	return &Issue{Message: msgNotWorkbook}
}

// textPrefix returns the start of the file as text, if it is text: UTF-8
// or a single-byte code page (Excel writes CSV in both), or UTF-16 with a
// byte order mark (Excel's "Unicode Text").
func textPrefix(data []byte) (string, bool) {
	head := data[:min(len(data), sniffLen)]
	var le bool
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		le = true
		fallthrough
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		u := make([]uint16, 0, len(head)/2)
		for i := 2; i+1 < len(head); i += 2 {
			if le {
				u = append(u, binary.LittleEndian.Uint16(head[i:]))
			} else {
				u = append(u, binary.BigEndian.Uint16(head[i:]))
			}
		}
		s := string(utf16.Decode(u))
		return s, !strings.ContainsFunc(s, isControl)
	}
	head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	if bytes.ContainsFunc(head, isControl) {
		return "", false
	}
	return string(head), true
}

// isControl reports a control character that text files do not contain;
// nearly every binary file has some in its first kilobytes.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7F
}

// textIssue names a text file: a web page (some sites' "Excel" downloads
// are HTML tables), Excel's own XML format of 2003, or CSV and other text.
func textIssue(s string) *Issue {
	t := strings.ToLower(strings.TrimLeft(s, " \t\r\n\f"))
	if !strings.HasPrefix(t, "<") {
		return &Issue{Message: msgText}
	}
	switch {
	case strings.Contains(t, "urn:schemas-microsoft-com:office:spreadsheet"):
		return &Issue{Message: msgXML2003}
	case strings.Contains(t, "<html"), strings.Contains(t, "<!doctype html"),
		strings.Contains(t, "<head"), strings.Contains(t, "<body"), strings.Contains(t, "<table"):
		return &Issue{Message: msgHTML}
	}
	return &Issue{Message: msgNotWorkbook}
}

// oleIssue names an OLE compound file by the streams in its directory: an
// encrypted OOXML package has EncryptionInfo and EncryptedPackage, an .xls
// workbook has Workbook (Book in Excel 5).
func oleIssue(data []byte) *Issue {
	s := oleStreams(data)
	switch {
	case s["encryptioninfo"] || s["encryptedpackage"]:
		return &Issue{Message: msgEncrypted}
	case s["workbook"] || s["book"]:
		return &Issue{Message: msgXLS}
	}
	return &Issue{Message: msgNotWorkbook}
}

// oleNames are the stream names, lower-cased, that tell OLE files apart.
var oleNames = map[string]bool{"encryptioninfo": true, "encryptedpackage": true, "workbook": true, "book": true}

// oleStreams returns which of oleNames an OLE compound file's directory
// has as streams. Directory entries are 128 bytes long and every
// sector size is a multiple of 128, so each entry starts at a multiple of
// 128: checking those offsets finds them without following the file's
// sector chains, which a hostile file could make loop or point anywhere.
// An entry is believed only if its name length, terminator and type agree.
func oleStreams(data []byte) map[string]bool {
	const (
		entryLen   = 128
		typeStream = 2
	)
	out := map[string]bool{}
	var buf [31]uint16
	for off := 512; off+entryLen <= len(data); off += entryLen {
		e := data[off : off+entryLen]
		n := int(binary.LittleEndian.Uint16(e[64:]))
		if e[66] != typeStream || n < 4 || n > 64 || n%2 != 0 || e[n-2] != 0 || e[n-1] != 0 {
			continue
		}
		u := buf[:n/2-1]
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(e[2*i:])
		}
		// Only the names asked about are kept: a hostile file could hold
		// millions of entries.
		if name := strings.ToLower(string(utf16.Decode(u))); oleNames[name] {
			out[name] = true
		}
	}
	return out
}
