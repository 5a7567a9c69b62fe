package schema

// Warning is something about an uploaded workbook that an editor may want
// to know but that does not stop it from being published: a sheet or
// column that is not part of the format and was ignored, and (in later
// checks) doubts about the data. It is the one format every warning takes,
// in `bilateral validate`, in the API's JSON and on the preview page.
type Warning struct {
	// Sheet is the worksheet name; empty when the warning concerns the
	// file as a whole.
	Sheet string `json:"sheet"`
	// Cell is the cell reference, such as "C1"; empty when the warning
	// concerns a whole sheet.
	Cell string `json:"cell"`
	// Code is a short machine name for the kind of warning, such as
	// "unknown_column", for scripts to act on; see the Warn constants.
	Code string `json:"code"`
	// Message says what was noticed, in words an editor understands.
	Message string `json:"message"`
}

// Codes of the warnings the workbook reader gives.
const (
	// WarnUnknownSheet: a sheet that is not part of the format was ignored.
	WarnUnknownSheet = "unknown_sheet"
	// WarnUnknownColumn: a column whose header is not part of its sheet
	// was ignored.
	WarnUnknownColumn = "unknown_column"
	// WarnUnnamedColumn: a column has values but no header, and was
	// ignored.
	WarnUnnamedColumn = "unnamed_column"
	// WarnUnknownField: a row of a field sheet (Metadata) names a field
	// that is not part of the format, and was ignored.
	WarnUnknownField = "unknown_field"
	// WarnFormulaCell: a cell holds a formula; its saved value was used,
	// never recalculated.
	WarnFormulaCell = "formula_cell"
	// WarnNoBase: the workbook does not say which version it was
	// downloaded from, so publishing it replaces the current version
	// whole.
	WarnNoBase = "no_base_version"
	// WarnOlderBase: the workbook was downloaded from an older version
	// than the current one.
	WarnOlderBase = "older_base_version"
)

// ExportedFromField is the row of the Metadata sheet that records the
// version a workbook was downloaded from. It is written at download time
// and read back beside the dataset, never into it: it is not part of any
// version or of any comparison between versions.
const ExportedFromField = "Exported from version"

// Where returns the warning's location as spreadsheet users write it:
// "Sheet!Cell", "Sheet", or "" for the file as a whole.
func (w Warning) Where() string {
	switch {
	case w.Sheet != "" && w.Cell != "":
		return w.Sheet + "!" + w.Cell
	case w.Sheet != "":
		return w.Sheet
	default:
		return w.Cell
	}
}

// String formats the warning as "Sheet!Cell: warning: message", the way
// `bilateral validate` prints it.
func (w Warning) String() string {
	if at := w.Where(); at != "" {
		return at + ": warning: " + w.Message
	}
	return "warning: " + w.Message
}
