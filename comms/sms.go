package comms

import (
	"strings"
	"unicode/utf16"
)

// Encoding is the character set an SMS travels in.
type Encoding string

// The two SMS encodings (limits.md §2.3).
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// SMS limits from limits.md §2.3.
const (
	SMSMaxChars       = 1600
	gsmSingleSegment  = 160
	gsmPerSegment     = 153
	ucs2SingleSegment = 70
	ucs2PerSegment    = 67
)

const (
	gsmBasic    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtended = "^{}\\[~]|€\f"
)

// SMSInfo describes how an SMS body travels.
type SMSInfo struct {
	Encoding Encoding
	Units    int // septets for GSM-7, UTF-16 code units for UCS-2
	Segments int
}

// MeasureSMS returns the encoding and segment count Twilio will use for body:
// GSM-7 when every character is in the GSM-7 alphabet (extension characters
// take two septets), UCS-2 otherwise.
func MeasureSMS(body string) SMSInfo {
	septets := 0
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExtended, r):
			septets += 2
		default:
			units := len(utf16.Encode([]rune(body)))
			return SMSInfo{Encoding: UCS2, Units: units, Segments: segments(units, ucs2SingleSegment, ucs2PerSegment)}
		}
	}
	return SMSInfo{Encoding: GSM7, Units: septets, Segments: segments(septets, gsmSingleSegment, gsmPerSegment)}
}

func segments(units, single, per int) int {
	switch {
	case units == 0:
		return 0
	case units <= single:
		return 1
	}
	return (units + per - 1) / per
}

var gsmReplacer = strings.NewReplacer(
	"‘", "'", "’", "'", "‚", "'", "‛", "'", "′", "'",
	"“", `"`, "”", `"`, "„", `"`, "‟", `"`, "″", `"`,
	"–", "-", "—", "-", "―", "-", "‐", "-", "‑", "-", "−", "-",
	"…", "...", "\u00a0", " ", "\u2009", " ", "\u202f", " ", "•", "*", "\t", " ",
)

// NormalizeSMS replaces smart quotes, dashes, ellipses and odd spaces with
// their GSM-7 equivalents, so a message typed on a phone or pasted from a
// document does not fall back to UCS-2 and cost twice the segments.
func NormalizeSMS(body string) string { return gsmReplacer.Replace(body) }
