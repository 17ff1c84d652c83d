package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"cc112/auth"
	"cc112/callcenter"
)

const (
	testAMLAPIKey     = "aml-gateway-key"
	testWebhookSecret = "inbound-webhook-secret"
	testMetricsToken  = "scrape-token"
)

// TestMachineSecrets: machine routes take a user token or the machine's
// own secret, and nothing else.
func TestMachineSecrets(t *testing.T) {
	s := newSecured(t)
	sms := callcenter.FormatAMLSMS(callcenter.AML{Version: 1, Location: tuguPoint, RadiusM: 22, Method: "gnss",
		At: time.Now().UTC(), Confidence: 68})
	tests := []struct {
		name    string
		method  string
		path    string
		headers []string
		want    int
	}{
		{"AML without a secret", "POST", "/api/v1/aml?from=%2B6281234567890", []string{"Content-Type", "text/plain"}, 401},
		{"AML with a wrong key", "POST", "/api/v1/aml?from=%2B6281234567890", []string{"Content-Type", "text/plain", "X-API-Key", "nope"}, 401},
		{"AML with the gateway key", "POST", "/api/v1/aml?from=%2B6281234567890", []string{"Content-Type", "text/plain", "X-API-Key", testAMLAPIKey}, 202},
		{"AML with a call-taker", "POST", "/api/v1/aml?from=%2B6281234567890", []string{"Content-Type", "text/plain", "Authorization", "Bearer " + s.tokens[auth.CallTaker]}, 202},
		{"AML with police", "POST", "/api/v1/aml?from=%2B6281234567890", []string{"Content-Type", "text/plain", "Authorization", "Bearer " + s.tokens[auth.Police]}, 403},
		{"metrics from loopback with a wrong bearer", "GET", "/metrics", []string{"Authorization", "Bearer nope"}, 401},
		{"metrics with the scrape token", "GET", "/metrics", []string{"Authorization", "Bearer " + testMetricsToken}, 200},
		{"metrics with a supervisor", "GET", "/metrics", []string{"Authorization", "Bearer " + s.tokens[auth.Supervisor]}, 200},
		{"metrics with police", "GET", "/metrics", []string{"Authorization", "Bearer " + s.tokens[auth.Police]}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == "POST" {
				body = sms
			}
			if r := s.do(tc.method, tc.path, body, tc.headers...); r.status != tc.want {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.want)
			}
		})
	}
}

// TestComplaintDeskScope: an agency team sees and answers only what was
// forwarded to its agency; tracking shows no identity; the desk's view of
// one complaint needs a desk user.
func TestComplaintDeskScope(t *testing.T) {
	s := newSecured(t)
	ctx := context.Background()
	file := func(agency string) *callcenter.Filed {
		t.Helper()
		f, err := s.calls.FileComplaint(ctx, callcenter.NewComplaint{Name: "Siti Aminah", Phone: "081234567890",
			Text: "Lampu jalan mati", Category: "streetlight"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.calls.Forward(ctx, f.ID, []string{agency}, "", ""); err != nil {
			t.Fatal(err)
		}
		return f
	}
	mine, theirs := file("dkp"), file("pln")
	r := s.as(auth.Agency, "GET", "/api/v1/complaints", "")
	if r.status != 200 || !strings.Contains(string(r.body), mine.ID) || strings.Contains(string(r.body), theirs.ID) {
		t.Fatalf("agency list: %d %s", r.status, r.body)
	}
	if r := s.as(auth.Agency, "GET", "/api/v1/complaints?agency=pln", ""); r.status != 403 {
		t.Errorf("agency asking for another agency: %d", r.status)
	}
	for _, tc := range []struct {
		name string
		role auth.Role
		ref  string
		want int
	}{
		{"own", auth.Agency, mine.ID, 200},
		{"other agency's", auth.Agency, theirs.ID, 404},
		{"dispatcher", auth.Dispatcher, theirs.ID, 200},
		{"police", auth.Police, mine.ID, 403},
		{"unit", auth.UnitRole, mine.ID, 403},
	} {
		if r := s.as(tc.role, "GET", "/api/v1/complaints/"+tc.ref, ""); r.status != tc.want {
			t.Errorf("GET %s as %s: %d %s, want %d", tc.name, tc.role, r.status, r.body, tc.want)
		}
	}
	// Answering is the agency's (README's role table): the desk forwards
	// and gives feedback, the supervisor reads.
	for _, role := range []auth.Role{auth.Supervisor, auth.Dispatcher} {
		if r := s.as(role, "POST", "/api/v1/complaints/"+mine.ID+"/respond", `{"text":"ok"}`); r.status != 403 {
			t.Errorf("%s answering for the agency: %d %s, want 403", role, r.status, r.body)
		}
	}
	if r := s.as(auth.Agency, "POST", "/api/v1/complaints/"+theirs.ID+"/respond", `{"text":"ok"}`); r.status != 404 {
		t.Errorf("agency answering another agency's complaint: %d %s", r.status, r.body)
	}
	if r := s.as(auth.Agency, "POST", "/api/v1/complaints/"+mine.ID+"/respond", `{"text":"Sudah diperbaiki"}`); r.status != 200 {
		t.Errorf("agency answering its own complaint: %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/api/v1/complaints/"+mine.ID, ""); r.status != 401 {
		t.Errorf("the desk's view without a token: %d %s", r.status, r.body)
	}
	r = s.do("GET", "/api/v1/complaints/"+mine.Number+"?token="+mine.Token, "")
	if r.status != 200 || strings.Contains(string(r.body), "Siti") || strings.Contains(string(r.body), "0812") {
		t.Errorf("public tracking: %d %s", r.status, r.body)
	}
}
