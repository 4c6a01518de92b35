package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/herald-comms/herald/comms"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// TestLargestCommViewFitsSlack renders the comm modal with every field at
// its largest and checks Slack's limits that no flow test reaches.
func TestLargestCommViewFitsSlack(t *testing.T) {
	var names, audiences []string
	for i := range 150 {
		names = append(names, fmt.Sprintf("Person %03d with a very long name that goes on and on and on and on and on", i))
		audiences = append(audiences, fmt.Sprintf("audience-%03d", i))
	}
	media := map[comms.Medium]bool{comms.MediumSlack: true, comms.MediumEmail: true, comms.MediumSMS: true, comms.MediumStatuspage: true}
	svc := &comms.Service{Rules: comms.Rules{Media: media, StatuspageActive: true}}
	b := New(Config{Media: media, DirectoryNames: names, Audiences: audiences, Statuspage: nilSearch{}}, svc, slack.New("x"), zerolog.Nop())
	inc := &comms.Incident{ID: "INC-123456", Title: strings.Repeat("Very long title ", 20), Severity: comms.SEV1, Status: comms.Identified}
	f := newForm(inc, "C1")
	f.Audience, f.Message, f.Action, f.SPCreate = comms.External, strings.Repeat("ü", comms.MessageMax), actionSchedule, true
	f.Emails = strings.Repeat("someone@example.com, ", 140)
	f.SMSNames = names[:40]
	for _, tab := range []string{tabDraft, tabPreview} {
		f.Tab = tab
		v := b.commView(context.Background(), f, inc, "U1", true, "")
		checkView(t, tab, v)
	}
}

type nilSearch struct{}

func (nilSearch) SearchIncidents(context.Context, string) ([]StatuspageIncident, error) {
	return nil, nil
}

func checkView(t *testing.T, name string, v slack.ModalViewRequest) {
	t.Helper()
	if n := utf8.RuneCountInString(v.Title.Text); n > maxModalTitle {
		t.Errorf("%s: title has %d characters", name, n)
	}
	if v.Submit != nil && utf8.RuneCountInString(v.Submit.Text) > maxModalTitle {
		t.Errorf("%s: submit label %q too long", name, v.Submit.Text)
	}
	if n := len(v.PrivateMetadata); n > maxMetadata {
		t.Errorf("%s: private_metadata has %d characters", name, n)
	}
	if n := len(v.Blocks.BlockSet); n > maxModalBlocks {
		t.Errorf("%s: %d blocks", name, n)
	}
	raw, _ := json.Marshal(v)
	var generic struct {
		Blocks []map[string]any `json:"blocks"`
	}
	_ = json.Unmarshal(raw, &generic)
	ids := map[string]bool{}
	for _, bl := range generic.Blocks {
		id, _ := bl["block_id"].(string)
		if id != "" && ids[id] {
			t.Errorf("%s: duplicate block_id %q", name, id)
		}
		ids[id] = true
		if txt, ok := bl["text"].(map[string]any); ok {
			if s, _ := txt["text"].(string); utf8.RuneCountInString(s) > maxSectionText {
				t.Errorf("%s: block %q text has %d characters", name, id, utf8.RuneCountInString(s))
			}
		}
	}
	if len(raw) > 250_000 {
		t.Errorf("%s: view is %d bytes", name, len(raw))
	}
}

func TestIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, id := range CallbackIDs() {
		if seen[id] {
			t.Errorf("callback_id %q used twice", id)
		}
		seen[id] = true
	}
	if got := SlashCommands(); len(got) != 1 || got[0] != "/incident" {
		t.Errorf("SlashCommands: got %q", got)
	}
}
