package twiliofake

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

var (
	messagesPath = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages\.json$`)
	e164         = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	alphaSender  = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	hasLetter    = regexp.MustCompile(`[A-Za-z]`)
)

// ServeHTTP answers one request the way Twilio would; it is exported only so
// Fake satisfies http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	if r.Method == http.MethodPost {
		f.creates++
	}
	if f.inFlight >= f.maxInFlight {
		f.throttled++
		f.mu.Unlock()
		writeTooMany(w, 1)
		return
	}
	f.inFlight++
	ft := f.faults.Take()
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()

	f.onFault.Serve(w, r, ft)
}

// serve answers a request that got past the fault switches: auth, routing,
// then the create or the list.
func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, newError(http.StatusUnauthorized, 20003, "Authenticate"))
		return
	}
	m := messagesPath.FindStringSubmatch(r.URL.Path)
	if m == nil || (r.Method != http.MethodPost && r.Method != http.MethodGet) {
		f.tb.Errorf("twiliofake: unmodelled request %s %s", r.Method, r.URL.Path)
		writeError(w, newError(http.StatusNotFound, 20404, "The requested resource %s was not found", r.URL.Path))
		return
	}
	if m[1] != f.AccountSID {
		writeError(w, newError(http.StatusNotFound, 20404, "The requested resource %s was not found", r.URL.Path))
		return
	}
	if r.Method == http.MethodGet {
		f.listMessages(w, r)
		return
	}
	f.createMessage(w, r)
}

func (f *Fake) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	return ok &&
		subtle.ConstantTimeCompare([]byte(user), []byte(f.AccountSID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(f.AuthToken)) == 1
}

// modelledFields are the create parameters the fake understands; any other
// field fails the test, because its effect would go unchecked.
var modelledFields = map[string]bool{
	"To": true, "From": true, "MessagingServiceSid": true, "Body": true,
	"StatusCallback": true, "ValidityPeriod": true,
}

// validate checks a create's form in Twilio's order and returns the error
// Twilio would answer with, if any.
func validate(form url.Values) *Error {
	bad := func(code int, format string, args ...any) *Error {
		e := newError(http.StatusBadRequest, code, format, args...)
		return &e
	}
	to, from, mg, body := form.Get("To"), form.Get("From"), form.Get("MessagingServiceSid"), form.Get("Body")
	switch {
	case to == "":
		return bad(21604, "A 'To' phone number is required.")
	case !e164.MatchString(to):
		return bad(21211, "Invalid 'To' Phone Number: %s", to)
	case from == "" && mg == "":
		return bad(21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
	case from != "" && !e164.MatchString(from) && !(alphaSender.MatchString(from) && hasLetter.MatchString(from)):
		return bad(21212, "Invalid From Number (caller ID): %s", from)
	case body == "":
		return bad(21602, "Message body is required.")
	case len([]rune(body)) > 1600:
		return bad(21617, "The concatenated message body exceeds the 1600 character limit.")
	}
	if cb := form.Get("StatusCallback"); form.Has("StatusCallback") && !validCallback(cb) {
		return bad(21609, "The StatusCallback URL %s is not a valid URL.", cb)
	}
	if form.Has("ValidityPeriod") {
		if _, ok := validityPeriod(form.Get("ValidityPeriod")); !ok {
			return bad(21624, "Validity period can only be set to integers between 1 and 36,000 seconds.")
		}
	}
	return nil
}

func validCallback(s string) bool {
	u, err := url.Parse(s)
	return err == nil && len(s) <= 4000 && (u.Scheme == "http" || u.Scheme == "https") &&
		u.Host != "" && !strings.Contains(u.Hostname(), "_")
}

func validityPeriod(s string) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 36000 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, s != "" && n >= 1 && n <= 36000
}
