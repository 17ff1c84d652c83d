package cctv

import (
	"context"
	"sync"
)

// keyedLocks lets one holder of each key at a time in; holders of other
// keys do not wait.
type keyedLocks struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when its holder unlocks
}

// lock waits until key is free (or ctx ends) and holds it; unlock frees it.
func (k *keyedLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	for {
		k.mu.Lock()
		busy, ok := k.held[key]
		if !ok {
			if k.held == nil {
				k.held = map[string]chan struct{}{}
			}
			done := make(chan struct{})
			k.held[key] = done
			k.mu.Unlock()
			return func() {
				k.mu.Lock()
				delete(k.held, key)
				k.mu.Unlock()
				close(done)
			}, nil
		}
		k.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
