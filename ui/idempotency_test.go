package ui

import (
	"strings"
	"testing"

	"cc112"
	"cc112/auth"
)

// TestAdminPostsHonourIdempotencyKeys: cameras, devices and users, like
// every other command, replay the first answer to a retry with the same key
// and body, and refuse the key with another body (409) without changing
// anything.
func TestAdminPostsHonourIdempotencyKeys(t *testing.T) {
	s := newSecured(t)
	post := func(path, key, body string) resp {
		t.Helper()
		return s.as(auth.Admin, "POST", path, body, "Idempotency-Key", key)
	}
	same := func(name string, a, b resp) {
		t.Helper()
		if a.status != 201 || b.status != 201 || string(a.body) != string(b.body) {
			t.Errorf("%s retried with the same key and body: %d %s, then %d %s", name, a.status, a.body, b.status, b.body)
		}
	}
	conflict := func(name string, r resp) {
		t.Helper()
		if r.status != 409 || r.errCode(t) != cc112.EConflict {
			t.Errorf("%s: the key with another body: %d %s, want 409", name, r.status, r.body)
		}
	}

	cam := `{"id":"cam-k1","name":"Tugu Pahlawan","location":{"lat":-7.2458,"lon":112.7378},"rtsp_url":"rtsp://10.0.0.9/a"}`
	same("camera", post("/api/v1/cameras", "cam-1", cam), post("/api/v1/cameras", "cam-1", cam))
	conflict("camera", post("/api/v1/cameras", "cam-1", strings.Replace(cam, "Tugu Pahlawan", "Overwritten", 1)))
	if c, err := s.eng.Camera("cam-k1"); err != nil || c.Name != "Tugu Pahlawan" {
		t.Errorf("camera after the conflicting retry: %+v %v", c, err)
	}

	dev := `{"device_id":"gps-k1","unit_id":"` + s.unitID + `"}`
	first, again := post("/api/v1/devices", "dev-1", dev), post("/api/v1/devices", "dev-1", dev)
	var d1, d2 struct {
		DeviceID string `json:"device_id"`
		Secret   string `json:"secret"`
	}
	first.decode(t, &d1)
	again.decode(t, &d2)
	if first.status != 201 || again.status != 201 || d1.Secret == "" || d2.DeviceID != "gps-k1" || d2.Secret != "" {
		t.Errorf("device retried: %d %s, then %d %s; want the same device, its secret shown once", first.status, first.body, again.status, again.body)
	}
	if _, err := s.store.AuthenticateDevice("gps-k1", d1.Secret); err != nil {
		t.Errorf("the retry minted another secret: the first one fails: %v", err)
	}
	conflict("device", post("/api/v1/devices", "dev-1", `{"device_id":"gps-k2","unit_id":"`+s.unitID+`"}`))

	user := `{"username":"sari","password":"kata-sandi-sari","role":"calltaker"}`
	same("user", post("/api/v1/users", "user-1", user), post("/api/v1/users", "user-1", user))
	conflict("user", post("/api/v1/users", "user-1", `{"username":"sari","password":"kata-sandi-sari","role":"admin"}`))
	conflict("user with another password", post("/api/v1/users", "user-1", `{"username":"sari","password":"another-password","role":"calltaker"}`))
	s.login(t, "sari", "kata-sandi-sari")
}
