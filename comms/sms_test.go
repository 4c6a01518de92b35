package comms

import "testing"

func TestMeasureSMS(t *testing.T) {
	long := func(s string, n int) string {
		b := ""
		for range n {
			b += s
		}
		return b
	}
	tests := []struct {
		name     string
		body     string
		enc      Encoding
		units    int
		segments int
	}{
		{"empty", "", GSM7, 0, 0},
		{"plain", "Checkout is down", GSM7, 16, 1},
		{"160 gsm", long("a", 160), GSM7, 160, 1},
		{"161 gsm", long("a", 161), GSM7, 161, 2},
		{"306 gsm", long("a", 306), GSM7, 306, 2},
		{"307 gsm", long("a", 307), GSM7, 307, 3},
		{"extension counts twice", long("€", 80), GSM7, 160, 1},
		{"extension over", long("€", 81), GSM7, 162, 2},
		{"smart quote is ucs2", "it’s fixed", UCS2, 10, 1},
		{"70 ucs2", long("é", 69) + "’", UCS2, 70, 1},
		{"71 ucs2", long("é", 70) + "’", UCS2, 71, 2},
		{"emoji is two units", "🔥", UCS2, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MeasureSMS(tt.body)
			if got.Encoding != tt.enc || got.Units != tt.units || got.Segments != tt.segments {
				t.Errorf("MeasureSMS = %+v; want %s %d units %d segments", got, tt.enc, tt.units, tt.segments)
			}
		})
	}
}

func TestNormalizeSMSStaysGSM7(t *testing.T) {
	in := "We’re “monitoring” — fix in 5–10 min…"
	got := NormalizeSMS(in)
	if want := `We're "monitoring" - fix in 5-10 min...`; got != want {
		t.Errorf("NormalizeSMS = %q; want %q", got, want)
	}
	if enc := MeasureSMS(got).Encoding; enc != GSM7 {
		t.Errorf("encoding after normalising = %s; want GSM-7", enc)
	}
}
