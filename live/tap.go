package live

// Tap reads the hub's numbered messages in seq order, as their JSON, for a
// relay to the other instances (redisfeed): they get the very messages, with
// this hub's epoch and seqs, that its own clients get. Like a connection, a
// tap is a cursor in the resume buffer, so a relay that stalls (Redis away)
// costs no memory; one that falls out of the buffer skips to the newest
// message and the readers see the gap. One goroutine uses a Tap.
type Tap struct {
	h       *Hub
	wake    chan struct{}
	epoch   string
	seq     uint64       // last message done
	snap    *tapSnapshot // asked for, not yet done
	pending int          // messages handed by Next, not yet done; -1: the snapshot
	skipped uint64
}

type tapSnapshot struct {
	epoch   string
	seq     uint64
	payload []byte
}

// Tap starts a cursor after the newest message.
func (h *Hub) Tap() *Tap {
	t := &Tap{h: h, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	t.epoch, t.seq = h.epoch, h.seq
	h.taps[t] = struct{}{}
	h.mu.Unlock()
	return t
}

// Close unregisters the tap.
func (t *Tap) Close() {
	t.h.mu.Lock()
	delete(t.h.taps, t)
	t.h.mu.Unlock()
}

// Wake receives a value when messages may follow the cursor.
func (t *Tap) Wake() <-chan struct{} { return t.wake }

func (t *Tap) signal() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Skipped counts the messages the tap jumped over (it fell out of the
// buffer, or the hub changed epochs).
func (t *Tap) Skipped() uint64 { return t.skipped }

// WantSnapshot takes a snapshot now; Next hands it out right after the
// message of its seq, so a reader that starts from it continues with the
// very next message.
func (t *Tap) WantSnapshot() error {
	s, err := t.h.snapshot(nil)
	if err != nil {
		return err
	}
	t.snap = &tapSnapshot{epoch: s.epoch, seq: s.seq, payload: framePayload(s.frame)}
	return nil
}

// Next appends to dst up to max messages after the cursor (or the asked-for
// snapshot, alone). They stay next until Done: a relay that could not write
// them calls Next again.
func (t *Tap) Next(dst [][]byte, max int) [][]byte {
	h := t.h
	h.mu.RLock()
	defer h.mu.RUnlock()
	w := h.win.Load()
	if t.epoch != h.epoch || !w.has(t.seq) {
		if t.epoch == h.epoch {
			t.skipped += h.seq - t.seq
		}
		t.epoch, t.seq = h.epoch, h.seq
	}
	if s := t.snap; s != nil {
		switch {
		case s.epoch != t.epoch || s.seq < t.seq:
			t.snap = nil // too late: the reader will ask again
		case s.seq == t.seq:
			t.pending = -1
			return append(dst, s.payload)
		default:
			max = min(max, int(s.seq-t.seq))
		}
	}
	n := len(dst)
	dst = w.after(dst, t.seq, max, nil) // whole: other instances make their own viewers' views
	for k := n; k < len(dst); k++ {
		dst[k] = framePayload(dst[k])
	}
	t.pending = len(dst) - n
	return dst
}

// Done moves the cursor past what the last Next returned.
func (t *Tap) Done() {
	if t.pending < 0 {
		t.snap = nil
	} else {
		t.seq += uint64(t.pending)
	}
	t.pending = 0
}
