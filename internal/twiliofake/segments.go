package twiliofake

import (
	"strings"
	"unicode/utf16"
)

// Encoding names the character set Twilio picks for an SMS body.
type Encoding string

// The two encodings Twilio uses for SMS.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// gsmBasic is the GSM 03.38 default alphabet (one septet each, escape left out).
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension holds the characters that take an escape plus one septet.
const gsmExtension = "\f^{}\\[~]|€"

// Segments reports how many SMS segments Twilio bills body as and in which
// encoding: GSM-7 carries 160 septets alone or 153 per part, and any character
// outside GSM-7 switches the whole body to UCS-2 with 70 UTF-16 units alone or
// 67 per part.
func Segments(body string) (int, Encoding) {
	septets := 0
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExtension, r):
			septets += 2
		default:
			return split(len(utf16.Encode([]rune(body))), 70, 67), UCS2
		}
	}
	return split(septets, 160, 153), GSM7
}

func split(units, single, part int) int {
	if units <= single {
		return 1
	}
	return (units + part - 1) / part
}
