package demo

import (
	"fmt"
	"math/rand/v2"

	"cc112"
	"cc112/geo"
)

// cameraSites are real Surabaya intersections and road points where the
// city has CCTV, with approximate coordinates (about 50 m), after the
// public list of the city's cameras.
var cameraSites = [...]struct {
	name     string
	lat, lon float64
}{
	{"DIPONEGORO - CILIWUNG", -7.2923, 112.7371},
	{"DIPONEGORO - KARTINI", -7.2780, 112.7292},
	{"DIPONEGORO - MUSI", -7.2864, 112.7343},
	{"BANYU URIP - PUTAT", -7.2748, 112.7265},
	{"KEDUNGDORO - KEDUNGSARI", -7.2656, 112.7302},
	{"ADITYAWARMAN - INDRAGIRI", -7.2929, 112.7298},
	{"MAYJEND SUNGKONO - CIWO", -7.2918, 112.7188},
	{"MAYJEND SUNGKONO - TVRI", -7.2904, 112.7134},
	{"BUNDARAN SATELIT", -7.2886, 112.7055},
	{"HR MUHAMMAD - PTC", -7.2815, 112.6848},
	{"BUNDARAN WARU", -7.3455, 112.7286},
	{"KEMBANG JEPUN - KAPASAN", -7.2383, 112.7445},
	{"SIMOKERTO - KAPASAN", -7.2407, 112.7528},
	{"JAGALAN - KALIANYAR", -7.2483, 112.7468},
	{"INDRAPURA - RAJAWALI", -7.2345, 112.7307},
	{"PAHLAWAN - KEBONROJO", -7.2433, 112.7381},
	{"DUPAK - PASAR TURI", -7.2463, 112.7338},
	{"DUPAK - DEMAK", -7.2451, 112.7209},
	{"KALIBUTUH - SEMARANG", -7.2559, 112.7276},
	{"JEMBATAN SUROBOYO", -7.2368, 112.7930},
	{"TERMINAL TAMBAK OSOWILANGUN", -7.2180, 112.6549},
	{"MARGOMULYO - KALIANAK", -7.2297, 112.6825},
	{"BALONGSARI - TANDES", -7.2584, 112.6791},
	{"TANDES - TANJUNGSARI", -7.2607, 112.6923},
	{"KEDUNG COWEK - TAMBAK WEDI", -7.2218, 112.7770},
	{"JEMBATAN SURAMADU", -7.2110, 112.7780},
	{"NAMBANGAN", -7.2260, 112.7860},
	{"KAPAS KRAMPUNG - PUTRO AGUNG", -7.2511, 112.7677},
	{"KALASAN - PACAR KELING", -7.2594, 112.7568},
	{"PERAK - KREMBANGAN", -7.2324, 112.7284},
	{"BASRAH - GRAMEDIA EXPO", -7.2694, 112.7416},
	{"MERR - KENJERAN", -7.2496, 112.7844},
	{"ARIF RAHMAN HAKIM - KLAMPIS", -7.2895, 112.7771},
	{"SEMOLOWARU - SUKOSEMOLO", -7.3008, 112.7792},
	{"MERR - GUNUNG ANYAR", -7.3420, 112.7867},
	{"NGAGEL JAYA - BILKA", -7.2917, 112.7555},
	{"BUNDARAN MENUR", -7.2872, 112.7632},
	{"NGINDEN - BRATANG", -7.2995, 112.7621},
	{"PANJANG JIWO - KEDUNG BARUK", -7.3088, 112.7698},
	{"ROYAL RESIDENCE - WIYUNG", -7.3102, 112.6800},
	{"BANYU URIP - TOL", -7.2662, 112.7071},
	{"KYAI AMIR - TANDES", -7.2572, 112.6686},
	{"TERMINAL MANUKAN", -7.2683, 112.6661},
	{"SAMBIKEREP - LONTAR", -7.2809, 112.6581},
	{"BABATAN - MENGANTI", -7.3089, 112.6740},
	{"MADE - LAKARSANTRI", -7.3032, 112.6331},
	{"ALAS MALANG - KENDUNG", -7.2610, 112.6380},
	{"GELORA BUNG TOMO", -7.2222, 112.6177},
	{"BABAT JERAWAT", -7.2404, 112.6250},
	{"GUNUNGSARI - ROLAK", -7.3073, 112.7189},
	{"MASTRIP - WIYUNG", -7.3129, 112.7097},
	{"KARANGPILANG - WONOCOLO", -7.3426, 112.6947},
	{"JEMURSARI - TENGGILIS", -7.3210, 112.7461},
	{"KENDANGSARI - TENGGILIS", -7.3212, 112.7499},
	{"MARGOREJO - PRAPEN", -7.3177, 112.7513},
	{"JAGIR - WONOKROMO", -7.3007, 112.7397},
	{"BRATANG - BARATA JAYA", -7.2991, 112.7597},
	{"RUNGKUT KIDUL", -7.3311, 112.7688},
	{"RUNGKUT - ALANG-ALANG", -7.3224, 112.7697},
	{"RUNGKUT INDUSTRI", -7.3295, 112.7512},
	{"A. YANI - MARGOREJO", -7.3163, 112.7341},
	{"A. YANI - DOLOG", -7.3265, 112.7316},
	{"GAYUNGSARI BARAT", -7.3375, 112.7191},
	{"MASJID AGUNG - PAGESANGAN", -7.3376, 112.7140},
	{"AMBENGAN - JAKSA AGUNG", -7.2559, 112.7469},
	{"DARMO - POLISI ISTIMEWA", -7.2799, 112.7409},
	{"PEMUDA - AIR MANCUR", -7.2646, 112.7458},
	{"KAYOON - SONOKEMBANG", -7.2725, 112.7443},
	{"MERR - KONI", -7.2806, 112.7809},
	{"MERR - PANDUGO", -7.3223, 112.7810},
	{"MUSTOPO - DHARMAWANGSA", -7.2657, 112.7566},
	{"KERTAJAYA - MANYAR", -7.2793, 112.7623},
	{"BUNDARAN ITS", -7.2745, 112.7982},
	{"GUBENG POJOK - GRAND CITY", -7.2634, 112.7506},
	{"EMBONG MALANG - BLAURAN", -7.2583, 112.7332},
	{"TUNJUNGAN - GENTENGKALI", -7.2593, 112.7389},
	{"HANG TUAH - UJUNG PERAK", -7.2252, 112.7410},
	{"PEGIRIAN", -7.2264, 112.7461},
	{"KENJERAN - TAMBAKREJO", -7.2427, 112.7591},
	{"MERR - MULYOREJO", -7.2634, 112.7831},
	{"SIDOTOPO WETAN", -7.2389, 112.7582},
}

// cameraSeed fixes the demo's camera layout.
const cameraSeed = 112

// demoCameras places 2–6 cameras around each site, within about 40 m of
// it, as the city mounts several per intersection: the first a PTZ dome,
// the others mostly fixed. Always the same for the same seed.
func demoCameras(d *geo.Districts) []cc112.Camera {
	rng := rand.New(rand.NewPCG(cameraSeed, cameraSeed))
	const spread = 0.0004 // degrees, ±44 m
	var out []cc112.Camera
	for _, s := range cameraSites {
		n := 2 + rng.IntN(5)
		for k := range n {
			kind := "FIX"
			if k == 0 || rng.IntN(4) == 0 {
				kind = "PTZ"
			}
			p := geo.Point{
				Lat: round6(s.lat + (rng.Float64()*2-1)*spread),
				Lon: round6(s.lon + (rng.Float64()*2-1)*spread),
			}
			out = append(out, cc112.Camera{
				ID:       fmt.Sprintf("cam-%03d", len(out)+1),
				Name:     fmt.Sprintf("%s %s %d", s.name, kind, k+1),
				District: d.Locate(p),
				Location: p,
				Status:   cc112.CameraUnknown,
			})
		}
	}
	return out
}
