package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
)

// bbolt v1.5.0 on-disk meta page (go.etcd.io/bbolt/internal/common/meta.go,
// page.go), written as native-endian structs at the start of pages 0 and 1:
//
//	page header: id u64, flags u16, count u16, overflow u32   (16 bytes)
//	meta:        magic u32, version u32, pageSize u32, flags u32,
//	             root {pgid u64, sequence u64}, freelist u64, pgid u64,
//	             txid u64, checksum u64 = FNV-64a of the 56 meta bytes before it
//
// bbolt uses the valid meta with the highest txid (DB.meta), so a torn meta
// page already falls back to the previous commit. What it does not check is
// that the chosen meta's high-water mark (pgid × pageSize) lies inside the
// file: a file cut short would be mapped past EOF (SIGBUS or "corruption").
const (
	pageHeaderSize = 16
	metaChecksumAt = 56 // offset of the checksum inside the meta
	metaSize       = 64
	metaMagic      = 0xED0CDAED
	metaPageFlag   = 0x04
	metaVersion    = 2
	noFreelist     = ^uint64(0)
	minPageSize    = 1024
	maxPageSize    = 1024 << 14 // the largest page size bbolt probes for
)

type meta struct {
	magic, version, pageSize, flags uint32
	root, freelist, pgid, txid      uint64
	checksum                        uint64
}

// parseMeta reads the meta in a page that starts at p[0].
func parseMeta(p []byte) (meta, error) {
	if len(p) < pageHeaderSize+metaSize {
		return meta{}, errors.New("meta page cut short")
	}
	b := p[pageHeaderSize : pageHeaderSize+metaSize]
	ne := binary.NativeEndian
	m := meta{
		magic: ne.Uint32(b[0:]), version: ne.Uint32(b[4:]), pageSize: ne.Uint32(b[8:]), flags: ne.Uint32(b[12:]),
		root: ne.Uint64(b[16:]), freelist: ne.Uint64(b[32:]), pgid: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:]),
		checksum: ne.Uint64(b[metaChecksumAt:]),
	}
	h := fnv.New64a()
	_, _ = h.Write(b[:metaChecksumAt])
	sum := h.Sum64()
	switch {
	case m.magic != metaMagic:
		return m, fmt.Errorf("bad magic %08x", m.magic)
	case m.version != metaVersion:
		return m, fmt.Errorf("unsupported bbolt format version %d", m.version)
	case m.checksum != sum:
		return m, fmt.Errorf("checksum mismatch (stored %016x, computed %016x)", m.checksum, sum)
	}
	return m, nil
}

// fits reports why bbolt could not safely use m on a file of size bytes.
func (m meta) fits(pageSize uint32, size int64) error {
	ps := uint64(pageSize)
	switch {
	case m.pageSize != pageSize:
		return fmt.Errorf("page size %d differs from the file's %d", m.pageSize, pageSize)
	case m.pgid < 2 || m.root >= m.pgid || (m.freelist >= m.pgid && m.freelist != noFreelist):
		return fmt.Errorf("inconsistent page ids (root %d, freelist %d, high-water mark %d)", m.root, m.freelist, m.pgid)
	case m.pgid > uint64(size)/ps:
		return fmt.Errorf("needs %d bytes (%d pages of %d) but the file has %d", m.pgid*ps, m.pgid, ps, size)
	}
	return nil
}

type metaSlot struct {
	page int
	off  int64
	m    meta
	err  error // why bbolt rejects it; nil if valid
}

func readMetaSlot(f *os.File, page int, off int64) metaSlot {
	var buf [pageHeaderSize + metaSize]byte
	s := metaSlot{page: page, off: off}
	if _, err := f.ReadAt(buf[:], off); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("past the end of the file")
		}
		s.err = err
		return s
	}
	s.m, s.err = parseMeta(buf[:])
	return s
}

// readMetas reads both meta pages, finding the page size the way bbolt does
// (from meta 0, else by probing for meta 1 at power-of-two offsets).
func readMetas(f *os.File) (slots [2]metaSlot, pageSize uint32, err error) {
	slots[0] = readMetaSlot(f, 0, 0)
	if slots[0].err == nil {
		pageSize = slots[0].m.pageSize
		if pageSize < minPageSize || pageSize > maxPageSize || pageSize&(pageSize-1) != 0 {
			return slots, 0, fmt.Errorf("meta page 0 has an impossible page size %d", pageSize)
		}
		slots[1] = readMetaSlot(f, 1, int64(pageSize))
		return slots, pageSize, nil
	}
	for ps := uint32(minPageSize); ps <= maxPageSize; ps <<= 1 {
		if s := readMetaSlot(f, 1, int64(ps)); s.err == nil && s.m.pageSize == ps {
			slots[1] = s
			return slots, ps, nil
		}
	}
	slots[1] = metaSlot{page: 1, err: errors.New("not found at any page size")}
	return slots, 0, fmt.Errorf("neither meta page is valid (page 0: %w; page 1: %w)", slots[0].err, slots[1].err)
}

