package dispatch

import (
	"context"
	"fmt"
	"slices"

	"cc112"
)

// RelocateUnit sends a free unit to wait at another post (a move-up: the
// coverage advice's suggestion, one click to send). The unit's next
// assignment ends the relocation. The live feed's unit.updated carries the
// post, which tells the unit's phone.
func (e *Engine) RelocateUnit(ctx context.Context, unitID string, post cc112.UnitPost, by Author, key, fingerprint string) (*cc112.Unit, error) {
	if err := cc112.CheckText("post", post.Name, maxAddress); err != nil {
		return nil, err
	}
	if post.ID == "" || post.Name == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "post id and name are required")
	}
	if err := cc112.CheckPoint(post.Location); err != nil {
		return nil, err
	}
	for _, k := range post.Covers {
		if err := cc112.CheckText("covers", k, maxName); err != nil {
			return nil, err
		}
	}
	post.Covers = slices.Clone(post.Covers)
	return Run(ctx, e, key, fingerprint, func(tx *Tx) (*cc112.Unit, error) {
		u, err := e.controlledUnit(unitID, by)
		if err != nil {
			return nil, err
		}
		if u.Status != cc112.UnitAvailable {
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is %s: only a free unit is sent to another post", u.Callsign, u.Status)
		}
		tx.Emit(cc112.EvUnitRelocated, cc112.UnitRelocatedPayload{UnitID: u.ID, Post: post, By: by.Username, Role: by.Role})
		uc := *e.units[u.ID]
		return &uc, nil
	})
}

func (e *Engine) applyRelocated(p cc112.UnitRelocatedPayload) error {
	u, err := e.appliedUnit(p.UnitID)
	if err != nil {
		return err
	}
	if u.Status != cc112.UnitAvailable {
		return fmt.Errorf("unit %s is %s", u.ID, u.Status)
	}
	post := p.Post
	post.Covers = slices.Clone(p.Post.Covers)
	u.Post = &post
	e.changedUnit(cc112.LiveUnitUpdated, u)
	return nil
}
