package twiliofake_test

import (
	"strings"
	"testing"

	"github.com/herald-comms/herald/internal/twiliofake"
)

func TestSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body     string
		want     int
		wantEnc  twiliofake.Encoding
		describe string
	}{
		{"hello", 1, twiliofake.GSM7, "short"},
		{strings.Repeat("a", 160), 1, twiliofake.GSM7, "160 septets"},
		{strings.Repeat("a", 161), 2, twiliofake.GSM7, "161 septets"},
		{strings.Repeat("a", 306), 2, twiliofake.GSM7, "2×153"},
		{strings.Repeat("a", 307), 3, twiliofake.GSM7, "2×153+1"},
		{strings.Repeat("€", 80), 1, twiliofake.GSM7, "extension takes 2 septets"},
		{strings.Repeat("€", 81), 2, twiliofake.GSM7, "162 septets"},
		{strings.Repeat("é", 160), 1, twiliofake.GSM7, "é is GSM"},
		{strings.Repeat("ê", 70), 1, twiliofake.UCS2, "ê is not GSM"},
		{strings.Repeat("ê", 71), 2, twiliofake.UCS2, "71 UCS-2"},
		{"“curly”" + strings.Repeat("a", 64), 2, twiliofake.UCS2, "curly quotes force UCS-2"},
		{strings.Repeat("🔥", 35), 1, twiliofake.UCS2, "emoji are 2 units"},
		{strings.Repeat("🔥", 36), 2, twiliofake.UCS2, "72 units"},
	}
	for _, tt := range tests {
		got, enc := twiliofake.Segments(tt.body)
		if got != tt.want || enc != tt.wantEnc {
			t.Errorf("%s: got %d %s; want %d %s", tt.describe, got, enc, tt.want, tt.wantEnc)
		}
	}
}
