package twiliofake

import (
	"net/http"
	"time"
)

// createMessage serves POST .../Messages.json once auth and path have passed.
func (f *Fake) createMessage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, newError(http.StatusBadRequest, 21604, "A 'To' phone number is required."))
		return
	}
	form := r.PostForm
	for k := range form {
		if !modelledFields[k] {
			f.tb.Errorf("twiliofake: unmodelled create parameter %q", k)
			writeError(w, newError(http.StatusBadRequest, 20001, "twiliofake does not model parameter %s", k))
			return
		}
	}
	if e := validate(form); e != nil {
		writeError(w, *e)
		return
	}
	msg := Message{
		SID:                 "SM" + randomHex(16),
		To:                  form.Get("To"),
		From:                form.Get("From"),
		MessagingServiceSID: form.Get("MessagingServiceSid"),
		Body:                form.Get("Body"),
		StatusCallback:      form.Get("StatusCallback"),
		Status:              "queued",
	}
	if msg.From == "" {
		msg.Status = "accepted"
	}
	msg.ValidityPeriod, _ = validityPeriod(form.Get("ValidityPeriod"))
	msg.Segments, msg.Encoding = Segments(msg.Body)
	sender := msg.From
	if sender == "" {
		sender = msg.MessagingServiceSID
	}

	f.mu.Lock()
	if code, ok := f.rejects[msg.To]; ok {
		f.mu.Unlock()
		writeError(w, newError(http.StatusBadRequest, code, "%s", numberError(code, msg.To)))
		return
	}
	now := f.now()
	validity := time.Duration(msg.ValidityPeriod) * time.Second
	sentAt, full := f.schedule(sender, msg.Segments, now, validity)
	if full && msg.MessagingServiceSID == "" {
		f.mu.Unlock()
		writeError(w, newError(http.StatusBadRequest, 21611,
			"This 'From' number has exceeded the maximum number of queued messages"))
		return
	}
	rec := &record{Message: msg}
	rec.CreatedAt, rec.SentAt = now, sentAt
	if full {
		rec.ErrorCode = 30001
	}
	if validity > 0 {
		rec.expires = now.Add(validity)
	}
	f.messages = append(f.messages, rec)
	f.mu.Unlock()

	writeJSON(w, http.StatusCreated, toResource(f.AccountSID, initialView(rec)))
}

// initialView is the message as the create answer shows it: the initial
// status, never a later one, because Twilio answers before it sends.
func initialView(r *record) Message {
	m := r.Message
	if m.ErrorCode != 0 {
		m.Status = "failed"
	}
	return m
}
