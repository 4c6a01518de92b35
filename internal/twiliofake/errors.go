package twiliofake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is the body Twilio sends with every 4xx and 5xx answer; twilio-go
// decodes it into *client.TwilioRestError.
type Error struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// numberErrors holds the per-recipient rejections RejectTo can switch on.
var numberErrors = map[int]string{
	21211: "Invalid 'To' Phone Number: %s",
	21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: %s",
	21610: "Attempt to send to unsubscribed recipient",
	21614: "'To' number is not a valid mobile number",
	21635: "'To' number cannot be a landline",
}

// numberError renders the message of a RejectTo code for number.
func numberError(code int, number string) string {
	text := numberErrors[code]
	if strings.Contains(text, "%s") {
		text = fmt.Sprintf(text, number)
	}
	return text
}

func newError(status, code int, format string, args ...any) Error {
	return Error{
		Code:     code,
		Message:  fmt.Sprintf(format, args...),
		MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		Status:   status,
	}
}

func writeError(w http.ResponseWriter, e Error) {
	writeJSON(w, e.Status, e)
}

func writeTooMany(w http.ResponseWriter, retryAfter time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	writeError(w, newError(http.StatusTooManyRequests, 20429, "Too Many Requests"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
