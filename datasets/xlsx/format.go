package xlsx

import (
	"strings"
	"unicode"
)

// The workbook format is described once, here, as data: Encode writes the
// headers, widths, number formats, validations and the README sheet from it,
// and Decode matches headers and decides what is required from it, so the
// instructions an analyst reads can never drift from what the upload checks.

// kind is how the cells of a column are read and written.
type kind int

const (
	kindText      kind = iota
	kindNumber         // any finite number, written with General format
	kindYear           // a whole number, written with format "0"
	kindDate           // an Excel date cell or yyyy-mm-dd text
	kindYesNo          // yes or no
	kindQualifier      // blank or one of qualifiers
)

// qualifiers are the words a Fact's value may be qualified with; the
// narrative puts them before the number ("more than 800 companies").
var qualifiers = []string{"more than", "over", "about", "up to", "less than"}

// yesNoValues is the list offered in the In state totals drop-down.
var yesNoValues = []string{"yes", "no"}

// column describes one column of a data sheet.
type column struct {
	header string
	kind   kind
	// required means every row must give a value. It is what the README
	// says; Validate in package stats enforces most of it, and Decode the
	// rest (a blank number must never silently become zero).
	required bool
	// omittable columns may be left out of an uploaded sheet altogether;
	// every other column must be present, so that deleting a column by
	// accident does not silently empty a field in every row.
	omittable bool
	width     float64
	meaning   string
	allowed   string
	example   string
}

// sheetSpec describes one sheet of the workbook.
type sheetSpec struct {
	name    string
	about   string
	columns []column
}

// index returns the position of the column whose header matches h after
// normalisation, or -1.
func (s *sheetSpec) index(h string) int {
	for i, c := range s.columns {
		if c.header == h {
			return i // the common case: this package's own spelling
		}
	}
	h = normalize(h)
	for i, c := range s.columns {
		if normalize(c.header) == h {
			return i
		}
	}
	return -1
}

// Sheet names. The data sheets are named after the tables of package stats
// so that a stats.Problem's Table is the sheet to point at.
const (
	sheetREADME = "README"
	sheetLists  = "Lists"
)

// metaField is one row of the Metadata sheet.
type metaField struct {
	name     string
	kind     kind
	optional bool // the row may be missing from an uploaded sheet
	meaning  string
	allowed  string
	example  string
}

// metaFields are the rows of the Metadata sheet, in the order written.
var metaFields = []metaField{
	{name: "Title", meaning: "The title of the dataset, shown at the top of the dashboard.", allowed: requiredText, example: "United States and Korea: trade and investment"},
	{name: "Description", optional: true, meaning: "One or two sentences on what the dataset covers. May be left blank.", allowed: optionalText, example: "Goods and services trade, direct investment and announced projects."},
	{name: "Reporter code", meaning: "Two-letter ISO country code, in capitals, of the reporting economy.", allowed: codeAllowed, example: "US"},
	{name: "Reporter name", meaning: "Name of the reporting economy as it should be shown.", allowed: requiredText, example: "United States"},
	{name: "Partner code", meaning: "Two-letter ISO country code, in capitals, of the partner economy. Must differ from the reporter code.", allowed: codeAllowed, example: "KR"},
	{name: "Partner name", meaning: "Name of the partner economy as it should be shown.", allowed: requiredText, example: "Republic of Korea"},
	{name: "As of", kind: kindDate, meaning: "The date the figures were last checked against their sources: a date cell, or text written as yyyy-mm-dd.", allowed: dateAllowed, example: "2025-03-31"},
}

// metaFieldIndex returns the position of the Metadata field named name
// after normalisation, or -1.
func metaFieldIndex(name string) int {
	name = normalize(name)
	for i, m := range metaFields {
		if normalize(m.name) == name {
			return i
		}
	}
	return -1
}

const (
	idAllowed    = "Letters, digits, _ - and . only; no spaces; up to 64 characters; unique within the sheet."
	yearAllowed  = "A whole number from 1900 to 2100."
	numRule      = "use a dot for decimals, and commas only between groups of three digits (1,234.5)."
	numAllowed   = "A number; " + numRule
	dateAllowed  = "A date cell, or text written as yyyy-mm-dd."
	codeAllowed  = "Two capital letters, such as US or KR."
	noteMeaning  = "Anything a reader or the next analyst should know about this row. May be left blank."
	srcMeaning   = "The ID of the source, from the Sources sheet, that this figure is taken from. Pick it from the drop-down list."
	srcAllowed   = "An ID that appears in the ID column of the Sources sheet."
	optionalText = "Any text. May be left blank."
	requiredText = "Any text. Required."
)

