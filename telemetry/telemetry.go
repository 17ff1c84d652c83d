// Package telemetry exposes dispatchd's operational metrics in the Prometheus
// format (client_golang): commands by type and outcome with their latency,
// journal commit latency, events committed; gauges read at scrape time
// (websocket clients, open incidents). Only cmd/
// wires it: the engine and the HTTP server see plain functions, so the
// instrumentation costs a counter increment on their paths.
package telemetry

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with dispatchd's collectors.
type Metrics struct {
	reg            *prometheus.Registry
	commands       *prometheus.CounterVec
	commandSeconds *prometheus.HistogramVec
	commitSeconds  prometheus.Histogram
	events         prometheus.Counter
}

// New builds the registry, with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cc112_commands_total",
			Help: "Commands (mutating API requests) by type and outcome (ok or the error code).",
		}, []string{"command", "outcome"}),
		commandSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cc112_command_duration_seconds",
			Help:    "Time from a command's arrival to its answer, including the journal commit.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"command"}),
		commitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cc112_journal_commit_duration_seconds",
			Help:    "Time of one journal commit (a group-committed batch, fsync included).",
			Buckets: []float64{.0002, .0005, .001, .002, .005, .01, .025, .05, .1, .25, 1},
		}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cc112_journal_events_total",
			Help: "Events committed to the journal; rate() of it is events per second.",
		}),
	}
	m.reg.MustRegister(m.commands, m.commandSeconds, m.commitSeconds, m.events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves GET /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Command records one command: its type (the API route), its outcome and
// how long it took.
func (m *Metrics) Command(command, outcome string, took time.Duration) {
	m.commands.WithLabelValues(command, outcome).Inc()
	m.commandSeconds.WithLabelValues(command).Observe(took.Seconds())
}

// Commit records one journal commit (bolt.Journal.ObserveCommits).
func (m *Metrics) Commit(events int, took time.Duration) {
	m.commitSeconds.Observe(took.Seconds())
	m.events.Add(float64(events))
}

// GaugeFunc adds a gauge read at scrape time: open incidents, websocket
// clients (the live hub's own count, so nothing on its path changes).
func (m *Metrics) GaugeFunc(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// CounterFunc adds a counter read at scrape time from a monotonic source.
func (m *Metrics) CounterFunc(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn))
}
