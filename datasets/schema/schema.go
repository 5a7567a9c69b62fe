// Package schema describes the editing workbook once, as data: its sheets,
// each sheet's columns (header, type, whether required, width, the words
// of the README sheet) and, for every column, the field of the dataset the
// column's cells hold. Decode and Encode in package xlsx, the loader of the
// embedded default dataset in package datasets and the README's workbook
// table all work from this one table, so adding a column or a sheet is one
// entry here.
//
// The package holds no spreadsheet code and imports only package stats:
// how a cell is read or written is the business of its users, who switch
// on a column's Kind and on the type of the pointer Field returns.
package schema

import (
	"fmt"
	"strings"
	"time"

	"github.com/bilateral/bilateral/stats"
)

// Kind is how the cells of a column are read and written.
type Kind int

// The kinds of columns. Each kind has one Go type, the type of the pointer
// that Column.Field returns: Text and Choice *string, Number *float64, Year
// *int, Date *time.Time, YesNo *bool.
const (
	Text   Kind = iota
	Number      // any finite number, written with General format
	Year        // a whole number from stats.MinYear to stats.MaxYear, written with format "0"; 0 when blank
	Date        // an Excel date cell or yyyy-mm-dd text; the zero time when blank
	YesNo       // yes or no
	Choice      // one of the column's Choices, or blank unless required
	// PartialDate is a date as a source states it: yyyy-mm-dd, yyyy-mm,
	// yyyy or n.d. (stats.ParsePublished); an Excel date cell reads as
	// yyyy-mm-dd. Its field is a *string.
	PartialDate
)

// String names the kind as the README does.
func (k Kind) String() string {
	switch k {
	case Number:
		return "number"
	case Year:
		return "year"
	case Date:
		return "date"
	case YesNo:
		return "yes/no"
	case Choice:
		return "choice"
	case PartialDate:
		return "date or n.d."
	default:
		return "text"
	}
}

// Column describes one column of a record sheet, or the name or value
// column of a field sheet.
type Column struct {
	Header string
	Kind   Kind
	// Required means every row must give a value. It is what the README
	// says; stats.Dataset.Validate enforces most of it, and the readers the
	// rest (a blank number must never silently become zero).
	Required bool
	// Omittable columns may be left out of an uploaded sheet altogether;
	// every other column must be present, so that deleting a column by
	// accident does not silently empty a field in every row.
	Omittable bool
	// Choices are the values a Choice column allows, in their canonical
	// spelling; the workbook offers them in a drop-down list.
	Choices []string
	// BlankIsGap, for a required Number column, reads a blank cell as
	// no value (NaN) instead of an error; stats.Dataset.Validate then
	// accepts it only on a row whose status says it is a gap.
	BlankIsGap bool
	// Ref names the sheet whose keys this column's values are: a record
	// sheet's first column (the ID of a source, of a series), or the Key
	// fields of a field sheet (the country codes of Metadata).
	Ref string
	// Width is the column's width in the workbook, in characters.
	Width float64
	// Meaning, Allowed and Example are the column's row on the README
	// sheet.
	Meaning, Allowed, Example string
	// field returns a pointer to the column's field in a record of the
	// sheet; nil for the two columns of a field sheet.
	field func(rec any) any
}

// Field returns a pointer to the column's field in rec, a pointer to a
// record of the column's sheet (as Sheet.Row and Sheet.Append return). The
// pointer's type follows the column's Kind; see Kind.
func (c *Column) Field(rec any) any {
	return c.field(rec)
}

// Field is one row of a field sheet: a sheet, such as Metadata, whose rows
// are the fields of one record rather than records.
type Field struct {
	Name string
	Kind Kind
	// Optional fields may be missing from an uploaded sheet.
	Optional bool
	// Key fields are what the values of other sheets' columns that Ref
	// this sheet may be.
	Key bool
	// Meaning, Allowed and Example are the field's row on the README
	// sheet.
	Meaning, Allowed, Example string
	field                     func(rec any) any
}

// Value returns a pointer to the field in rec, the sheet's record (as
// Sheet.Record returns). The pointer's type follows the field's Kind.
func (f *Field) Value(rec any) any {
	return f.field(rec)
}

// Sheet describes one data sheet of the workbook: either a record sheet,
// one record per row, or a field sheet (Fields is not nil) whose two
// columns are a field's name and its value.
type Sheet struct {
	// Name is the sheet's name, which is also the table name that
	// stats.Problem uses.
	Name string
	// Noun is what one row holds, in lower case: "source".
	Noun string
	// About is the sheet's row on the README sheet.
	About   string
	Columns []Column
	// Fields are the rows of a field sheet, in the order written.
	Fields []Field
	access access
}

