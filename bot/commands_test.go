package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
)

func TestSeverityCommanderAndNote(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Cart errors")
	ctx := context.Background()
	pinnedHas := func(want string) {
		t.Helper()
		h.w.Eventually(t, func() bool {
			p := ch.Pinned()
			return len(p) == 1 && strings.Contains(p[0].Text(), want)
		}, "the pinned summary to show %q", want)
	}

	h.w.SlashCommand(alice, ch.ID(), "/incident", "severity sev1")
	ch.ExpectMessage(t, "set the severity of INC-1 to *SEV1*")
	pinnedHas("*Severity*\nSEV1")

	h.w.SlashCommand(alice, ch.ID(), "/incident", "commander <@"+bob+"|bob>")
	ch.ExpectMessage(t, "made <@"+bob+"> the commander of INC-1")
	pinnedHas("*Commander*\n<@" + bob + ">")
	if !ch.IsMember(bob) {
		t.Errorf("got members %v; want the new commander invited", ch.Members())
	}

	// Slack escapes &, < and > in command text (should_escape).
	h.w.SlashCommand(alice, ch.ID(), "/incident", "note Rolled back release 42 &amp; purged caches")
	h.ephemeralTo(alice, "Added your note to the timeline of INC-1")
	pinnedHas("Rolled back release 42")
	if tl, _ := h.svc.Timeline(ctx, inc.ID); tl[len(tl)-1].Text != "Rolled back release 42 & purged caches" {
		t.Errorf("note = %q; want the & unescaped", tl[len(tl)-1].Text)
	}

	got, err := h.svc.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Severity != comms.SEV1 || got.Commander != bob {
		t.Errorf("incident: got severity %s commander %s; want SEV1 and %s", got.Severity, got.Commander, bob)
	}

	for _, tc := range []struct{ text, want string }{
		{"severity SEV9", "Unknown severity"},
		{"severity", "Say which severity"},
		{"commander bob", "Mention the new commander"},
		{"note", "Write the note"},
	} {
		h.w.SlashCommand(alice, ch.ID(), "/incident", tc.text)
		h.ephemeralTo(alice, tc.want)
	}
	if help := string(h.w.SlashCommand(alice, ch.ID(), "/incident", "help").Ack()); !strings.Contains(help, "/incident severity") ||
		!strings.Contains(help, "/incident commander @person") || !strings.Contains(help, "/incident note") {
		t.Errorf("help: got %s; want the severity, commander and note commands", help)
	}
}

func TestChannelCreationCanBeRetried(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.w.SetFault("conversations.create", slackfake.Fault{Status: 500, Times: 1})
	m := h.w.SlashCommand(alice, h.ops.ID(), "/incident", "new Broken channel").Modal(t)
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("declare: got %+v", res)
	}
	note := h.ephemeralTo(alice, "could not create its channel")
	if !slices.Contains(note.Buttons(), "Create channel") {
		t.Fatalf("note buttons %q lack Create channel", note.Buttons())
	}
	h.w.SlashCommand(alice, h.ops.ID(), "/incident", "list")
	if list := h.ephemeralTo(alice, "*Open incidents*"); !strings.Contains(list.Text(), "no channel yet") || !slices.Contains(list.Buttons(), "Create channel for INC-1") {
		t.Errorf("/incident list: got %q with buttons %q; want INC-1 without a channel and a button to create it", list.Text(), list.Buttons())
	}

	note.Click(alice, "Create channel")
	ch := h.w.Channel("inc-1-broken-channel")
	h.w.Eventually(t, func() bool { return len(ch.Pinned()) == 1 }, "the summary to be pinned in the new channel")
	h.ephemeralTo(alice, "Created <#"+ch.ID()+"> for INC-1")
	inc, err := h.svc.Incident(context.Background(), "INC-1")
	if err != nil || inc.Channel != ch.ID() {
		t.Errorf("incident channel: got %q (%v); want %s", inc.Channel, err, ch.ID())
	}
	note.Click(alice, "Create channel")
	h.ephemeralTo(alice, "INC-1 already has its channel")
}

func TestCommanderHandoverRefusedToOthers(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Cache stampede")
	before := len(ch.Messages())

	h.w.SlashCommand(dave, ch.ID(), "/incident", "commander <@"+dave+"|dave>")
	refusal := h.ephemeralTo(dave, "hand INC-1 to a new commander")
	if want := ":warning: Only the incident commander or a configured approver may hand INC-1 to a new commander."; refusal.Text() != want {
		t.Errorf("refusal: got %q; want %q", refusal.Text(), want)
	}
	got, err := h.svc.Incident(context.Background(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Commander != alice {
		t.Errorf("commander: got %s; want %s kept", got.Commander, alice)
	}
	for _, m := range ch.Messages()[before:] {
		if strings.Contains(m.Text(), "the commander of") {
			t.Errorf("channel: got announcement %q; want none for a refused handover", m.Text())
		}
	}
}
