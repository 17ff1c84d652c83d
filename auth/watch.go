package auth

import (
	"sync"
	"time"
)

// A websocket outlives the request that authenticated it, so it watches its
// session: when the session ends (logout, password change, expiry, also
// when a standby learns of it from the journal) the socket is told and
// closes. One sweep over the watched sessions every watchEvery finds them
// all, expiry included, on the store's clock.
const watchEvery = 250 * time.Millisecond

type watches struct {
	mu      sync.Mutex
	closed  bool
	running bool
	byHash  map[string]map[*func()]struct{}
	stop    chan struct{}
	done    chan struct{}
}

// WatchSession calls end once, within a second of the end of token's
// session (also if it has ended already). release stops watching; call
// it when the connection ends.
func (s *Store) WatchSession(token string, end func()) (release func()) {
	h := secretHash(token)
	fn := &end
	w := &s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		go end()
		return func() {}
	}
	if w.byHash == nil {
		w.byHash = map[string]map[*func()]struct{}{}
	}
	if w.byHash[h] == nil {
		w.byHash[h] = map[*func()]struct{}{}
	}
	w.byHash[h][fn] = struct{}{}
	if !w.running {
		w.running, w.stop, w.done = true, make(chan struct{}), make(chan struct{})
		go s.sweepLoop(w.stop, w.done)
	}
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if set := w.byHash[h]; set != nil {
			delete(set, fn)
			if len(set) == 0 {
				delete(w.byHash, h)
			}
		}
	}
}

func (s *Store) sweepLoop(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.sweep()
		}
	}
}

// sweep ends the watches of sessions that are no longer valid.
func (s *Store) sweep() {
	w := &s.watch
	w.mu.Lock()
	hashes := make([]string, 0, len(w.byHash))
	for h := range w.byHash {
		hashes = append(hashes, h)
	}
	w.mu.Unlock()
	if len(hashes) == 0 {
		return
	}
	now := s.now()
	var ended []string
	s.eng.Read(func() {
		for _, h := range hashes {
			sess, ok := s.st.sessions[h]
			if !ok || !now.Before(sess.Expires) || s.st.users[sess.Username] == nil {
				ended = append(ended, h)
			}
		}
	})
	var fns []*func()
	w.mu.Lock()
	for _, h := range ended {
		for fn := range w.byHash[h] {
			fns = append(fns, fn)
		}
		delete(w.byHash, h)
	}
	w.mu.Unlock()
	for _, fn := range fns {
		(*fn)()
	}
}

// stopWatching ends the sweeper (Close).
func (s *Store) stopWatching() {
	w := &s.watch
	w.mu.Lock()
	w.closed = true
	running, stop, done := w.running, w.stop, w.done
	w.running = false
	w.mu.Unlock()
	if running {
		close(stop)
		<-done
	}
}