// access reaches a sheet's records in a dataset.
type access struct {
	len    func(d *stats.Dataset) int
	row    func(d *stats.Dataset, i int) any
	append func(d *stats.Dataset) any
	one    func(d *stats.Dataset) any // field sheets
}

// IsFieldSheet reports whether the sheet's rows are fields of one record.
func (s *Sheet) IsFieldSheet() bool {
	return s.Fields != nil
}

// Column returns the index of the column headed exactly h, or -1.
func (s *Sheet) Column(h string) int {
	for i := range s.Columns {
		if s.Columns[i].Header == h {
			return i
		}
	}
	return -1
}

// Field returns the index of the field named exactly name, or -1.
func (s *Sheet) Field(name string) int {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// Len returns the number of records of a record sheet in d.
func (s *Sheet) Len(d *stats.Dataset) int {
	if s.access.len == nil {
		return 0
	}
	return s.access.len(d)
}

// Row returns a pointer to record i of a record sheet in d.
func (s *Sheet) Row(d *stats.Dataset, i int) any {
	return s.access.row(d, i)
}

// Append adds a zero record to a record sheet in d and returns a pointer
// to it. The pointer is good until the next Append to the same sheet.
func (s *Sheet) Append(d *stats.Dataset) any {
	return s.access.append(d)
}

// Record returns a pointer to the one record of a field sheet in d.
func (s *Sheet) Record(d *stats.Dataset) any {
	return s.access.one(d)
}

// CSVFile is the name of the sheet's file in the default dataset's
// directory: the sheet name in lower case, spaces as hyphens.
func (s *Sheet) CSVFile() string {
	return strings.ReplaceAll(strings.ToLower(s.Name), " ", "-") + ".csv"
}

// Lookup returns the sheet named exactly name, or nil.
func Lookup(name string) *Sheet {
	for _, s := range Sheets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// records gives access to the records of a sheet held in a slice of d.
func records[R any](slice func(d *stats.Dataset) *[]R) access {
	return access{
		len: func(d *stats.Dataset) int { return len(*slice(d)) },
		row: func(d *stats.Dataset, i int) any { return &(*slice(d))[i] },
		append: func(d *stats.Dataset) any {
			s := slice(d)
			*s = append(*s, *new(R))
			return &(*s)[len(*s)-1]
		},
	}
}

// at erases the record type of a field accessor, so that the columns of
// every sheet fit in one slice type.
func at[R, T any](f func(r *R) *T) func(rec any) any {
	return func(rec any) any { return f(rec.(*R)) }
}

// Texts shared by several columns.
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

// Qualifiers are the words a Fact's value may be qualified with; the
// narrative puts them before the number ("more than 800 companies").
var Qualifiers = []string{"more than", "over", "about", "up to", "less than"}

// YesNoValues are the values a YesNo column offers in its drop-down list.
var YesNoValues = []string{"yes", "no"}

// sourceColumn is the Source column of every sheet whose figures are cited.
func sourceColumn[R any](example string, f func(r *R) *string) Column {
	return Column{Header: "Source", Required: true, Ref: stats.TableSources, Width: 18, Meaning: srcMeaning, Allowed: srcAllowed, Example: example, field: at(f)}
}

// noteColumn is the Note column that most sheets end with.
func noteColumn[R any](example string, f func(r *R) *string) Column {
	return Column{Header: "Note", Omittable: true, Width: 40, Meaning: noteMeaning, Allowed: optionalText, Example: example, field: at(f)}
}

// metadataFields are the rows of the Metadata sheet, in the order written.
var metadataFields = []Field{
	{Name: "Title", Meaning: "The title of the dataset, shown at the top of the dashboard.", Allowed: requiredText, Example: "United States and Korea: trade and investment",
		field: at(func(m *stats.Metadata) *string { return &m.Title })},
	{Name: "Description", Optional: true, Meaning: "One or two sentences on what the dataset covers. May be left blank.", Allowed: optionalText, Example: "Goods and services trade, direct investment and announced projects.",
		field: at(func(m *stats.Metadata) *string { return &m.Description })},
	{Name: "Reporter code", Key: true, Meaning: "Two-letter ISO country code, in capitals, of the reporting economy.", Allowed: codeAllowed, Example: "US",
		field: at(func(m *stats.Metadata) *string { return &m.Reporter.Code })},
	{Name: "Reporter name", Meaning: "Name of the reporting economy as it should be shown.", Allowed: requiredText, Example: "United States",
		field: at(func(m *stats.Metadata) *string { return &m.Reporter.Name })},
	{Name: "Partner code", Key: true, Meaning: "Two-letter ISO country code, in capitals, of the partner economy. Must differ from the reporter code.", Allowed: codeAllowed, Example: "KR",
		field: at(func(m *stats.Metadata) *string { return &m.Partner.Code })},
	{Name: "Partner name", Meaning: "Name of the partner economy as it should be shown.", Allowed: requiredText, Example: "Republic of Korea",
		field: at(func(m *stats.Metadata) *string { return &m.Partner.Name })},
	{Name: "As of", Kind: Date, Meaning: "The date the figures were last checked against their sources: a date cell, or text written as yyyy-mm-dd.", Allowed: dateAllowed, Example: "2025-03-31",
		field: at(func(m *stats.Metadata) *time.Time { return &m.AsOf })},
}

// fieldNames lists the fields' names for the README.
func fieldNames(fs []Field) string {
	n := make([]string, len(fs))
	for i, f := range fs {
		n[i] = f.Name
	}
	return strings.Join(n, ", ") + "."
}

// Sheets are the data sheets of the workbook, in the order they appear.
// Their names are the table names of package stats, so that a
// stats.Problem's Table is the sheet to point at.
var Sheets = []*Sheet{
	{
		Name:  stats.TableMetadata,
		Noun:  "field",
		About: "Describes the dataset as a whole: one row per field. Keep the Field column as it is and fill in the Value column.",
		Columns: []Column{
			{Header: "Field", Required: true, Width: 18, Meaning: "The name of the field. Do not change these names.", Allowed: fieldNames(metadataFields), Example: "Title"},
			{Header: "Value", Required: true, Width: 70, Meaning: "The value of the field; see the rows for the Metadata fields below.", Allowed: "Depends on the field.", Example: "US"},
		},
		Fields: metadataFields,
		access: access{one: func(d *stats.Dataset) any { return &d.Meta }},
	},
	{
		Name:  stats.TableSources,
		Noun:  "source",
		About: "The publications that figures are taken from, one per row. Every figure on the other sheets names one of these sources by its ID.",
		Columns: []Column{
			{Header: "ID", Required: true, Width: 16, Meaning: "A short name for the source that the other sheets use to refer to it.", Allowed: idAllowed, Example: "bea-itrade-2024",
				field: at(func(s *stats.Source) *string { return &s.ID })},
			{Header: "Organisation", Required: true, Width: 32, Meaning: "Who published the figures.", Allowed: requiredText, Example: "U.S. Bureau of Economic Analysis",
				field: at(func(s *stats.Source) *string { return &s.Organisation })},
			{Header: "Title", Width: 40, Meaning: "The title of the publication or table.", Allowed: optionalText, Example: "International Transactions, Table 1.3",
				field: at(func(s *stats.Source) *string { return &s.Title })},
			{Header: "Published", Kind: PartialDate, Width: 12, Meaning: "The date the source was published, as precisely as the page states it; n.d. when it states none. Check it against the page itself.", Allowed: "A date cell, or text written as yyyy-mm-dd, yyyy-mm or yyyy, or n.d.", Example: "2024-06-20",
				field: at(func(s *stats.Source) *string { return &s.Published })},
			{Header: "Compiled by", Omittable: true, Width: 24, Meaning: "When the source republishes another body's figures (a news report of a Census release), the body whose numbers they are. Leave blank when the organisation compiled them itself.", Allowed: optionalText, Example: "U.S. Census Bureau",
				field: at(func(s *stats.Source) *string { return &s.CompiledBy })},
			{Header: "URL", Width: 40, Meaning: "A link to the source. May be left blank.", Allowed: "A full web address starting with http:// or https://.", Example: "https://www.bea.gov/data/intl-trade-investment",
				field: at(func(s *stats.Source) *string { return &s.URL })},
			noteColumn("Revised annually in June.", func(s *stats.Source) *string { return &s.Note }),
		},
		access: records(func(d *stats.Dataset) *[]stats.Source { return &d.Sources }),
	},
	{
		Name:  stats.TableSeries,
		Noun:  "series",
		About: "The time series shown on the dashboard, one per row. All the values of one series share its unit and its statistical basis, so that one line of a chart never mixes bases.",
		Columns: []Column{
			{Header: "ID", Required: true, Width: 22, Meaning: "A short name for the series that the Observations sheet uses to refer to it.", Allowed: idAllowed, Example: "goods-exports",
				field: at(func(s *stats.Series) *string { return &s.ID })},
			{Header: "Name", Required: true, Width: 32, Meaning: "The name shown on charts and tables.", Allowed: requiredText, Example: "Goods exports to Korea",
				field: at(func(s *stats.Series) *string { return &s.Name })},
			{Header: "Unit", Required: true, Width: 16, Meaning: "The unit of every value of the series.", Allowed: requiredText, Example: "USD billion",
				field: at(func(s *stats.Series) *string { return &s.Unit })},
			{Header: "Measure", Omittable: true, Width: 22, Meaning: "What is counted: exports, imports, a balance, a position (stock), a flow. May be left blank.", Allowed: optionalText, Example: "exports",
				field: at(func(s *stats.Series) *string { return &s.Measure })},
			{Header: "Basis", Width: 22, Meaning: "The statistical basis and its compiler, such as Census-basis goods or Korea Customs Service clearances. May be left blank.", Allowed: optionalText, Example: "U.S. Census Bureau goods, Census basis",
				field: at(func(s *stats.Series) *string { return &s.Basis })},
			{Header: "Reported by", Required: true, Ref: stats.TableMetadata, Width: 12, Meaning: "The country whose statistics these are: the reporter code or the partner code from the Metadata sheet.", Allowed: "The Reporter code or the Partner code given on the Metadata sheet.", Example: "US",
				field: at(func(s *stats.Series) *string { return &s.ReportedBy })},
			{Header: "Vintage rule", Omittable: true, Width: 30, Meaning: "Which release is kept when several give a figure for the same year, such as the latest revision found; the others go in the row's note.", Allowed: optionalText, Example: "Latest revision found; earlier figures in the note.",
				field: at(func(s *stats.Series) *string { return &s.VintageRule })},
			{Header: "Official", Kind: YesNo, Omittable: true, Width: 10, Meaning: "Whether the basis is an official statistic. An official series may hold only official, preliminary and gap values; commercial and estimated figures need a series of their own.", Allowed: "yes or no.", Example: "yes",
				field: at(func(s *stats.Series) *bool { return &s.Official })},
			{Header: "Description", Omittable: true, Width: 40, Meaning: "A longer explanation of the series. May be left blank.", Allowed: optionalText, Example: "Merchandise exports, not seasonally adjusted.",
				field: at(func(s *stats.Series) *string { return &s.Description })},
		},
		access: records(func(d *stats.Dataset) *[]stats.Series { return &d.Series }),
	},
	{
		Name:  stats.TableObservations,
		Noun:  "observation",
		About: "The values of the series, one row per series per year. A year without a published figure is a gap: leave Value blank, write gap in Status and say why in Note (or leave the row out); never write zero.",
		Columns: []Column{
			{Header: "Series", Required: true, Ref: stats.TableSeries, Width: 22, Meaning: "The ID of the series, from the Series sheet, that the value belongs to. Pick it from the drop-down list.", Allowed: "An ID that appears in the ID column of the Series sheet.", Example: "goods-exports",
				field: at(func(o *stats.Observation) *string { return &o.Series })},
			{Header: "Year", Kind: Year, Required: true, Width: 8, Meaning: "The year the value is for. Each series has at most one value per year.", Allowed: yearAllowed, Example: "2023",
				field: at(func(o *stats.Observation) *int { return &o.Year })},
			{Header: "Value", Kind: Number, Required: true, BlankIsGap: true, Width: 14, Meaning: "The value, in the unit of the series. Write it exactly as published; do not round. Blank only on a gap row.", Allowed: numAllowed + " Blank when Status is gap.", Example: "65.3",
				field: at(func(o *stats.Observation) *float64 { return &o.Value })},
			sourceColumn("bea-itrade-2024", func(o *stats.Observation) *string { return &o.Source }),
			{Header: "Status", Kind: Choice, Choices: stats.Statuses, Omittable: true, Width: 12, Meaning: "What kind of figure this is: official; preliminary (official but subject to revision); estimate; commercial (a data vendor's); or gap (no published figure: leave Value blank and say why in Note). Blank means official.", Allowed: "Blank, or one of: " + strings.Join(stats.Statuses, ", ") + ".", Example: "preliminary",
				field: at(func(o *stats.Observation) *string { return &o.Status })},
			noteColumn("Preliminary.", func(o *stats.Observation) *string { return &o.Note }),
		},
		access: records(func(d *stats.Dataset) *[]stats.Observation { return &d.Observations }),
	},
	{
		Name:  stats.TableProjects,
		Noun:  "project",
		About: "Announced investments by companies of one economy in the other, one per row.",
		Columns: []Column{
			{Header: "Company", Required: true, Width: 28, Meaning: "The company making the investment.", Allowed: requiredText, Example: "Hyundai Motor Group",
				field: at(func(p *stats.Project) *string { return &p.Company })},
			{Header: "Amount (USD million)", Kind: Number, Required: true, Width: 14, Meaning: "The announced amount in millions of U.S. dollars.", Allowed: "A number, zero or more; " + numRule, Example: "5,540",
				field: at(func(p *stats.Project) *float64 { return &p.AmountUSDm })},
			{Header: "City", Width: 18, Meaning: "The city or county of the project. May be left blank.", Allowed: optionalText, Example: "Ellabell",
				field: at(func(p *stats.Project) *string { return &p.City })},
			{Header: "State", Required: true, Width: 14, Meaning: "The state or region of the project; per-state totals add up by this column.", Allowed: requiredText, Example: "Georgia",
				field: at(func(p *stats.Project) *string { return &p.State })},
			{Header: "Year announced", Kind: Year, Width: 10, Meaning: "The year the project was announced, if the source gives it. May be left blank.", Allowed: yearAllowed + " May be left blank.", Example: "2022",
				field: at(func(p *stats.Project) *int { return &p.Year })},
			{Header: "Sector", Width: 20, Meaning: "The industry of the project. May be left blank.", Allowed: optionalText, Example: "Electric vehicles",
				field: at(func(p *stats.Project) *string { return &p.Sector })},
			{Header: "Jobs", Width: 10, Meaning: "The number of jobs as announced, written as the source writes it. May be left blank.", Allowed: "Any text, such as 8,100 or 800+.", Example: "8,100",
				field: at(func(p *stats.Project) *string { return &p.Jobs })},
			{Header: "In state totals", Kind: YesNo, Required: true, Width: 10, Meaning: "Whether the amount counts towards the totals per state. Write no for an announcement that restates or overlaps another row, so that the same money is never added twice.", Allowed: "yes or no.", Example: "yes",
				field: at(func(p *stats.Project) *bool { return &p.Counted })},
			sourceColumn("company-release-2022", func(p *stats.Project) *string { return &p.Source }),
			noteColumn("Overlaps the 2024 expansion.", func(p *stats.Project) *string { return &p.Note }),
		},
		access: records(func(d *stats.Dataset) *[]stats.Project { return &d.Projects }),
	},
	{
		Name:  stats.TableFacts,
		Noun:  "fact",
		About: "Single figures quoted in the text of the dashboard, one per row, such as the number of American companies operating in Korea.",
		Columns: []Column{
			{Header: "Key", Required: true, Width: 22, Meaning: "A fixed name the dashboard uses to find the fact. Do not change the keys of existing facts.", Allowed: idAllowed, Example: "us-companies-in-kr",
				field: at(func(f *stats.Fact) *string { return &f.Key })},
			{Header: "Label", Required: true, Width: 36, Meaning: "What the figure counts, as shown to readers.", Allowed: requiredText, Example: "American companies operating in Korea",
				field: at(func(f *stats.Fact) *string { return &f.Label })},
			{Header: "Value", Kind: Number, Required: true, Width: 12, Meaning: "The figure.", Allowed: numAllowed, Example: "800",
				field: at(func(f *stats.Fact) *float64 { return &f.Value })},
			{Header: "Qualifier", Kind: Choice, Choices: Qualifiers, Width: 12, Meaning: "A word placed before the figure when the source gives it only roughly. May be left blank.", Allowed: "Blank, or one of: " + strings.Join(Qualifiers, ", ") + ".", Example: "more than",
				field: at(func(f *stats.Fact) *string { return &f.Qualifier })},
			{Header: "Unit", Required: true, Width: 14, Meaning: "The unit of the figure.", Allowed: requiredText, Example: "companies",
				field: at(func(f *stats.Fact) *string { return &f.Unit })},
			{Header: "Year", Kind: Year, Required: true, Width: 8, Meaning: "The year the figure refers to.", Allowed: yearAllowed, Example: "2024",
				field: at(func(f *stats.Fact) *int { return &f.Year })},
			sourceColumn("amcham-2024", func(f *stats.Fact) *string { return &f.Source }),
			noteColumn("", func(f *stats.Fact) *string { return &f.Note }),
		},
		access: records(func(d *stats.Dataset) *[]stats.Fact { return &d.Facts }),
	},
	{
		Name:    stats.TableCharts,
		Noun:    "chart",
		About:   "The charts of the dashboard, one per row; the Chart series sheet says what each one shows. A chart's ID is its web address (/charts/ID): keep it when you change the title. A removed chart's address tells readers it is gone.",
		Columns: chartColumns(),
		access:  records(func(d *stats.Dataset) *[]stats.ChartDef { return &d.Charts }),
	},
	{
		Name:  stats.TableChartSeries,
		Noun:  "chart series",
		About: "What each chart shows: one row per series on a chart, in legend order. A series is one from the Series sheet, or computed from two of them (the Computed column).",
		Columns: []Column{
			{Header: "Chart", Required: true, Ref: stats.TableCharts, Width: 22, Meaning: "The ID of the chart, from the Charts sheet.", Allowed: "An ID that appears in the ID column of the Charts sheet.", Example: "goods-trade",
				field: at(func(c *stats.ChartSeries) *string { return &c.Chart })},
			{Header: "Series", Required: true, Width: 26, Meaning: "The ID of the series, from the Series sheet; for a computed series, a new ID of its own.", Allowed: "An ID from the Series sheet, or (with Computed) a new ID.", Example: "goods-exports",
				field: at(func(c *stats.ChartSeries) *string { return &c.Series })},
			{Header: "Computed", Omittable: true, Width: 30, Meaning: "Leave blank for a series from the Series sheet. To draw the sum or difference of two series of the same unit, in the years both are published, write sum:A,B or diff:A,B.", Allowed: "Blank, sum:SERIES,SERIES or diff:SERIES,SERIES.", Example: "sum:goods-exports,goods-imports",
				field: at(func(c *stats.ChartSeries) *string { return &c.Computed })},
			{Header: "Role", Kind: Choice, Choices: stats.ChartRoles, Width: 10, Meaning: "How the series is drawn: bar, line or marker (a single dot per value). Blank follows the chart's kind.", Allowed: "Blank, or one of: " + strings.Join(stats.ChartRoles, ", ") + ".", Example: "bar",
				field: at(func(c *stats.ChartSeries) *string { return &c.Role })},
			{Header: "Axis", Kind: Choice, Choices: stats.AxisNumbers, Width: 6, Meaning: "The value axis the series is measured on: 1 (left) or 2 (right). Series of different units need different axes. Blank is 1.", Allowed: "Blank, 1 or 2.", Example: "1",
				field: at(func(c *stats.ChartSeries) *string { return &c.Axis })},
			{Header: "Colour", Kind: Choice, Choices: stats.Colours, Width: 10, Meaning: "The colour of the series, from the dashboard's palette. Blank takes the next colour.", Allowed: "Blank, or one of: " + strings.Join(stats.Colours, ", ") + ".", Example: "blue",
				field: at(func(c *stats.ChartSeries) *string { return &c.Colour })},
			{Header: "Label", Width: 30, Meaning: "The series' name in the legend. Blank uses the series' name from the Series sheet.", Allowed: optionalText, Example: "Exports",
				field: at(func(c *stats.ChartSeries) *string { return &c.Label })},
		},
		access: records(func(d *stats.Dataset) *[]stats.ChartSeries { return &d.ChartSeries }),
	},
	{
		Name:  stats.TableText,
		Noun:  "text block",
		About: "The text of the dashboard, one block per row, grouped in sections in the order the sections first appear; charts sit beside the section they name. Bodies are Markdown (paragraphs, *emphasis*, [links](https://example.org), lists; no HTML) with figure references that read the data: " + stats.RefSyntax + ".",
		Columns: []Column{
			{Header: "Section", Required: true, Width: 14, Meaning: "The section the block belongs to; also the address of the section on the page (#trade). The sections key-figures (one block per headline number: Heading the label, Body one reference), overview (the opening under the title) and about are shown in their own styles.", Allowed: idAllowed, Example: "trade",
				field: at(func(b *stats.Block) *string { return &b.Section })},
			{Header: "Order", Kind: Number, Required: true, Width: 7, Meaning: "The block's place in its section, smallest first.", Allowed: numAllowed, Example: "10",
				field: at(func(b *stats.Block) *float64 { return &b.Order })},
			{Header: "Heading", Width: 30, Meaning: "The section's heading, on its first block; later blocks may leave it blank. May hold figure references.", Allowed: optionalText, Example: "Trade",
				field: at(func(b *stats.Block) *string { return &b.Heading })},
			{Header: "Menu label", Omittable: true, Width: 14, Meaning: "A short name for the section in the page's menu, on its first block. Blank keeps the section out of the menu.", Allowed: optionalText, Example: "Trade",
				field: at(func(b *stats.Block) *string { return &b.Menu })},
			{Header: "Body", Width: 80, Meaning: "The text, in Markdown, with figure references such as {{value goods-exports 2019}} that show the figure with its unit and source.", Allowed: "Markdown without HTML; links to http:// or https:// addresses only; figure references to series, years, facts and sources that exist.", Example: "Exports reached {{latest goods-exports}}.",
				field: at(func(b *stats.Block) *string { return &b.Body })},
			{Header: "Chart", Ref: stats.TableCharts, Width: 22, Meaning: "The chart this block discusses, if any, so the page can set the two side by side. May be left blank.", Allowed: "Blank, or an ID from the Charts sheet.", Example: "goods-trade",
				field: at(func(b *stats.Block) *string { return &b.Chart })},
		},
		access: records(func(d *stats.Dataset) *[]stats.Block { return &d.Text }),
	},
}

// chartColumns are the columns of the Charts sheet; the two axes have the
// same six columns each.
func chartColumns() []Column {
	cs := []Column{
		{Header: "ID", Required: true, Width: 22, Meaning: "A short name for the chart; it is the chart's web address, /charts/ID, so keep it when the title changes.", Allowed: idAllowed, Example: "goods-trade",
			field: at(func(c *stats.ChartDef) *string { return &c.ID })},
		{Header: "Section", Required: true, Width: 14, Meaning: "The section of the Text sheet the chart is shown beside.", Allowed: "A section that appears on the Text sheet.", Example: "trade",
			field: at(func(c *stats.ChartDef) *string { return &c.Section })},
		{Header: "Order", Kind: Number, Required: true, Width: 7, Meaning: "The chart's place in its section, smallest first.", Allowed: numAllowed, Example: "10",
			field: at(func(c *stats.ChartDef) *float64 { return &c.Order })},
		{Header: "Kind", Kind: Choice, Choices: stats.ChartKinds, Required: true, Width: 12, Meaning: "What sort of chart: line, bar, stacked bar, mixed (bars and lines; each series' Role says which), dot (markers only), or map (the Projects sheet by region).", Allowed: "One of: " + strings.Join(stats.ChartKinds, ", ") + ".", Example: "mixed",
			field: at(func(c *stats.ChartDef) *string { return &c.Kind })},
		{Header: "Title", Required: true, Width: 36, Meaning: "The chart's title.", Allowed: requiredText, Example: "Goods trade with Korea",
			field: at(func(c *stats.ChartDef) *string { return &c.Title })},
		{Header: "Subtitle", Width: 40, Meaning: "Units and basis, shown under the title.", Allowed: optionalText, Example: "USD billion · Census basis",
			field: at(func(c *stats.ChartDef) *string { return &c.Subtitle })},
		{Header: "From year", Kind: Year, Width: 8, Meaning: "The first year shown. Blank shows every year with data.", Allowed: yearAllowed + " May be left blank.", Example: "2000",
			field: at(func(c *stats.ChartDef) *int { return &c.FromYear })},
		{Header: "To year", Kind: Year, Width: 8, Meaning: "The last year shown. Blank shows every year with data.", Allowed: yearAllowed + " May be left blank.", Example: "",
			field: at(func(c *stats.ChartDef) *int { return &c.ToYear })},
		{Header: "Summary", Width: 50, Meaning: "One sentence saying what the chart shows; it starts the chart's text alternative and its page.", Allowed: optionalText, Example: "Bars show exports and imports each year.",
			field: at(func(c *stats.ChartDef) *string { return &c.Summary })},
		{Header: "Notes", Omittable: true, Width: 40, Meaning: "Notes shown under the chart on its own page. May be left blank.", Allowed: optionalText, Example: "2024 figures are preliminary.",
			field: at(func(c *stats.ChartDef) *string { return &c.Notes })},
		{Header: "Alt text", Omittable: true, Width: 40, Meaning: "A text alternative for readers who cannot see the chart. Blank describes the chart from its data.", Allowed: optionalText, Example: "",
			field: at(func(c *stats.ChartDef) *string { return &c.Alt })},
	}
	for n, ax := range []func(c *stats.ChartDef) *stats.Axis{
		func(c *stats.ChartDef) *stats.Axis { return &c.Axis1 },
		func(c *stats.ChartDef) *stats.Axis { return &c.Axis2 },
	} {
		p := fmt.Sprintf("Axis %d ", n+1)
		side := "left"
		if n == 1 {
			side = "right; only for series whose Axis is 2"
		}
		cs = append(cs,
			Column{Header: p + "name", Width: 16, Meaning: "The name at the top of the " + side + " value axis, usually the unit.", Allowed: optionalText, Example: "USD billion",
				field: at(func(c *stats.ChartDef) *string { return &ax(c).Name })},
			Column{Header: p + "unit", Width: 14, Meaning: "The unit every series on this axis must have. Blank only requires them to share one.", Allowed: optionalText, Example: "USD billion",
				field: at(func(c *stats.ChartDef) *string { return &ax(c).Unit })},
			Column{Header: p + "min", Width: 8, Meaning: "The lowest value of the axis. Blank lets the chart choose.", Allowed: "Blank, or a number.", Example: "",
				field: at(func(c *stats.ChartDef) *string { return &ax(c).Min })},
			Column{Header: p + "max", Width: 8, Meaning: "The highest value of the axis. Blank lets the chart choose.", Allowed: "Blank, or a number.", Example: "",
				field: at(func(c *stats.ChartDef) *string { return &ax(c).Max })},
			Column{Header: p + "inverted", Kind: Choice, Choices: YesNoValues, Width: 8, Meaning: "yes puts the smallest value at the top, as for ranks. Blank is no.", Allowed: "Blank, yes or no.", Example: "no",
				field: at(func(c *stats.ChartDef) *string { return &ax(c).Inverted })},
			Column{Header: p + "whole numbers", Kind: Choice, Choices: YesNoValues, Width: 8, Meaning: "yes shows whole numbers only on the axis, as for ranks. Blank is no.", Allowed: "Blank, yes or no.", Example: "no",
				field: at(func(c *stats.ChartDef) *string { return &ax(c).Integer })},
		)
	}
	return append(cs, Column{Header: "Geometry", Kind: Choice, Choices: stats.Geometries, Width: 12, Meaning: "For a map: the regions drawn, matched by name against the Projects sheet's State column. Leave blank for other charts.", Allowed: "Blank, or one of: " + strings.Join(stats.Geometries, ", ") + ".", Example: "",
		field: at(func(c *stats.ChartDef) *string { return &c.Geometry })})
}

// Intro is the opening of the workbook's README sheet: what the workbook
// is and how to use it, before the column-by-column reference.
func Intro() []string {
	return []string{
		"This workbook holds one complete version of the dataset shown on the bilateral dashboard. Edit it in Excel or LibreOffice and upload it again to publish a new version.",
		"Each sheet after this one holds one kind of record, one record per row, with the column names in row 1. Do not rename the sheets or the column names; you may reorder the columns, and add columns of your own, which are ignored.",
		"Empty rows are ignored. Do not merge cells. Formulas are allowed, but save the file after the values have been calculated.",
		"IDs tie the sheets together: " + references() + ". The drop-down lists offer the IDs that exist.",
		"On upload every sheet is checked, and every problem is listed with the sheet and cell to fix; nothing is published until there are none. This README sheet and the hidden Lists sheet are ignored on upload.",
	}
}

// references says which sheets name the records of which, from the
// columns' Refs: "every value on Observations, Projects and Facts names a
// source from the Sources sheet, and ...".
func references() string {
	var parts []string
	for _, target := range Sheets {
		if target.IsFieldSheet() {
			continue
		}
		var from []string
		for _, s := range Sheets {
			for _, c := range s.Columns {
				if c.Ref == target.Name {
					from = append(from, s.Name)
					break
				}
			}
		}
		if len(from) > 0 {
			parts = append(parts, "every value on "+andList(from)+" names a "+target.Noun+" from the "+target.Name+" sheet")
		}
	}
	return strings.Join(parts, ", and ")
}

// andList joins words as English does: "a", "a and b", "a, b and c".
func andList(w []string) string {
	if len(w) < 2 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