// dataSheets are the sheets Decode reads, in the order they appear in the
// workbook. Metadata is special: its rows are fields, not records.
var dataSheets = []*sheetSpec{
	{
		name:  "Metadata",
		about: "Describes the dataset as a whole: one row per field. Keep the Field column as it is and fill in the Value column.",
		columns: []column{
			{header: "Field", required: true, width: 18, meaning: "The name of the field. Do not change these names.", allowed: "Title, Description, Reporter code, Reporter name, Partner code, Partner name, As of.", example: "Title"},
			{header: "Value", required: true, width: 70, meaning: "The value of the field; see the rows for the Metadata fields below.", allowed: "Depends on the field.", example: "US"},
		},
	},
	{
		name:  "Sources",
		about: "The publications that figures are taken from, one per row. Every figure on the other sheets names one of these sources by its ID.",
		columns: []column{
			{header: "ID", required: true, width: 16, meaning: "A short name for the source that the other sheets use to refer to it.", allowed: idAllowed, example: "bea-itrade-2024"},
			{header: "Organisation", required: true, width: 32, meaning: "Who published the figures.", allowed: requiredText, example: "U.S. Bureau of Economic Analysis"},
			{header: "Title", width: 40, meaning: "The title of the publication or table.", allowed: optionalText, example: "International Transactions, Table 1.3"},
			{header: "Published", kind: kindDate, width: 12, meaning: "The date the source was published, if it gives one. May be left blank.", allowed: dateAllowed, example: "2024-06-20"},
			{header: "URL", width: 40, meaning: "A link to the source. May be left blank.", allowed: "A full web address starting with http:// or https://.", example: "https://www.bea.gov/data/intl-trade-investment"},
			{header: "Note", omittable: true, width: 40, meaning: noteMeaning, allowed: optionalText, example: "Revised annually in June."},
		},
	},
	{
		name:  "Series",
		about: "The time series shown on the dashboard, one per row. All the values of one series share its unit and its statistical basis, so that one line of a chart never mixes bases.",
		columns: []column{
			{header: "ID", required: true, width: 22, meaning: "A short name for the series that the Observations sheet uses to refer to it.", allowed: idAllowed, example: "goods-exports"},
			{header: "Name", required: true, width: 32, meaning: "The name shown on charts and tables.", allowed: requiredText, example: "Goods exports to Korea"},
			{header: "Unit", required: true, width: 16, meaning: "The unit of every value of the series.", allowed: requiredText, example: "USD billion"},
			{header: "Basis", width: 22, meaning: "The statistical basis, such as balance of payments or customs. May be left blank.", allowed: optionalText, example: "Census basis"},
			{header: "Reported by", required: true, width: 12, meaning: "The country whose statistics these are: the reporter code or the partner code from the Metadata sheet.", allowed: "The Reporter code or the Partner code given on the Metadata sheet.", example: "US"},
			{header: "Description", omittable: true, width: 40, meaning: "A longer explanation of the series. May be left blank.", allowed: optionalText, example: "Merchandise exports, not seasonally adjusted."},
		},
	},
	{
		name:  "Observations",
		about: "The values of the series, one row per series per year. A year with no value is a gap: leave the row out rather than writing zero.",
		columns: []column{
			{header: "Series", required: true, width: 22, meaning: "The ID of the series, from the Series sheet, that the value belongs to. Pick it from the drop-down list.", allowed: "An ID that appears in the ID column of the Series sheet.", example: "goods-exports"},
			{header: "Year", kind: kindYear, required: true, width: 8, meaning: "The year the value is for. Each series has at most one value per year.", allowed: yearAllowed, example: "2023"},
			{header: "Value", kind: kindNumber, required: true, width: 14, meaning: "The value, in the unit of the series. Write it exactly as published; do not round.", allowed: numAllowed, example: "65.3"},
			{header: "Source", required: true, width: 18, meaning: srcMeaning, allowed: srcAllowed, example: "bea-itrade-2024"},
			{header: "Note", omittable: true, width: 40, meaning: noteMeaning, allowed: optionalText, example: "Preliminary."},
		},
	},
	{
		name:  "Projects",
		about: "Announced investments by companies of one economy in the other, one per row.",
		columns: []column{
			{header: "Company", required: true, width: 28, meaning: "The company making the investment.", allowed: requiredText, example: "Hyundai Motor Group"},
			{header: "Amount (USD million)", kind: kindNumber, required: true, width: 14, meaning: "The announced amount in millions of U.S. dollars.", allowed: "A number, zero or more; " + numRule, example: "5,540"},
			{header: "City", width: 18, meaning: "The city or county of the project. May be left blank.", allowed: optionalText, example: "Ellabell"},
			{header: "State", required: true, width: 14, meaning: "The state or region of the project; per-state totals add up by this column.", allowed: requiredText, example: "Georgia"},
			{header: "Year announced", kind: kindYear, width: 10, meaning: "The year the project was announced, if the source gives it. May be left blank.", allowed: yearAllowed + " May be left blank.", example: "2022"},
			{header: "Sector", width: 20, meaning: "The industry of the project. May be left blank.", allowed: optionalText, example: "Electric vehicles"},
			{header: "Jobs", width: 10, meaning: "The number of jobs as announced, written as the source writes it. May be left blank.", allowed: "Any text, such as 8,100 or 800+.", example: "8,100"},
			{header: "In state totals", kind: kindYesNo, required: true, width: 10, meaning: "Whether the amount counts towards the totals per state. Write no for an announcement that restates or overlaps another row, so that the same money is never added twice.", allowed: "yes or no.", example: "yes"},
			{header: "Source", required: true, width: 18, meaning: srcMeaning, allowed: srcAllowed, example: "company-release-2022"},
			{header: "Note", omittable: true, width: 40, meaning: noteMeaning, allowed: optionalText, example: "Overlaps the 2024 expansion."},
		},
	},
	{
		name:  "Facts",
		about: "Single figures quoted in the text of the dashboard, one per row, such as the number of American companies operating in Korea.",
		columns: []column{
			{header: "Key", required: true, width: 22, meaning: "A fixed name the dashboard uses to find the fact. Do not change the keys of existing facts.", allowed: idAllowed, example: "us-companies-in-kr"},
			{header: "Label", required: true, width: 36, meaning: "What the figure counts, as shown to readers.", allowed: requiredText, example: "American companies operating in Korea"},
			{header: "Value", kind: kindNumber, required: true, width: 12, meaning: "The figure.", allowed: numAllowed, example: "800"},
			{header: "Qualifier", kind: kindQualifier, width: 12, meaning: "A word placed before the figure when the source gives it only roughly. May be left blank.", allowed: "Blank, or one of: " + strings.Join(qualifiers, ", ") + ".", example: "more than"},
			{header: "Unit", required: true, width: 14, meaning: "The unit of the figure.", allowed: requiredText, example: "companies"},
			{header: "Year", kind: kindYear, required: true, width: 8, meaning: "The year the figure refers to.", allowed: yearAllowed, example: "2024"},
			{header: "Source", required: true, width: 18, meaning: srcMeaning, allowed: srcAllowed, example: "amcham-2024"},
			{header: "Note", omittable: true, width: 40, meaning: noteMeaning, allowed: optionalText, example: ""},
		},
	},
}

