package main

import (
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/auth"
	"cc112/callcenter"
	"cc112/cctv/rtspsrc"
	"cc112/city"
	"cc112/kpi"
	"cc112/paging"
	"cc112/route"
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
	// Mail is the Media Center's e-mail: the IMAP mailbox polled for
	// complaints and the SMTP relay of notices to citizens.
	Mail    MailConfig
	Cameras CameraConfig
	// Routing tunes drive times on the road network (-roads).
	Routing RoutingConfig
	// Alerts holds the timers' thresholds (flags) and, from the config
	// file (-config), the on-scene limits per category and the district
	// groups' minimum cover; AlertTick is how often they (and the roster's
	// schedule: units in and out of service by shift) are checked (1 s).
	Alerts    alerts.Config
	AlertTick time.Duration
	// File is the config file the alerts' on-scene limits and coverage
	// groups came from ("" for the defaults).
	File string
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
	// CheckpointEvery and CheckpointInterval say when the engine writes a
	// checkpoint of its state (after so many events or so much time,
	// whichever first), so that a start replays only the journal's tail.
	// Both zero: no checkpoints.
	CheckpointEvery    uint64
	CheckpointInterval time.Duration
	// HistoryWindow is how long a closed incident stays in the engine's
	// memory before it is archived to the journal's store; 0 keeps all.
	HistoryWindow time.Duration
}

// CityConfig is the city the server starts with.
type CityConfig struct {
	// Dir holds real city data (a kelurahan GeoJSON and a camera CSV);
	// empty: the built-in demo city's geography.
	Dir string
	// Roads is the road network: a GeoJSON of OSM ways or an .osm.pbf
	// extract (clipped to the city), for drive-time recommendations and the
	// street names of the location search (default: a *roads*.geojson or
	// *.osm.pbf in Dir); POI a GeoJSON of named points of interest.
	Roads string
	POI   string
	// AreaMarginM is how far beyond its districts an incident may lie
	// before it must be confirmed with a reason (a typo, a missing minus).
	AreaMarginM float64
	// Demo seeds the demo city and its accounts into an empty journal; Sim
	// runs the simulator.
	Demo bool
	Sim  bool
	// SimDemand multiplies the simulator's call rate: 2 is a flood day
	// (twice the calls), for practice in training mode. Default 1.
	SimDemand float64
	// Training runs the console against a simulated city on a journal of
	// its own (Store.StateDir/training, never PostgreSQL or Redis): the
	// demo city, its accounts and the simulator, a banner on every page.
	Training bool
	// AdminPassword creates the account "admin" in a journal without
	// accounts (see Main.firstAdmin).
	AdminPassword string
}

// MailConfig is the Media Center's e-mail in and out. Without IMAPAddr
// nothing is polled (e-mail can still come through the signed webhook);
// without SMTPAddr notices to citizens are logged.
type MailConfig struct {
	IMAPAddr     string
	IMAPTLS      bool
	IMAPUser     string
	IMAPPassword string
	IMAPMailbox  string
	IMAPInterval time.Duration
	SMTPAddr     string
	SMTPFrom     string
	SMTPUser     string
	SMTPPassword string
}

// RoutingConfig is how drive times are estimated on the road network:
// the router's options (snapping distance, unit types' emergency factors,
// speed factors by WIB hour) and when a unit's last fix is too old to
// trust silently.
type RoutingConfig struct {
	route.Options
	PositionStale time.Duration
}

// CameraConfig is the CCTV side: the probe interval (0: no probing), the
// RTSP transport, how long a camera's session outlives its last viewer,
// and a camsim address the demo cameras point at (cycling over
// CamSimCameras paths).
type CameraConfig struct {
	Record        RecordConfig
	ProbeInterval time.Duration
	Transport     rtspsrc.Transport
	CloseAfter    time.Duration
	CamSim        string
	CamSimCameras int
}

