package comms

import (
	"strings"
	"testing"
)

func testRules() Rules {
	return Rules{
		DefaultRegion:   "US",
		SMSSegmentLimit: 2,
		Directory: map[string]Person{
			"Dana Oncall": {Phone: "415 555 0101", Email: "dana@example.com"},
			"Bad Number":  {Phone: "12"},
		},
		Audiences: map[string]AudienceGroup{
			"execs": {Emails: []string{"ceo@example.com", "cto@example.com"}, SMS: []string{"Dana Oncall"}},
		},
		Media:            map[Medium]bool{MediumSlack: true, MediumEmail: true, MediumSMS: true, MediumStatuspage: true},
		StatuspageActive: true,
	}
}

func TestParseEmails(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		errPart string
	}{
		{"a@example.com, B@Example.com\nc@example.org; a@example.com", []string{"a@example.com", "b@example.com", "c@example.org"}, ""},
		{"a@example.com not-an-address", nil, `"not-an-address" is not a valid e-mail address`},
		{"x@localhost", nil, `"x@localhost"`},
		{"bad@ worse@", nil, `"bad@", "worse@"`},
	}
	for _, tt := range tests {
		got, err := ParseEmails(tt.in)
		if tt.errPart != "" {
			if err == nil || !strings.Contains(ErrorMessage(err), tt.errPart) {
				t.Errorf("ParseEmails(%q) error = %v; want one naming %s", tt.in, err, tt.errPart)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ParseEmails(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, region, want string }{
		{"+44 20 7946 0958", "US", "+442079460958"},
		{"(415) 555-0101", "US", "+14155550101"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"12", "US", ""},
		{"call me", "US", ""},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in, tt.region)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizePhone(%q) = %q; want an error", tt.in, got)
			}
			continue
		}
		if got != tt.want || err != nil {
			t.Errorf("NormalizePhone(%q, %s) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
		}
	}
}

func TestValidateFieldErrors(t *testing.T) {
	base := Input{Audience: Internal, Message: "Checkout is failing for 5% of users.", Status: Identified, Channels: []string{"C1"}}
	tests := []struct {
		name  string
		edit  func(*Input)
		field string
		part  string
	}{
		{"empty message", func(in *Input) { in.Message = "  " }, FieldMessage, "Write the update"},
		{"no status", func(in *Input) { in.Status = "" }, FieldStatus, "Choose"},
		{"bad e-mail", func(in *Input) { in.Emails = "ops@example.com, nope" }, FieldEmails, `"nope"`},
		{"unknown name", func(in *Input) { in.SMSNames = []string{"Nobody Here"} }, FieldSMS, `"Nobody Here"`},
		{"bad number", func(in *Input) { in.SMSNames = []string{"Bad Number"} }, FieldSMS, "cannot receive SMS"},
		{"typed number that is not one", func(in *Input) { in.SMSNames = []string{"+1 555"} }, FieldSMS, `"+1 555" cannot receive SMS`},
		{"slack user without phone", func(in *Input) { in.SMSUsers = []Person{{Name: "Alice", SlackUser: "U1"}} }, FieldSMS, "Alice has no phone number"},
		{"too long for sms", func(in *Input) {
			in.SMSNames = []string{"Dana Oncall"}
			in.Message = strings.Repeat("word ", 80)
		}, FieldMessage, "SMS would be 3 segments"},
		{"too long for slack", func(in *Input) { in.Message = strings.Repeat("x", 3001) }, FieldMessage, "Too long"},
		{"unknown audience", func(in *Input) { in.Audiences = []string{"board"} }, FieldAudiences, `"board"`},
		{"no recipients", func(in *Input) { in.Channels = nil }, FieldChannels, "at least one recipient"},
		{"statuspage without title", func(in *Input) {
			in.Audience = External
			in.Statuspage = &StatuspageTarget{}
		}, FieldStatuspageTitle, "title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			tt.edit(&in)
			_, err := testRules().Validate(in)
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Validate: got %v; want EINVALID", err)
			}
			if msg := ErrorFields(err)[tt.field]; !strings.Contains(msg, tt.part) {
				t.Errorf("field %s: got %q; want it to mention %q (all: %v)", tt.field, msg, tt.part, ErrorFields(err))
			}
		})
	}
}

func TestValidateExpandsAudiences(t *testing.T) {
	d, err := testRules().Validate(Input{Audience: External, Message: "We are monitoring the fix.", Status: Monitoring,
		Emails: "cto@example.com ops@example.com", Audiences: []string{"execs"},
		Statuspage: &StatuspageTarget{CreateTitle: " Checkout errors ", Notify: true}})
	if err != nil {
		t.Fatal(err)
	}
	r := d.Recipients
	if got := strings.Join(r.Emails, " "); got != "cto@example.com ops@example.com ceo@example.com" {
		t.Errorf("emails = %s; want the typed ones then the audience's, without duplicates", got)
	}
	if len(r.SMS) != 1 || r.SMS[0].Phone != "+14155550101" || r.SMS[0].Name != "Dana Oncall" {
		t.Errorf("sms = %+v; want Dana at +14155550101", r.SMS)
	}
	if r.Statuspage == nil || r.Statuspage.CreateTitle != "Checkout errors" {
		t.Errorf("statuspage = %+v; want a new incident titled Checkout errors", r.Statuspage)
	}
}

func TestValidateTypedPhoneNumber(t *testing.T) {
	d, err := testRules().Validate(Input{Audience: Internal, Message: "m", Status: Identified, SMSNames: []string{"(415) 555-0199", "Dana Oncall"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Recipients.SMS; len(got) != 2 || got[0].Phone != "+14155550199" || got[1].Name != "Dana Oncall" {
		t.Errorf("sms = %+v; want the typed number in E.164 and Dana", got)
	}
}

func TestValidateUnconfiguredMedia(t *testing.T) {
	r := testRules()
	r.Media = map[Medium]bool{MediumSlack: true}
	r.StatuspageActive = false
	_, err := r.Validate(Input{Audience: External, Message: "m", Status: Identified, Emails: "a@example.com",
		SMSNames: []string{"Dana Oncall"}, Statuspage: &StatuspageTarget{IncidentID: "abc"}})
	f := ErrorFields(err)
	for _, k := range []string{FieldEmails, FieldSMS, FieldStatuspage} {
		if !strings.Contains(f[k], "not configured") {
			t.Errorf("field %s = %q; want it to say the medium is not configured", k, f[k])
		}
	}
}
