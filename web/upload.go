package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
)

// received is a workbook read from a multipart request.
type received struct {
	data     []byte
	filename string
	comment  string
	csrf     string
}

// errTooLarge marks an upload over the size limit.
var errTooLarge = errors.New("upload too large")

// readUpload streams a multipart body part by part. The size limit is
// applied before anything is read: a request that declares a larger body
// is refused at once, and a body that turns out larger is cut off at the
// limit. When checkCSRF is set, the token must arrive (in a header or in a
// "csrf" part before the file) before the file is read.
func (s *Server) readUpload(c echo.Context, checkCSRF func(string) bool) (*received, error) {
	limit := s.cfg.MaxUpload
	req := c.Request()
	if req.ContentLength > limit+64<<10 {
		return nil, s.tooLarge()
	}
	ct, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return nil, stats.NewError(stats.BadRequest, "Send the workbook as multipart/form-data, in a field named \"file\".")
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit+64<<10)
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, stats.NewError(stats.BadRequest, "The upload could not be read as a form.")
	}
	r := &received{csrf: req.Header.Get(csrfHeader)}
	gotFile := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, s.tooLarge()
			}
			return nil, stats.NewError(stats.BadRequest, "The upload was cut short or is not a valid form. Try again.")
		}
		switch part.FormName() {
		case csrfField:
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return nil, s.cutShort(err)
			}
			r.csrf = string(b)
		case "comment":
			// Read a little more than the longest comment can take in
			// bytes, then cut at a character, never inside one.
			b, err := io.ReadAll(io.LimitReader(part, 4*datasets.MaxComment+4))
			if err != nil {
				return nil, s.cutShort(err)
			}
			r.comment = datasets.Clip(strings.TrimSpace(string(b)), datasets.MaxComment)
		case "file":
			if checkCSRF != nil && !checkCSRF(r.csrf) {
				return nil, errExpiredForm
			}
			r.filename = datasets.Clip(part.FileName(), datasets.MaxFilename)
			gotFile = true
			var buf bytes.Buffer
			n, err := io.Copy(&buf, io.LimitReader(part, limit+1))
			if err != nil {
				return nil, s.cutShort(err)
			}
			if n > limit {
				return nil, s.tooLarge()
			}
			r.data = append([]byte{}, buf.Bytes()...)
		}
		part.Close() // the next NextPart reports any error of the stream
	}
	if checkCSRF != nil && !checkCSRF(r.csrf) {
		return nil, errExpiredForm
	}
	if !gotFile {
		return nil, stats.NewError(stats.BadRequest, "No file was sent: choose a workbook (.xlsx) to upload.")
	}
	return r, nil
}

// cutShort is the error of a body that ended or failed while being read:
// over the size limit, or cut short.
func (s *Server) cutShort(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return s.tooLarge()
	}
	return stats.Wrap(stats.BadRequest, "The upload was cut short. Try again.", err)
}

func (s *Server) tooLarge() error {
	return stats.Wrap(stats.TooLarge,
		fmt.Sprintf("The file is larger than the %d MiB limit. A dataset workbook is normally well under 1 MiB: check that you chose the right file.", s.cfg.MaxUpload>>20),
		errTooLarge)
}

// checked is the result of validating an uploaded workbook.
type checked struct {
	dataset *stats.Dataset
	issues  []xlsx.Issue // problems; none means valid
	// warnings do not stop publishing; never nil, so that JSON shows [].
	warnings []schema.Warning
	// exportedFrom is the version the workbook was downloaded from, 0
	// when it does not say; formulas counts its formula cells.
	exportedFrom, formulas int
}

// check validates a workbook with the same code `bilateral validate` uses.
// Only an internal failure returns an error; a bad workbook returns issues.
func check(data []byte) (*checked, error) {
	res, err := xlsx.Decode(data, xlsx.DefaultLimits())
	var verr *xlsx.Error
	if errors.As(err, &verr) {
		return &checked{issues: verr.Issues}, nil
	}
	if err != nil {
		return nil, err
	}
	ws := append(res.Warnings, charts.Check(res.Dataset)...)
	if ws == nil {
		ws = []schema.Warning{}
	}
	return &checked{dataset: res.Dataset, warnings: ws, exportedFrom: res.ExportedFrom, formulas: res.Formulas}, nil
}