// RecordConfig is camera recording: off without a Dir and a Budget.
type RecordConfig struct {
	Dir      string
	BudgetMB int64
	Segment  time.Duration
	Retain   time.Duration
	PreRoll  time.Duration
	Near     int
	Watched  bool // also record the cameras someone watches (footage from before a call)
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
		Addr:     "127.0.0.1:8080",
		LogLevel: slog.LevelInfo,
		Store: StoreConfig{StateDir: "./state", BreadcrumbEvery: 5 * time.Second,
			CheckpointEvery: 100_000, CheckpointInterval: 10 * time.Minute, HistoryWindow: 7 * 24 * time.Hour},
		City:       CityConfig{AreaMarginM: city.DefaultAreaMargin, SimDemand: 1},
		HTTP:       ui.Settings{Tiles: ui.Tiles{URL: OSMTiles, Attribution: OSMAttribution}, Targets: kpi.DefaultTargets()},
		CallCenter: callcenter.Config{ResponseSLA: time.Hour, FeedbackSLA: 24 * time.Hour, TriageSLA: 15 * time.Minute},
		Mail:       MailConfig{IMAPMailbox: "INBOX", IMAPTLS: true, IMAPInterval: 30 * time.Second},
		Cameras: CameraConfig{ProbeInterval: 30 * time.Second, CloseAfter: 10 * time.Second, CamSimCameras: 8,
			Record: RecordConfig{Segment: time.Minute, Retain: 7 * 24 * time.Hour, PreRoll: 10 * time.Minute, Near: 4, Watched: true}},
		Routing: RoutingConfig{Options: route.Options{SnapM: 250, AccessKMH: 10}, PositionStale: 5 * time.Minute},
		Alerts: alerts.Config{UnassignedP1: 60 * time.Second, Unassigned: 3 * time.Minute, Unacknowledged: 60 * time.Second,
			EnrouteFactor: 1.5, Onscene: alerts.DefaultOnscene(), OnsceneDefault: 2 * time.Hour, Coverage: alerts.SurabayaGroups()},
		Paging: paging.Config{AckTimeout: time.Minute, TTL: time.Hour, Subject: "mailto:cc112@localhost"},
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
	fs.Uint64Var(&c.Store.CheckpointEvery, "checkpoint-every", c.Store.CheckpointEvery, "write a checkpoint of the state after this many events, so a start replays only the journal after it; 0 with -checkpoint-interval 0: none (env DISPATCH_CHECKPOINT_EVERY)")
	fs.DurationVar(&c.Store.CheckpointInterval, "checkpoint-interval", c.Store.CheckpointInterval, "write a checkpoint at least this often when events came in (env DISPATCH_CHECKPOINT_INTERVAL)")
	fs.DurationVar(&c.Store.HistoryWindow, "history-window", c.Store.HistoryWindow, "archive incidents closed longer ago than this out of memory into the journal's store (reads, search and reopen still find them); 0: keep all in memory (env DISPATCH_HISTORY_WINDOW)")

	fs.BoolVar(&c.City.Demo, "demo", c.City.Demo, "seed the demo city into an empty journal (env DISPATCH_DEMO)")
	fs.BoolVar(&c.City.Training, "training", c.City.Training, "training mode: the demo city and simulator on a separate journal (<state>/training; never -database-url or -redis-url), a banner on every page (env DISPATCH_TRAINING)")
	fs.Float64Var(&c.City.SimDemand, "sim-demand", c.City.SimDemand, "the simulator's call rate as a multiple of an ordinary day (2: a flood day to practise in -training); 0.1–20 (env DISPATCH_SIM_DEMAND)")
	sim := fs.String("sim", "", "simulate incidents and moving units (default true with -demo; env DISPATCH_SIM)")
	fs.StringVar(&c.City.Dir, "city", c.City.Dir, "city pack folder: agencies.yaml, stations.csv, units.csv, plans.yaml, districts.geojson, cameras.csv, roads.geojson|*.osm.pbf, poi.geojson, service_area.geojson; a file it lacks comes from the demo city (env DISPATCH_CITY)")
	fs.StringVar(&c.City.Roads, "roads", c.City.Roads, "road network: GeoJSON of OSM ways or an .osm.pbf extract (clipped to the city), for drive-time recommendations and street names (default: a *roads*.geojson or *.osm.pbf in -city; env DISPATCH_ROADS)")
	fs.Float64Var(&c.Routing.SnapM, "road-snap", c.Routing.SnapM, "metres from the nearest road beyond which a unit or incident is ranked by the straight line (env DISPATCH_ROAD_SNAP)")
	roadHours := fs.String("road-hours", route.DefaultHours, "speed factors by WIB hour and road class, CLASSES@FROM-TO=FACTOR;... (\"*\" for all classes; env DISPATCH_ROAD_HOURS)")
	roadEmergency := fs.String("road-emergency", route.DefaultEmergency, "speed factor over ordinary traffic per unit type, TYPE=FACTOR,... (env DISPATCH_ROAD_EMERGENCY)")
	fs.DurationVar(&c.Routing.PositionStale, "position-stale", c.Routing.PositionStale, "age past which a unit's last position is flagged on its recommendations (env DISPATCH_POSITION_STALE)")
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
	fs.DurationVar(&c.CallCenter.TriageSLA, "complaint-triage-sla", c.CallCenter.TriageSLA, "time the desk has to forward a complaint before the desk supervisor is alerted (env DISPATCH_COMPLAINT_TRIAGE_SLA)")
	tokenKey := fs.String("complaint-token-key", "", "secret that derives complaints' tracking tokens, so that a notice sent after a restart still links with its token; empty: a random key per start (env DISPATCH_COMPLAINT_TOKEN_KEY)")
	fs.StringVar(&c.CallCenter.BaseURL, "public-url", c.CallCenter.BaseURL, "base URL citizens reach the tracking page at, for the links in notices, e.g. https://112.surabaya.go.id (env DISPATCH_PUBLIC_URL)")
	webhookSecret := fs.String("inbound-webhook-secret", "", "shared secret of the signed inbound webhooks (chat/social bridges, raw e-mail): HMAC-SHA256; empty turns them off (env DISPATCH_INBOUND_WEBHOOK_SECRET)")
	fs.StringVar(&c.Mail.IMAPAddr, "imap-addr", c.Mail.IMAPAddr, "host:port of the Media Center's IMAP mailbox, polled for complaints; empty: no polling (env DISPATCH_IMAP_ADDR)")
	fs.BoolVar(&c.Mail.IMAPTLS, "imap-tls", c.Mail.IMAPTLS, "connect to IMAP over TLS (port 993); false only for a local server (env DISPATCH_IMAP_TLS)")
	fs.StringVar(&c.Mail.IMAPUser, "imap-user", c.Mail.IMAPUser, "IMAP user name (env DISPATCH_IMAP_USER)")
	fs.StringVar(&c.Mail.IMAPPassword, "imap-password", c.Mail.IMAPPassword, "IMAP password; give it through the environment (env DISPATCH_IMAP_PASSWORD)")
	fs.StringVar(&c.Mail.IMAPMailbox, "imap-mailbox", c.Mail.IMAPMailbox, "IMAP mailbox polled (env DISPATCH_IMAP_MAILBOX)")
	fs.DurationVar(&c.Mail.IMAPInterval, "imap-interval", c.Mail.IMAPInterval, "how often the IMAP mailbox is polled (env DISPATCH_IMAP_INTERVAL)")
	fs.StringVar(&c.Mail.SMTPAddr, "smtp-addr", c.Mail.SMTPAddr, "host:port of the SMTP relay that sends notices to citizens by e-mail; empty logs them (env DISPATCH_SMTP_ADDR)")
	fs.StringVar(&c.Mail.SMTPFrom, "smtp-from", c.Mail.SMTPFrom, "sender address of e-mail notices (env DISPATCH_SMTP_FROM)")
	fs.StringVar(&c.Mail.SMTPUser, "smtp-user", c.Mail.SMTPUser, "SMTP user name, if the relay asks for one (env DISPATCH_SMTP_USER)")
	fs.StringVar(&c.Mail.SMTPPassword, "smtp-password", c.Mail.SMTPPassword, "SMTP password; give it through the environment (env DISPATCH_SMTP_PASSWORD)")

	fs.DurationVar(&c.Cameras.ProbeInterval, "camera-probe-interval", c.Cameras.ProbeInterval, "how often every camera's health is probed; 0 disables (env DISPATCH_CAMERA_PROBE_INTERVAL)")
	transport := fs.String("camera-transport", "auto", "RTSP transport to cameras: auto, tcp or udp (env DISPATCH_CAMERA_TRANSPORT)")
	fs.DurationVar(&c.Cameras.CloseAfter, "camera-close-after", c.Cameras.CloseAfter, "how long a camera's session stays open after its last viewer left (env DISPATCH_CAMERA_CLOSE_AFTER)")
	fs.StringVar(&c.Cameras.CamSim, "camsim", c.Cameras.CamSim, "host:port of cmd/camsim: the seeded demo cameras stream from it (env DISPATCH_CAMSIM)")
	fs.Float64Var(&c.HTTP.CameraNearestMaxM, "camera-nearest-max", ui.DefaultCameraNearestMaxM, "metres beyond which a camera is never offered as one of the nearest to an incident or a point (env DISPATCH_CAMERA_NEAREST_MAX)")
	fs.StringVar(&c.Cameras.Record.Dir, "record-dir", c.Cameras.Record.Dir, "folder of the camera recordings; with -record-budget it turns recording on (env DISPATCH_RECORD_DIR)")
	fs.Int64Var(&c.Cameras.Record.BudgetMB, "record-budget", c.Cameras.Record.BudgetMB, "megabytes all recordings may take; the oldest not under an evidence lock go first (env DISPATCH_RECORD_BUDGET)")
	fs.DurationVar(&c.Cameras.Record.Segment, "record-segment", c.Cameras.Record.Segment, "length of one recording file (a new one starts at the next keyframe) (env DISPATCH_RECORD_SEGMENT)")
	fs.DurationVar(&c.Cameras.Record.Retain, "record-retain", c.Cameras.Record.Retain, "recordings older than this are dropped unless under an evidence lock; 0 keeps them until the budget is full (env DISPATCH_RECORD_RETAIN)")
	fs.DurationVar(&c.Cameras.Record.PreRoll, "record-preroll", c.Cameras.Record.PreRoll, "how long before the call an incident's evidence lock reaches back (env DISPATCH_RECORD_PREROLL)")
	fs.BoolVar(&c.Cameras.Record.Watched, "record-watched", c.Cameras.Record.Watched, "also record the cameras someone is watching live, so that an incident's lock finds what they saw before the call; bounded by -record-budget and -record-retain with the rest (env DISPATCH_RECORD_WATCHED)")
	fs.IntVar(&c.Cameras.Record.Near, "record-near", c.Cameras.Record.Near, "how many of an open incident's nearest cameras are recorded and locked (env DISPATCH_RECORD_NEAR)")
	fs.IntVar(&c.Cameras.CamSimCameras, "camsim-cameras", c.Cameras.CamSimCameras, "how many camsim paths the demo cameras cycle over (env DISPATCH_CAMSIM_CAMERAS)")

	fs.StringVar(&c.File, "config", c.File, "YAML config file: alerts.onscene (per-category on-scene limits), alerts.onscene_default and coverage (district groups with each agency's minimum of available units); see README (env DISPATCH_CONFIG)")
	fs.DurationVar(&c.Alerts.UnassignedP1, "alert-unassigned-p1", c.Alerts.UnassignedP1, "alert when a priority 1 incident waits this long for a unit (env DISPATCH_ALERT_UNASSIGNED_P1)")
	fs.DurationVar(&c.Alerts.Unassigned, "alert-unassigned", c.Alerts.Unassigned, "alert when an incident of another priority waits this long for a unit (env DISPATCH_ALERT_UNASSIGNED)")
	fs.DurationVar(&c.Alerts.Unacknowledged, "alert-unacknowledged", c.Alerts.Unacknowledged, "alert when a dispatched unit has neither acknowledged nor gone en route after this long (env DISPATCH_ALERT_UNACKNOWLEDGED)")
	fs.Float64Var(&c.Alerts.EnrouteFactor, "alert-enroute-factor", c.Alerts.EnrouteFactor, "alert when a unit is en route longer than this many times the ETA predicted at dispatch (env DISPATCH_ALERT_ENROUTE_FACTOR)")

	fs.DurationVar(&c.Paging.AckTimeout, "page-ack-timeout", c.Paging.AckTimeout, "time a unit has to acknowledge (Terima) a dispatch before the center is alerted and the crew gets an SMS (env DISPATCH_PAGE_ACK_TIMEOUT)")
	fs.DurationVar(&c.Paging.TTL, "push-ttl", c.Paging.TTL, "how long a push service keeps a page for a phone it cannot reach (env DISPATCH_PUSH_TTL)")
	fs.StringVar(&c.Paging.VAPIDPublic, "vapid-public-key", c.Paging.VAPIDPublic, "Web Push VAPID public key, base64url; empty: made on first start and kept in the journal (env DISPATCH_VAPID_PUBLIC_KEY)")
	fs.StringVar(&c.Paging.VAPIDPrivate, "vapid-private-key", c.Paging.VAPIDPrivate, "Web Push VAPID private key, base64url; give it through the environment (env DISPATCH_VAPID_PRIVATE_KEY)")
	fs.StringVar(&c.Paging.Subject, "vapid-subject", c.Paging.Subject, "contact the push services see in the VAPID claim, mailto: or https: (env DISPATCH_VAPID_SUBJECT)")
	crewPhones := fs.String("crew-phones", "", "unit=phone pairs, comma-separated: who gets the SMS when a dispatch is not acknowledged (env DISPATCH_CREW_PHONES)")

	return func() error {
		if c.File != "" {
			if err := c.loadFile(c.File); err != nil {
				return fmt.Errorf("-config %s: %w", c.File, err)
			}
		}
		if err := c.Alerts.Validate(); err != nil {
			return err
		}
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
		if c.Routing.Hours, err = route.ParseHours(*roadHours); err != nil {
			return fmt.Errorf("-road-hours: %w", err)
		}
		if c.Routing.Emergency, err = parseEmergency(*roadEmergency); err != nil {
			return fmt.Errorf("-road-emergency: %w", err)
		}
		if c.Routing.SnapM <= 0 || c.Routing.PositionStale <= 0 {
			return fmt.Errorf("-road-snap and -position-stale must be positive")
		}
		if c.Cameras.Transport, err = rtspsrc.ParseTransport(*transport); err != nil {
			return fmt.Errorf("-camera-transport: %w", err)
		}
		if r := c.Cameras.Record; (r.Dir == "") != (r.BudgetMB <= 0) || r.Segment <= 0 || r.Retain < 0 || r.PreRoll < 0 || r.Near < 1 {
			return fmt.Errorf("-record-dir and -record-budget go together; -record-segment and -record-near must be positive, -record-retain and -record-preroll not negative")
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
		if c.CallCenter.TriageSLA <= 0 {
			return fmt.Errorf("-complaint-triage-sla must be positive")
		}
		if *tokenKey != "" {
			c.CallCenter.TokenKey = []byte(*tokenKey)
		}
		c.HTTP.InboundWebhookSecret = []byte(*webhookSecret)
		if c.Mail.SMTPAddr != "" {
			if c.Mail.SMTPFrom == "" {
				return fmt.Errorf("-smtp-addr needs -smtp-from")
			}
			c.CallCenter.Mail = &callcenter.SMTPMail{Addr: c.Mail.SMTPAddr, From: c.Mail.SMTPFrom,
				Username: c.Mail.SMTPUser, Password: c.Mail.SMTPPassword}
		}
		if c.Mail.IMAPAddr != "" && c.Mail.IMAPInterval <= 0 {
			return fmt.Errorf("-imap-interval must be positive")
		}
		if c.CallCenter.MayorPhone != "" {
			p, err := callcenter.NormalizePhone(c.CallCenter.MayorPhone)
			if err != nil {
				return fmt.Errorf("-mayor-phone: %w", err)
			}
			c.CallCenter.MayorPhone = p
		}
		if c.City.SimDemand < 0.1 || c.City.SimDemand > 20 {
			return fmt.Errorf("-sim-demand must be between 0.1 and 20 (a multiple of an ordinary day's calls), not %g", c.City.SimDemand)
		}
		if c.City.Training {
			c.trainingMode()
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

// trainingMode points the server at its own journal, never the real one:
// a folder of its own under the state folder, no PostgreSQL, no Redis
// (another instance's feed). It seeds the demo city and its accounts.
func (c *Config) trainingMode() {
	c.Store.StateDir = filepath.Join(c.Store.StateDir, TrainingDir)
	c.Store.DatabaseURL, c.Store.RedisURL = "", ""
	c.City.Demo = true
	c.HTTP.Training = true
}

// TrainingDir is the training journal's folder under -state.
const TrainingDir = "training"

// parseEmergency reads the per-type factors and checks the types.
func parseEmergency(spec string) (map[string]float64, error) {
	f, err := route.ParseFactors(spec)
	if err != nil {
		return nil, err
	}
	for typ := range f {
		if !cc112.UnitType(typ).Valid() {
			return nil, fmt.Errorf("unknown unit type %q", typ)
		}
	}
	return f, nil
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
