package xlsx_test

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
)

// The corpus of xlsxtest is the contract with the web layer: every case is
// refused with its message, at its place, without a panic, without leaving
// temporary files, and without the memory its zip directory asks for.

// maxAlloc bounds what one Decode of a corpus case may allocate in all,
// which bounds its peak heap growth too. Measured with go test -v, which
// logs every case: decoding the valid default workbook through every
// check and excelize allocates about 5 MiB; the sheet-level cases about as
// much; the largest is the row cap at about 37 MiB (41 MiB under -race),
// spent by excelize walking 200,000 empty rows; the file-level refusals
// take under 1 MiB, the 15 GiB declaration about 13 KiB and the huge
// shared-string table about 0.5 MiB. 64 MiB leaves room for excelize to
// grow while being three orders of magnitude below what the 15 GiB case
// declares.
const maxAlloc = 64 << 20

func TestDecodeHostile(t *testing.T) {
	cases := xlsxtest.Hostile(t)
	if len(cases) < 20 {
		t.Fatalf("xlsxtest.Hostile() = %d cases, want at least 20", len(cases))
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Errorf("two cases are named %q", c.Name)
		}
		names[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			res, alloc, err := decodeMeasured(t, c.Data)
			t.Logf("%d KiB file, %d KiB allocated", len(c.Data)>>10, alloc>>10)
			if alloc > maxAlloc {
				t.Errorf("Decode(%s) allocated %d MiB, want at most %d MiB", c.Name, alloc>>20, maxAlloc>>20)
			}
			var xe *xlsx.Error
			if !errors.As(err, &xe) {
				t.Fatalf("Decode(%s) error = %v (%T), want *xlsx.Error", c.Name, err, err)
			}
			if res != nil && res.Dataset != nil {
				t.Errorf("Decode(%s) returned a dataset with its error", c.Name)
			}
			found := false
			for _, i := range xe.Issues {
				if i.Sheet == c.Sheet && i.Cell == c.Cell && strings.Contains(i.Message, c.Message) {
					found = true
				}
			}
			if !found {
				t.Errorf("Decode(%s) issues lack %s!%s %q; got:\n%s", c.Name, c.Sheet, c.Cell, c.Message, list(xe.Issues))
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("Decode(%s) left %d temporary files or directories behind, want none", c.Name, len(left))
				for _, e := range left {
					os.RemoveAll(tmp + "/" + e.Name())
				}
			}
		})
	}
}

func TestDecodeValidCorpusWorkbook(t *testing.T) {
	res, alloc, err := decodeMeasured(t, xlsxtest.Valid(t))
	t.Logf("valid default workbook: %d KiB allocated", alloc>>10)
	if err != nil {
		t.Fatalf("Decode(xlsxtest.Valid) = %v, want nil", err)
	}
	if len(res.Dataset.Observations) == 0 {
		t.Errorf("Decode(xlsxtest.Valid) has no observations")
	}
}

// decodeMeasured runs Decode, turning an escaped panic into a test failure
// and measuring what it allocates.
func decodeMeasured(t *testing.T, data []byte) (res *xlsx.Result, alloc uint64, err error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("Decode() panicked: %v", r)
			}
		}()
		res, err = xlsx.Decode(data, xlsx.DefaultLimits())
	}()
	runtime.ReadMemStats(&after)
	return res, after.TotalAlloc - before.TotalAlloc, err
}

func list(is []xlsx.Issue) string {
	var b strings.Builder
	for _, i := range is {
		fmt.Fprintf(&b, "\t%s\n", i)
	}
	return b.String()
}

// FuzzDecode feeds whole files, seeded with the valid workbook and the
// hostile corpus, and checks Decode's contract: a dataset that passes
// Validate and no error, or an *xlsx.Error with issues and no dataset;
// never a panic. The limits are small so that mutated files stay fast.
func FuzzDecode(f *testing.F) {
	f.Add(xlsxtest.Valid(f))
	for _, c := range xlsxtest.Hostile(f) {
		f.Add(c.Data)
	}
	lim := xlsx.Limits{MaxRows: 1000, MaxCols: 32, UnzipSizeLimit: 16 << 20, UnzipXMLSizeLimit: 1 << 20, MaxEntries: 1000, MaxSharedStrings: 10000}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := xlsx.Decode(data, lim)
		if err != nil {
			var xe *xlsx.Error
			if !errors.As(err, &xe) || len(xe.Issues) == 0 {
				t.Fatalf("Decode() error = %v (%T), want *xlsx.Error with issues", err, err)
			}
			if res != nil && res.Dataset != nil {
				t.Fatalf("Decode() returned a dataset with an error")
			}
			return
		}
		if res == nil || res.Dataset == nil {
			t.Fatalf("Decode() = nil dataset and nil error")
		}
		if ps := res.Dataset.Validate(); len(ps) > 0 {
			t.Fatalf("Decode() returned a dataset that fails Validate: %v", ps)
		}
	})
}
