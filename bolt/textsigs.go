package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"

	bbolt "go.etcd.io/bbolt"
)

// A text search that finds little used to visit every record of
// archive_text (a cursor step and a signature check each: ~145,000 records,
// 30 MB at ten years of a city, 87–91 ms under load). "archive_text_sigs"
// keeps the records' two signatures (textRecord's first 2*sigBytes) packed
// in blocks of up to sigBlockMax incidents, in the archive's key order, each
// block under the key of its first incident. A block stores its signatures
// word-sliced: word w of every incident's signatures side by side, so that
// a search reads, for each incident, the 8 bytes of the query's most
// selective word in a tight loop over one contiguous column, and looks at
// archive_text only for the few that pass. The blocks are written in the
// transaction that archives or restores an incident (applyArchive) and
// built at open for an older archive (fillArchive).
const archiveSigBucket = "archive_text_sigs"

// sigBlockMax is the most incidents a block holds: ~40 KB, small enough to
// rewrite when an incident is archived, large enough that a search takes a
// cursor step per several hundred incidents.
const sigBlockMax = 256

// sigWords is an incident's signatures (public and phone, then internal
// notes) in 64-bit words.
const sigWords = 2 * sigBytes / 8

// sigBlock is a decoded block: its incidents' archive keys in order and
// their signatures.
//
// Encoded: n (uint32), then sigWords columns of n little-endian uint64
// (column w: word w of each incident's signatures), then n uint32 ends of
// the keys in the key area that follows.
type sigBlock struct {
	keys [][]byte
	sigs [][sigWords]uint64
}

func (b *sigBlock) encode() []byte {
	n := len(b.keys)
	size := 4 + n*(8*sigWords+4)
	for _, k := range b.keys {
		size += len(k)
	}
	out := binary.LittleEndian.AppendUint32(make([]byte, 0, size), uint32(n))
	for w := range sigWords {
		for i := range b.sigs {
			out = binary.LittleEndian.AppendUint64(out, b.sigs[i][w])
		}
	}
	end := 0
	for _, k := range b.keys {
		end += len(k)
		out = binary.LittleEndian.AppendUint32(out, uint32(end))
	}
	for _, k := range b.keys {
		out = append(out, k...)
	}
	return out
}

// sigView reads an encoded block in place (valid while its transaction is).
type sigView struct {
	n    int
	cols []byte // sigWords columns of n words
	ends []byte // n uint32
	keys []byte
}

func viewSigBlock(v []byte) (sigView, error) {
	if len(v) < 4 {
		return sigView{}, errors.New("short signature block")
	}
	n := int(binary.LittleEndian.Uint32(v))
	head := 4 + n*(8*sigWords+4)
	if n == 0 || head > len(v) || n > len(v) {
		return sigView{}, fmt.Errorf("signature block of %d incidents in %d bytes", n, len(v))
	}
	s := sigView{n: n, cols: v[4 : 4+n*8*sigWords], ends: v[4+n*8*sigWords : head], keys: v[head:]}
	if int(binary.LittleEndian.Uint32(s.ends[4*(n-1):])) != len(s.keys) {
		return sigView{}, errors.New("signature block's keys do not end with it")
	}
	return s, nil
}

func (s sigView) word(w, i int) uint64 {
	return binary.LittleEndian.Uint64(s.cols[8*(w*s.n+i):])
}

func (s sigView) key(i int) ([]byte, error) {
	from := 0
	if i > 0 {
		from = int(binary.LittleEndian.Uint32(s.ends[4*(i-1):]))
	}
	to := int(binary.LittleEndian.Uint32(s.ends[4*i:]))
	if from > to || to > len(s.keys) {
		return nil, errors.New("signature block's key ends are out of order")
	}
	return s.keys[from:to], nil
}

// below is how many of the block's incidents have keys below key.
func (s sigView) below(key []byte) (int, error) {
	var bad error
	n := sort.Search(s.n, func(i int) bool {
		k, err := s.key(i)
		if err != nil {
			bad = err
			return true
		}
		return bytes.Compare(k, key) >= 0
	})
	return n, bad
}

func (s sigView) decode() (*sigBlock, error) {
	b := &sigBlock{keys: make([][]byte, s.n), sigs: make([][sigWords]uint64, s.n)}
	for i := range s.n {
		k, err := s.key(i)
		if err != nil {
			return nil, err
		}
		b.keys[i] = bytes.Clone(k)
		for w := range sigWords {
			b.sigs[i][w] = s.word(w, i)
		}
	}
	return b, nil
}

// recordSigs is the signatures at the head of a textRecord.
func recordSigs(rec []byte) (sigs [sigWords]uint64, err error) {
	if len(rec) < 2*sigBytes {
		return sigs, errors.New("short record")
	}
	for w := range sigWords {
		sigs[w] = binary.LittleEndian.Uint64(rec[8*w:])
	}
	return sigs, nil
}

// sigTerm is one word of a query's signature that a matching incident's
// signature must hold.
type sigTerm struct {
	word int
	mask uint64
}

// sigTerms are qsig's non-zero words, the one with most bits (the likeliest
// to rule an incident out) first, for the signature at offset (0: public
// and phone, sigBytes/8: internal notes).
func sigTerms(qsig []byte, offset int) []sigTerm {
	var terms []sigTerm
	for w := range sigBytes / 8 {
		if m := binary.LittleEndian.Uint64(qsig[8*w:]); m != 0 {
			terms = append(terms, sigTerm{offset + w, m})
		}
	}
	sort.SliceStable(terms, func(a, b int) bool {
		return bits.OnesCount64(terms[a].mask) > bits.OnesCount64(terms[b].mask)
	})
	return terms
}