// repairMetas makes sure bbolt will open a commit that lies wholly inside the
// file. It must run with the file locked. It returns recovered=true when the
// newest commit attempt is not the one bbolt will use (a torn meta page, or a
// meta invalidated here), so that the caller checks the result thoroughly.
//
// A newest meta that points past EOF is invalidated by inverting its stored
// checksum: bbolt then rejects it and uses the previous commit, whose pages a
// later commit never overwrites (copy-on-write), and the next commit rewrites
// that slot. Inverting rather than zeroing keeps the original recoverable by
// hand. If no meta fits, the file is left untouched and an error returned.
func repairMetas(f *os.File, path string, log *slog.Logger) (recovered bool, err error) {
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("bolt: stat %s: %w", path, err)
	}
	size := st.Size()
	slots, ps, err := readMetas(f)
	if err != nil {
		return false, corruptError(path, err)
	}

	// Valid metas, newest first.
	var cands []metaSlot
	for _, s := range slots {
		if s.err != nil {
			recovered = true
			log.Warn("bolt journal: a meta page is torn or garbled; the commit that was writing it is dropped and bbolt uses the other meta page",
				"path", path, "meta_page", s.page, "reason", s.err.Error(), "claimed_txid", s.m.txid)
			if err := fixMetaHeader(f, s, ps); err != nil {
				return false, fmt.Errorf("bolt: %s: rewriting the header of the garbled meta page %d: %w", path, s.page, err)
			}
			continue
		}
		cands = append(cands, s)
	}
	if len(cands) == 2 && cands[1].m.txid > cands[0].m.txid {
		cands[0], cands[1] = cands[1], cands[0]
	}

	use := -1
	var why []error
	for i, c := range cands {
		if err := c.m.fits(ps, size); err != nil {
			why = append(why, fmt.Errorf("meta page %d (txid %d): %w", c.page, c.m.txid, err))
			continue
		}
		use = i
		break
	}
	if use < 0 {
		return false, corruptError(path, fmt.Errorf("no meta page describes a commit that fits in the file: %w", errors.Join(why...)))
	}
	for _, c := range cands[:use] {
		if err := invalidateMeta(f, c); err != nil {
			return false, fmt.Errorf("bolt: %s: invalidating the torn meta page %d: %w", path, c.page, err)
		}
		recovered = true
		log.Warn("bolt journal: the newest commit is torn (the file is shorter than it needs); dropping it and falling back to the previous commit",
			"path", path, "meta_page", c.page, "dropped_txid", c.m.txid, "needs_bytes", c.m.pgid*uint64(ps),
			"file_bytes", size, "fallback_txid", cands[use].m.txid)
	}
	return recovered, nil
}

func invalidateMeta(f *os.File, s metaSlot) error {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], ^s.m.checksum)
	if _, err := f.WriteAt(b[:], s.off+pageHeaderSize+metaChecksumAt); err != nil {
		return err
	}
	return f.Sync()
}

// fixMetaHeader rewrites the page header of an invalid meta page when it is
// garbled too: bbolt opens with the other meta page, but its consistency
// check (run after every recovery) asserts each page's id and type and would
// refuse the whole file. The meta body keeps its bad checksum, so bbolt goes
// on ignoring it until the next commit rewrites the slot.
func fixMetaHeader(f *os.File, s metaSlot, pageSize uint32) error {
	var want, got [pageHeaderSize]byte
	binary.NativeEndian.PutUint64(want[0:], uint64(s.page))
	binary.NativeEndian.PutUint16(want[8:], metaPageFlag)
	off := int64(s.page) * int64(pageSize)
	if _, err := f.ReadAt(got[:], off); err != nil || got == want {
		return nil // past the end of the file (bbolt never reads it), or intact
	}
	if _, err := f.WriteAt(want[:], off); err != nil {
		return err
	}
	return f.Sync()
}