// readmeIntro is the opening of the README sheet: what the workbook is and
// how to use it, before the column-by-column reference.
var readmeIntro = []string{
	"This workbook holds one complete version of the dataset shown on the bilateral dashboard. Edit it in Excel or LibreOffice and upload it again to publish a new version.",
	"Each sheet after this one holds one kind of record, one record per row, with the column names in row 1. Do not rename the sheets or the column names; you may reorder the columns, and add columns of your own, which are ignored.",
	"Empty rows are ignored. Do not merge cells. Formulas are allowed, but save the file after the values have been calculated.",
	"IDs tie the sheets together: every value on Observations, Projects and Facts names a source from the Sources sheet, and every value on Observations names a series from the Series sheet. The drop-down lists offer the IDs that exist.",
	"On upload every sheet is checked, and every problem is listed with the sheet and cell to fix; nothing is published until there are none. This README sheet and the hidden Lists sheet are ignored on upload.",
}

// isSpace reports whether r is white space for the purpose of matching
// names, including the non-breaking and zero-width spaces that text copied
// from web pages brings along.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// normalize folds a sheet name, header or field name for tolerant matching:
// case is ignored and runs of white space count as one space.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, isSpace), " "))
}

// trim removes surrounding white space from a cell's text and keeps the
// inner text exactly.
func trim(s string) string {
	return strings.TrimFunc(s, isSpace)
}
