package ui

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"cc112/auth"
)

// BenchmarkAuditedCommand measures what the audit adds to a mutation: the
// same unit status command through a server without access control and
// through one that authenticates and audits it. The audit entry is a
// separate journal write batched by the recorder, so with group commit it
// should cost well under a second fsync per command.
//
//	go test -run '^$' -bench AuditedCommand -benchtime 2s ./ui
func BenchmarkAuditedCommand(b *testing.B) {
	for _, mode := range []string{"no-auth", "auth+audit"} {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", mode, clients), func(b *testing.B) {
				s := newSecured(b)
				if mode == "no-auth" {
					s.server.auth = nil
				}
				units := s.eng.Units()
				token := s.tokens[auth.Dispatcher]
				var next atomic.Int64
				b.SetParallelism(clients)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					u := units[int(next.Add(1))%len(units)].ID
					status := []string{"offduty", "available"}
					for i := 0; pb.Next(); i++ {
						req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/units/"+u+"/status",
							strings.NewReader(`{"status":"`+status[i%2]+`"}`))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+token)
						res, err := http.DefaultClient.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						res.Body.Close()
						if res.StatusCode != 200 {
							b.Errorf("status %d", res.StatusCode)
							return
						}
					}
				})
				b.StopTimer()
			})
		}
	}
}
