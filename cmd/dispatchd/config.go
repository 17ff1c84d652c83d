package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"cc112/auth"
	"cc112/callcenter"
	"cc112/cctv/rtspsrc"
	"cc112/kpi"
	"cc112/paging"
	"cc112/ui"
)

// Config is dispatchd's whole configuration, built once from the flags and
// their environment variables (bindFlags) and handed to each part by
// section: the HTTP side gets HTTP, the call center CallCenter, and so on.
// DefaultConfig is the one home of every default.
type Config struct {
	// Addr is the listen address.
	Addr     string
	LogLevel slog.Level
	Store    StoreConfig
	City     CityConfig
	HTTP     ui.Settings
	// CallCenter holds the complaint SLAs, the mayor's phone and the SMS
	// gateway; SLATick is how often the SLAs are checked (1 s).
	CallCenter callcenter.Config
	SLATick    time.Duration
	Cameras    CameraConfig
	// Paging is Web Push, the acknowledgement timeout and the crew's SMS
	// (which goes through CallCenter's SMS gateway).
	Paging paging.Config
	// Accounts tunes accounts (tests use cheap password hashing).
	Accounts auth.Config
}

// StoreConfig says where the journal is and how instances share it.
type StoreConfig struct {
	// StateDir is the folder of the embedded journal.
	StateDir string
	// DatabaseURL selects PostgreSQL instead of the embedded journal, with
	// a leader lease so that two instances form a hot standby pair.
	DatabaseURL string
	// Advertise is the base URL a standby forwards writes to (default: the
	// listen URL). Instance names this process in the leader table.
	Advertise string
	Instance  string
	// RedisURL relays the live feed and latest positions through Redis.
	RedisURL string
	// BreadcrumbEvery is the least time between two stored fixes of a unit
	// on PostgreSQL.
	BreadcrumbEvery time.Duration
}

// CityConfig is the city the server starts with.
type CityConfig struct {
	// Dir holds real city data (a kelurahan GeoJSON and a camera CSV);
	// empty: the built-in demo city's geography.
	Dir string
	// Roads is an OSM road GeoJSON whose street names the location search
	// finds (default: a *roads*.geojson in Dir); POI a GeoJSON of named
	// points of interest (hospitals, schools, markets).
	Roads string
	POI   string
	// AreaMarginM is how far beyond its districts an incident may lie
	// before it must be confirmed with a reason (a typo, a missing minus).
	AreaMarginM float64
	// Demo seeds the demo city and its accounts into an empty journal; Sim
	// runs the simulator.
	Demo bool
	Sim  bool
	// AdminPassword creates the account "admin" in a journal without
	// accounts (see Main.firstAdmin).
	AdminPassword string
}

// CameraConfig is the CCTV side: the probe interval (0: no probing), the
// RTSP transport, how long a camera's session outlives its last viewer,
// and a camsim address the demo cameras point at (cycling over
// CamSimCameras paths).
type CameraConfig struct {
	ProbeInterval time.Duration
	Transport     rtspsrc.Transport
	CloseAfter    time.Duration
	CamSim        string
	CamSimCameras int
}

// The default basemap: OpenStreetMap's standard tiles, whose policy asks
// for this attribution.
const (
	OSMTiles       = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	OSMAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
)

// DefaultConfig is the configuration without flags.
func DefaultConfig() Config {
	return Config{
		Addr:       "127.0.0.1:8080",
		LogLevel:   slog.LevelInfo,
		Store:      StoreConfig{StateDir: "./state", BreadcrumbEvery: 5 * time.Second},
		City:       CityConfig{AreaMarginM: 2000},
		HTTP:       ui.Settings{Tiles: ui.Tiles{URL: OSMTiles, Attribution: OSMAttribution}, Targets: kpi.DefaultTargets()},
		CallCenter: callcenter.Config{ResponseSLA: time.Hour, FeedbackSLA: 24 * time.Hour},
		Cameras:    CameraConfig{ProbeInterval: 30 * time.Second, CloseAfter: 10 * time.Second, CamSimCameras: 8},
		Paging:     paging.Config{AckTimeout: time.Minute, TTL: time.Hour, Subject: "mailto:cc112@localhost"},
	}
}