// holds says whether incident i's signature has every bit of terms.
func (s sigView) holds(i int, terms []sigTerm) bool {
	for _, t := range terms {
		if s.word(t.word, i)&t.mask != t.mask {
			return false
		}
	}
	return true
}

// sigWriter keeps archive_text_sigs in step with one transaction's archive
// operations. A block changed is kept decoded and written once, at flush:
// a batch of 500 incidents archived together mostly lands in one or two
// blocks. The bucket's keys are kept right at every step (a block that
// splits or changes its first key is rewritten at once) so that a seek
// finds the block a key belongs to.
type sigWriter struct {
	b    *bbolt.Bucket
	open map[string]*sigBlock // by its key in b
}

func newSigWriter(tx *bbolt.Tx) (*sigWriter, error) {
	b, err := tx.CreateBucketIfNotExists([]byte(archiveSigBucket))
	if err != nil {
		return nil, err
	}
	return &sigWriter{b: b, open: make(map[string]*sigBlock)}, nil
}

// block is the block that holds or would hold key (the last one whose key
// is not above it, else the first) and its key in b; nil when b is empty.
func (w *sigWriter) block(key []byte) (string, *sigBlock, error) {
	c := w.b.Cursor()
	k, v := c.Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		if k, v = seekBelow(c, key); k == nil {
			k, v = c.First()
		}
	}
	if k == nil {
		return "", nil, nil
	}
	if blk, ok := w.open[string(k)]; ok {
		return string(k), blk, nil
	}
	s, err := viewSigBlock(v)
	if err != nil {
		return "", nil, fmt.Errorf("block %x: %w", k, err)
	}
	blk, err := s.decode()
	if err != nil {
		return "", nil, fmt.Errorf("block %x: %w", k, err)
	}
	w.open[string(k)] = blk
	return string(k), blk, nil
}

func (w *sigWriter) put(key []byte, sigs [sigWords]uint64) error {
	bkey, blk, err := w.block(key)
	if err != nil {
		return err
	}
	if blk == nil {
		w.open[string(key)] = &sigBlock{keys: [][]byte{bytes.Clone(key)}, sigs: [][sigWords]uint64{sigs}}
		return w.b.Put(key, nil) // the value comes at flush; the key is there for the next seek
	}
	i := sort.Search(len(blk.keys), func(i int) bool { return bytes.Compare(blk.keys[i], key) >= 0 })
	if i < len(blk.keys) && bytes.Equal(blk.keys[i], key) {
		blk.sigs[i] = sigs
		return nil
	}
	blk.keys, blk.sigs = slices.Insert(blk.keys, i, bytes.Clone(key)), slices.Insert(blk.sigs, i, sigs)
	if len(blk.keys) <= sigBlockMax && i > 0 {
		return nil
	}
	parts := []*sigBlock{blk}
	if len(blk.keys) > sigBlockMax {
		at := len(blk.keys) / 2
		if i == len(blk.keys)-1 {
			at = i // archived in key order: the full block stays full
		}
		parts = []*sigBlock{
			{keys: blk.keys[:at:at], sigs: blk.sigs[:at:at]},
			{keys: blk.keys[at:], sigs: blk.sigs[at:]},
		}
	}
	return w.rekey(bkey, parts...)
}

func (w *sigWriter) drop(key []byte) error {
	bkey, blk, err := w.block(key)
	if err != nil || blk == nil {
		return err
	}
	i := sort.Search(len(blk.keys), func(i int) bool { return bytes.Compare(blk.keys[i], key) >= 0 })
	if i == len(blk.keys) || !bytes.Equal(blk.keys[i], key) {
		return nil
	}
	blk.keys, blk.sigs = slices.Delete(blk.keys, i, i+1), slices.Delete(blk.sigs, i, i+1)
	if i > 0 {
		return nil
	}
	if len(blk.keys) == 0 {
		return w.rekey(bkey)
	}
	return w.rekey(bkey, blk)
}

// rekey replaces the block at bkey by parts, each under its first key.
func (w *sigWriter) rekey(bkey string, parts ...*sigBlock) error {
	delete(w.open, bkey)
	if err := w.b.Delete([]byte(bkey)); err != nil {
		return err
	}
	for _, p := range parts {
		w.open[string(p.keys[0])] = p
		if err := w.b.Put(p.keys[0], nil); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the blocks changed.
func (w *sigWriter) flush() error {
	for k, blk := range w.open {
		if err := w.b.Put([]byte(k), blk.encode()); err != nil {
			return err
		}
	}
	clear(w.open)
	return nil
}

// fillSigs builds archive_text_sigs from archive_text, full blocks in key
// order, for an archive of a version without it, and answers how many
// incidents it holds.
func fillSigs(tx *bbolt.Tx) (int, error) {
	texts := tx.Bucket([]byte(archiveTextBucket))
	out, err := tx.CreateBucket([]byte(archiveSigBucket))
	if err != nil || texts == nil {
		return 0, err
	}
	n := 0
	var blk sigBlock
	put := func() error {
		if len(blk.keys) == 0 {
			return nil
		}
		err := out.Put(blk.keys[0], blk.encode())
		blk = sigBlock{}
		return err
	}
	err = texts.ForEach(func(k, v []byte) error {
		sigs, err := recordSigs(v)
		if err != nil {
			return fmt.Errorf("%w: archive text %x: %w", ErrCorrupt, k, err)
		}
		blk.keys, blk.sigs = append(blk.keys, bytes.Clone(k)), append(blk.sigs, sigs)
		n++
		if len(blk.keys) == sigBlockMax {
			return put()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, put()
}
