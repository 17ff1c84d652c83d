package ui

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"time"

	"cc112"
	"cc112/dispatch"
)

const (
	// maxImportBody bounds one import request; a larger history is sent
	// in several requests (re-sending a line is harmless: it is skipped).
	maxImportBody = 1 << 30
	// maxImportLine bounds one NDJSON line (one incident with its units).
	maxImportLine = 256 << 10
	// importBatch is how many incidents go into one engine command: large
	// enough for throughput, small enough that live commands wait at most
	// a few milliseconds for the engine's lock.
	importBatch = 1000
	// maxImportErrors bounds the error list of the answer; the counts stay exact.
	maxImportErrors = 1000
	// importIdle is how long the client may stall between batches.
	importIdle = time.Minute
)

// ImportLineError names a rejected line.
type ImportLineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ImportResult answers POST /api/v1/import/incidents.
type ImportResult struct {
	Imported int `json:"imported"`
	// Skipped counts lines whose external_id was imported before: an
	// import run twice adds nothing.
	Skipped         int               `json:"skipped"`
	Rejected        int               `json:"rejected"`
	Errors          []ImportLineError `json:"errors"`
	ErrorsTruncated bool              `json:"errors_truncated,omitempty"`
}

func (res *ImportResult) reject(line int, msg string) {
	res.Rejected++
	if len(res.Errors) < maxImportErrors {
		res.Errors = append(res.Errors, ImportLineError{Line: line, Message: msg})
	} else {
		res.ErrorsTruncated = true
	}
}

// merge adds o's counts and errors to res, errors in line order.
func (res *ImportResult) merge(o *ImportResult) *ImportResult {
	out := &ImportResult{Imported: res.Imported + o.Imported, Skipped: res.Skipped + o.Skipped,
		Rejected: res.Rejected + o.Rejected, ErrorsTruncated: res.ErrorsTruncated || o.ErrorsTruncated}
	out.Errors = append(append(make([]ImportLineError, 0, len(res.Errors)+len(o.Errors)), res.Errors...), o.Errors...)
	slices.SortStableFunc(out.Errors, func(a, b ImportLineError) int { return a.Line - b.Line })
	if len(out.Errors) > maxImportErrors {
		out.Errors, out.ErrorsTruncated = out.Errors[:maxImportErrors], true
	}
	return out
}

type importBatchLines struct {
	items []dispatch.ImportedIncident
	lines []int
}

// postImport loads historical incidents from NDJSON, one per line, read as
// a stream: a bad line is rejected by number and the rest imported. While
// the engine commits one batch the next is parsed.
func (s *Server) postImport(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/x-ndjson" && mt != "application/jsonl") {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "Content-Type must be application/x-ndjson (one JSON incident per line)"))
		return
	}
	rc := http.NewResponseController(w)
	body := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, maxImportBody), 64<<10)

	// The reader rejects lines that do not parse, the engine's goroutine
	// those it refuses; the two lists are merged at the end.
	parsed, stored := &ImportResult{}, &ImportResult{}
	batches := make(chan importBatchLines, 1)
	done := make(chan error, 1)
	go func() { done <- s.importBatches(r, batches, stored) }()

	var readErr error
	line := 0
	cur := importBatchLines{}
	send := func() bool {
		_ = rc.SetReadDeadline(time.Now().Add(importIdle))
		select {
		case batches <- cur:
		case err := <-done: // the engine refused: stop reading
			done <- err
			return false
		}
		cur = importBatchLines{}
		return true
	}
	for {
		raw, err := readLine(body)
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			if errors.Is(err, errLineTooLong) {
				parsed.reject(line, fmt.Sprintf("line is longer than %d bytes", maxImportLine))
				continue
			}
			readErr = err
			break
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		var m dispatch.ImportedIncident
		if err := decodeStrict(raw, &m); err != nil {
			parsed.reject(line, cc112.ErrorMessage(err))
			continue
		}
		cur.items = append(cur.items, m)
		cur.lines = append(cur.lines, line)
		if len(cur.items) == importBatch && !send() {
			break
		}
	}
	if len(cur.items) > 0 {
		send()
	}
	close(batches)
	engineErr := <-done
	res := parsed.merge(stored)
	switch {
	case engineErr != nil:
		s.writeError(w, r, cc112.Errorf(cc112.ErrorCode(engineErr), "import stopped: %s; %d incidents were imported before it (sending the file again skips them)",
			cc112.ErrorMessage(engineErr), res.Imported))
	case readErr != nil:
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			w.Header().Set("Connection", "close")
			s.writeError(w, r, fmt.Errorf("%w (%w)", cc112.Errorf(cc112.EInvalid,
				"body larger than %d bytes: stopped at line %d; %d incidents were imported, send the rest in another request",
				tooBig.Limit, line, res.Imported), tooBig))
			return
		}
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "could not read the body at line %d: %v; %d incidents were imported", line, readErr, res.Imported))
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// importBatches runs the engine commands, one per batch, and fills res.
func (s *Server) importBatches(r *http.Request, batches <-chan importBatchLines, res *ImportResult) error {
	var failed error
	for b := range batches {
		if failed != nil {
			continue // drain; the reader stops at its next send
		}
		results, err := s.eng.ImportIncidents(r.Context(), b.items)
		if err != nil {
			failed = err
			continue
		}
		for k, e := range results {
			switch {
			case e == nil:
				res.Imported++
			case errors.Is(e, dispatch.ErrAlreadyImported):
				res.Skipped++
			default:
				res.reject(b.lines[k], cc112.ErrorMessage(e))
			}
		}
	}
	return failed
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its newline. A line over
// maxImportLine is skipped to its end and reported as errLineTooLong.
func readLine(r *bufio.Reader) ([]byte, error) {
	var long []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			if len(long) > maxImportLine {
				for err == bufio.ErrBufferFull {
					_, err = r.ReadSlice('\n')
				}
				if err != nil && err != io.EOF {
					return nil, err
				}
				return nil, errLineTooLong
			}
			continue
		}
		if long != nil {
			chunk = append(long, chunk...)
		}
		if err == io.EOF && len(chunk) > 0 {
			return chunk, nil // a last line without newline
		}
		if len(chunk) > maxImportLine {
			return nil, errLineTooLong
		}
		return chunk, err
	}
}