// bindFlags declares every flag on fs, each naming its environment
// variable ("env X": applyEnv reads it through the flag's parser). The
// defaults are c's. finish checks and converts what the flags gave once
// they are parsed.
func (c *Config) bindFlags(fs *flag.FlagSet) (finish func() error) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env DISPATCH_ADDR)")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env DISPATCH_LOG_LEVEL)")

	fs.StringVar(&c.Store.StateDir, "state", c.Store.StateDir, "folder of the embedded journal (env DISPATCH_STATE)")
	fs.StringVar(&c.Store.DatabaseURL, "database-url", c.Store.DatabaseURL, "PostgreSQL URL: use it instead of the embedded journal; two instances on one database form a leader/standby pair (env DATABASE_URL)")
	fs.StringVar(&c.Store.Advertise, "advertise", c.Store.Advertise, "base URL other instances reach this one at, e.g. http://dispatchd-a:8080 (default: the listen URL; env DISPATCH_ADVERTISE)")
	fs.StringVar(&c.Store.Instance, "instance", c.Store.Instance, "name of this instance in the leader table (default host-pid; env DISPATCH_INSTANCE)")
	fs.StringVar(&c.Store.RedisURL, "redis-url", c.Store.RedisURL, "Redis URL: relay the live feed and latest unit positions to other instances (env REDIS_URL)")
	fs.DurationVar(&c.Store.BreadcrumbEvery, "breadcrumb-every", c.Store.BreadcrumbEvery, "least time between two stored GPS fixes of a unit, for track playback on PostgreSQL (env DISPATCH_BREADCRUMB_EVERY)")

	fs.BoolVar(&c.City.Demo, "demo", c.City.Demo, "seed the demo city into an empty journal (env DISPATCH_DEMO)")
	sim := fs.String("sim", "", "simulate incidents and moving units (default true with -demo; env DISPATCH_SIM)")
	fs.StringVar(&c.City.Dir, "city", c.City.Dir, "folder with a kelurahan GeoJSON and a camera CSV, e.g. ../shared/data (env DISPATCH_CITY)")
	fs.StringVar(&c.City.Roads, "roads", c.City.Roads, "OSM road GeoJSON whose street names the location search finds (default: a *roads*.geojson in -city; env DISPATCH_ROADS)")
	fs.Float64Var(&c.City.AreaMarginM, "area-margin", c.City.AreaMarginM, "metres beyond the city's districts an incident may lie before it must be confirmed with confirm_out_of_area (env DISPATCH_AREA_MARGIN)")
	fs.StringVar(&c.City.POI, "poi", c.City.POI, "GeoJSON of named points of interest (hospitals, schools, markets, malls) for the location search (env DISPATCH_POI)")
	fs.StringVar(&c.City.AdminPassword, "admin-password", c.City.AdminPassword, "password of the account \"admin\" created when the journal has no account (the first login without -demo); give it through the environment, not the command line (env DISPATCH_ADMIN_PASSWORD)")

	fs.StringVar(&c.HTTP.Tiles.URL, "tiles", c.HTTP.Tiles.URL, "basemap tile URL template of the console, \"\" for none: the kecamatan outlines only (env DISPATCH_TILES)")
	fs.StringVar(&c.HTTP.Tiles.Attribution, "tiles-attribution", c.HTTP.Tiles.Attribution, "attribution shown for the tiles (env DISPATCH_TILES_ATTRIBUTION)")
	tileHosts := fs.String("tile-hosts", "", "comma-separated map tile origins allowed by the Content Security Policy (env DISPATCH_TILE_HOSTS; default https://tile.openstreetmap.org)")
	origins := fs.String("allowed-origins", "", "comma-separated browser origins (https://host[:port]) allowed on the live websocket besides the server's own (env DISPATCH_ALLOWED_ORIGINS)")
	fs.BoolVar(&c.HTTP.SecureCookies, "secure-cookies", c.HTTP.SecureCookies, "mark session cookies Secure behind a TLS-terminating proxy (env DISPATCH_SECURE_COOKIES)")
	amlKey := fs.String("aml-hmac-key", "", "key that must sign AML HTTPS forms (hmac field); empty accepts unsigned forms (env DISPATCH_AML_HMAC_KEY)")
	fs.StringVar(&c.HTTP.AMLAPIKey, "aml-api-key", c.HTTP.AMLAPIKey, "API key the SMS gateway or AML provider sends as X-API-Key to post AML without a user token (env DISPATCH_AML_API_KEY)")
	fs.StringVar(&c.HTTP.MetricsToken, "metrics-token", c.HTTP.MetricsToken, "bearer token Prometheus scrapes /metrics with; empty: /metrics without a user token answers loopback clients only (env DISPATCH_METRICS_TOKEN)")
	target := fs.String("target", c.HTTP.Targets.Response.String(), "response-time target, call received to first unit on scene (env DISPATCH_TARGET)")
	byCat := fs.String("target-by-category", "", "per-category targets, e.g. fire=5m,medical=8m (env DISPATCH_TARGET_BY_CATEGORY)")

	fs.DurationVar(&c.CallCenter.ResponseSLA, "complaint-response-sla", c.CallCenter.ResponseSLA, "time an agency has to answer a forwarded complaint before the mayor gets an SMS (env DISPATCH_COMPLAINT_RESPONSE_SLA)")
	fs.DurationVar(&c.CallCenter.FeedbackSLA, "complaint-feedback-sla", c.CallCenter.FeedbackSLA, "time within which the citizen gets feedback on a complaint (env DISPATCH_COMPLAINT_FEEDBACK_SLA)")
	fs.StringVar(&c.CallCenter.MayorPhone, "mayor-phone", c.CallCenter.MayorPhone, "phone number that gets the SMS about unanswered complaints; empty records the escalation without sending (env DISPATCH_MAYOR_PHONE)")
	smsWebhook := fs.String("sms-webhook", "", "URL that takes SMS as JSON {to, text, id}; empty logs them instead (env DISPATCH_SMS_WEBHOOK)")

	fs.DurationVar(&c.Cameras.ProbeInterval, "camera-probe-interval", c.Cameras.ProbeInterval, "how often every camera's health is probed; 0 disables (env DISPATCH_CAMERA_PROBE_INTERVAL)")
	transport := fs.String("camera-transport", "auto", "RTSP transport to cameras: auto, tcp or udp (env DISPATCH_CAMERA_TRANSPORT)")
	fs.DurationVar(&c.Cameras.CloseAfter, "camera-close-after", c.Cameras.CloseAfter, "how long a camera's session stays open after its last viewer left (env DISPATCH_CAMERA_CLOSE_AFTER)")
	fs.StringVar(&c.Cameras.CamSim, "camsim", c.Cameras.CamSim, "host:port of cmd/camsim: the seeded demo cameras stream from it (env DISPATCH_CAMSIM)")
	fs.IntVar(&c.Cameras.CamSimCameras, "camsim-cameras", c.Cameras.CamSimCameras, "how many camsim paths the demo cameras cycle over (env DISPATCH_CAMSIM_CAMERAS)")

	fs.DurationVar(&c.Paging.AckTimeout, "page-ack-timeout", c.Paging.AckTimeout, "time a unit has to acknowledge (Terima) a dispatch before the center is alerted and the crew gets an SMS (env DISPATCH_PAGE_ACK_TIMEOUT)")
	fs.DurationVar(&c.Paging.TTL, "push-ttl", c.Paging.TTL, "how long a push service keeps a page for a phone it cannot reach (env DISPATCH_PUSH_TTL)")
	fs.StringVar(&c.Paging.VAPIDPublic, "vapid-public-key", c.Paging.VAPIDPublic, "Web Push VAPID public key, base64url; empty: made on first start and kept in the journal (env DISPATCH_VAPID_PUBLIC_KEY)")
	fs.StringVar(&c.Paging.VAPIDPrivate, "vapid-private-key", c.Paging.VAPIDPrivate, "Web Push VAPID private key, base64url; give it through the environment (env DISPATCH_VAPID_PRIVATE_KEY)")
	fs.StringVar(&c.Paging.Subject, "vapid-subject", c.Paging.Subject, "contact the push services see in the VAPID claim, mailto: or https: (env DISPATCH_VAPID_SUBJECT)")
	crewPhones := fs.String("crew-phones", "", "unit=phone pairs, comma-separated: who gets the SMS when a dispatch is not acknowledged (env DISPATCH_CREW_PHONES)")

	return func() error {
		if c.Paging.AckTimeout <= 0 || c.Paging.TTL <= 0 {
			return fmt.Errorf("-page-ack-timeout and -push-ttl must be positive")
		}
		if err := parseCrewPhones(&c.Paging, *crewPhones); err != nil {
			return err
		}
		if err := parseTargets(&c.HTTP.Targets, *target, *byCat); err != nil {
			return err
		}
		var err error
		if c.Cameras.Transport, err = rtspsrc.ParseTransport(*transport); err != nil {
			return fmt.Errorf("-camera-transport: %w", err)
		}
		if *tileHosts != "" {
			c.HTTP.TileHosts = strings.Split(*tileHosts, ",")
		}
		c.HTTP.AllowedOrigins = strings.Split(*origins, ",")
		c.HTTP.AMLKey = []byte(*amlKey)
		if c.CallCenter.ResponseSLA <= 0 || c.CallCenter.FeedbackSLA <= 0 {
			return fmt.Errorf("-complaint-response-sla and -complaint-feedback-sla must be positive")
		}
		if *smsWebhook != "" {
			c.CallCenter.SMS = &callcenter.WebhookSMS{URL: *smsWebhook}
		}
		if c.CallCenter.MayorPhone != "" {
			p, err := callcenter.NormalizePhone(c.CallCenter.MayorPhone)
			if err != nil {
				return fmt.Errorf("-mayor-phone: %w", err)
			}
			c.CallCenter.MayorPhone = p
		}
		c.City.Sim = c.City.Demo
		if *sim != "" {
			v, err := strconv.ParseBool(*sim)
			if err != nil {
				return fmt.Errorf("-sim must be true or false, not %q", *sim)
			}
			c.City.Sim = v
		}
		return nil
	}
}

// parseCrewPhones reads -crew-phones: "unit=phone,unit=phone".
func parseCrewPhones(c *paging.Config, v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	c.CrewPhones = map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		unit, phone, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || unit == "" {
			return fmt.Errorf("-crew-phones: %q is not unit=phone", pair)
		}
		p, err := callcenter.NormalizePhone(phone)
		if err != nil {
			return fmt.Errorf("-crew-phones: %s: %w", unit, err)
		}
		c.CrewPhones[unit] = p
	}
	return nil
}
