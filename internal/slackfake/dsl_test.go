package slackfake

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// commApp is a tiny Herald-like app: /incident comm opens a modal, the
// audience radio re-renders it, submission validates e-mail addresses and
// posts an approval card whose Approve button edits the card.
type commApp struct {
	mu        sync.Mutex
	submitted map[string]map[string]slack.BlockAction
	closed    int
}

func (a *commApp) view(external bool, channelID string) slack.ModalViewRequest {
	opt := func(text, value string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(value, slack.NewTextBlockObject("plain_text", text, false, false), nil)
	}
	pt := func(s string) *slack.TextBlockObject { return slack.NewTextBlockObject("plain_text", s, false, false) }
	audience := slack.NewInputBlock("audience", pt("Audience"), nil,
		slack.NewRadioButtonsBlockElement("v", opt("Internal", "internal"), opt("External", "external")))
	audience.DispatchAction = true
	optional := func(b *slack.InputBlock) *slack.InputBlock { b.Optional = true; return b }
	blocks := []slack.Block{
		slack.NewActionBlock("tabs",
			slack.NewButtonBlockElement("tab_draft", "draft", pt("Draft")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement("tab_preview", "preview", pt("Preview"))),
		audience,
	}
	if external {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "External comms need approval", false, false), nil, nil))
	}
	sp := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, pt("Search"), "v")
	blocks = append(blocks,
		slack.NewInputBlock("message", pt("Message"), nil, slack.NewPlainTextInputBlockElement(nil, "v")),
		optional(slack.NewInputBlock("emails", pt("E-mail addresses"), nil, slack.NewPlainTextInputBlockElement(nil, "v"))),
		optional(slack.NewInputBlock("sms", pt("SMS recipients"), nil, slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, nil, "v"))),
		optional(slack.NewInputBlock("channels", pt("Slack channels"), nil, slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeConversations, nil, "v"))),
		slack.NewInputBlock("status", pt("Incident status"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "v",
			opt("Investigating", "investigating"), opt("Identified", "identified"), opt("Monitoring", "monitoring"), opt("Resolved", "resolved"))),
		optional(slack.NewInputBlock("sp", pt("Statuspage incident"), nil, sp)),
		optional(slack.NewInputBlock("flags", pt("Options"), nil,
			slack.NewCheckboxGroupsBlockElement("v", opt("Include incident link in the message", "link")))),
	)
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: pt("New comm"), Submit: pt("Save"), Close: pt("Cancel"),
		CallbackID: "comm", PrivateMetadata: channelID, NotifyOnClose: true,
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func (a *commApp) handle(t *testing.T) func(*socketmode.Client, socketmode.Event) {
	return func(smc *socketmode.Client, evt socketmode.Event) {
		ctx := context.Background()
		switch evt.Type {
		case socketmode.EventTypeSlashCommand:
			cmd := evt.Data.(slack.SlashCommand)
			smc.Ack(*evt.Request)
			if _, err := smc.OpenViewContext(ctx, cmd.TriggerID, a.view(false, cmd.ChannelID)); err != nil {
				t.Errorf("views.open: %v", err)
			}
		case socketmode.EventTypeInteractive:
			cb := evt.Data.(slack.InteractionCallback)
			switch cb.Type {
			case slack.InteractionTypeBlockSuggestion:
				var opts []*slack.OptionBlockObject
				for _, o := range []struct{ text, value string }{{"SP-1 Checkout outage", "sp1"}, {"SP-2 Login slow", "sp2"}} {
					if strings.Contains(o.text, cb.Value) {
						opts = append(opts, slack.NewOptionBlockObject(o.value, slack.NewTextBlockObject("plain_text", o.text, false, false), nil))
					}
				}
				smc.Ack(*evt.Request, slack.OptionsResponse{Options: opts})
			case slack.InteractionTypeBlockActions:
				smc.Ack(*evt.Request)
				act := cb.ActionCallback.BlockActions[0]
				switch {
				case act.ActionID == "approve":
					_, _, _, err := smc.UpdateMessageContext(ctx, cb.Channel.ID, cb.Message.Timestamp,
						slack.MsgOptionText("Approved by "+cb.User.ID, false), slack.MsgOptionBlocks())
					if err != nil {
						t.Errorf("chat.update: %v", err)
					}
				case act.BlockID == "audience":
					v := a.view(act.SelectedOption.Value == "external", cb.View.PrivateMetadata)
					if _, err := smc.UpdateViewContext(ctx, v, "", cb.View.Hash, cb.View.ID); err != nil {
						t.Errorf("views.update: %v", err)
					}
				}
			case slack.InteractionTypeViewSubmission:
				vals := cb.View.State.Values
				if e := vals["emails"]["v"].Value; e != "" && !strings.Contains(e, "@") {
					smc.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"emails": "Enter valid e-mail addresses"}))
					return
				}
				smc.Ack(*evt.Request)
				a.mu.Lock()
				a.submitted = vals
				a.mu.Unlock()
				card := slack.NewActionBlock("card", slack.NewButtonBlockElement("approve", "c1", slack.NewTextBlockObject("plain_text", "Approve", false, false)))
				_, _, err := smc.PostMessageContext(ctx, cb.View.PrivateMetadata,
					slack.MsgOptionText("Approval requested", false),
					slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Approval requested: "+vals["message"]["v"].Value, false, false), nil, nil), card),
					slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "herald_comm", EventPayload: map[string]any{"comm_id": "c1"}}))
				if err != nil {
					t.Errorf("chat.postMessage: %v", err)
				}
			case slack.InteractionTypeViewClosed:
				smc.Ack(*evt.Request)
				a.mu.Lock()
				a.closed++
				a.mu.Unlock()
			}
		}
	}
}

func TestDSLDrivesAnAppEndToEnd(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice"})
	w.AddUser(User{ID: "U2", Name: "bob", RealName: "Bob"})
	w.AddUser(User{ID: "U3", Name: "carol", RealName: "Carol"})
	ops := w.AddChannel("inc-1-checkout", Public, "U1", "U2", w.BotUserID)
	app := &commApp{}
	startApp(t, w, app.handle(t))

	m := w.SlashCommand("U1", ops.ID(), "/incident", "comm").Modal(t)
	if got := m.Title(); got != "New comm" {
		t.Fatalf("got title %q; want %q", got, "New comm")
	}
	if res := m.Submit(); !res.ClientSide || res.Errors["Message"] == "" {
		t.Errorf("submit with an empty required field: got %+v; want a client-side error on Message", res)
	}

	m.Select("Audience", "External")
	w.Eventually(t, func() bool { return strings.Contains(m.Text(), "External comms need approval") }, "the modal to re-render for External")
	m.Set("Message", "Checkout is degraded")
	m.Set("E-mail addresses", "not-an-address")
	m.Select("SMS recipients", "U2", "carol")
	m.Select("Slack channels", "inc-1-checkout")
	m.Select("Incident status", "Identified")
	m.Select("Statuspage incident", "SP-1 Checkout outage")
	m.Toggle("Include incident link in the message")

	res := m.Submit()
	if res.ResponseAction != "errors" || res.Errors["E-mail addresses"] != "Enter valid e-mail addresses" {
		t.Fatalf("got %+v; want an errors response on E-mail addresses", res)
	}
	if !m.IsOpen() || m.Errors()["E-mail addresses"] == "" {
		t.Errorf("got open=%v errors=%v; want the modal open with the error shown", m.IsOpen(), m.Errors())
	}
	m.Set("E-mail addresses", "exec@example.com")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) != 0 {
		t.Fatalf("got %+v; want a plain ack", res)
	}
	if m.IsOpen() {
		t.Errorf("got the modal open after a plain ack; want it closed")
	}

	app.mu.Lock()
	vals := app.submitted
	app.mu.Unlock()
	for _, tc := range []struct {
		name string
		got  any
		want any
	}{
		{"audience", vals["audience"]["v"].SelectedOption.Value, "external"},
		{"message", vals["message"]["v"].Value, "Checkout is degraded"},
		{"emails", vals["emails"]["v"].Value, "exec@example.com"},
		{"sms", strings.Join(vals["sms"]["v"].SelectedUsers, ","), "U2,U3"},
		{"channels", strings.Join(vals["channels"]["v"].SelectedConversations, ","), ops.ID()},
		{"status", vals["status"]["v"].SelectedOption.Value, "identified"},
		{"statuspage", vals["sp"]["v"].SelectedOption.Value, "sp1"},
		{"flags", len(vals["flags"]["v"].SelectedOptions), 1},
	} {
		if tc.got != tc.want {
			t.Errorf("submitted %s: got %v; want %v", tc.name, tc.got, tc.want)
		}
	}

	card := w.Channel("inc-1-checkout").ExpectMessage(t, "Approval requested: Checkout is degraded")
	if card.Metadata == nil || card.Metadata.EventPayload["comm_id"] != "c1" {
		t.Errorf("got metadata %+v; want comm_id c1", card.Metadata)
	}
	card.Click("U2", "Approve")
	w.Eventually(t, func() bool { return ops.Message(card.TS).Text() == "Approved by U2" }, "the card to show the approval")

	m2 := w.SlashCommand("U1", ops.ID(), "/incident", "comm").Modal(t)
	m2.Close()
	// Close returns once the envelope is acked; the app counts it after.
	w.Eventually(t, func() bool {
		app.mu.Lock()
		defer app.mu.Unlock()
		return app.closed == 1
	}, "the app to get one view_closed")
}

func TestModalFindsNothingFailsTheTest(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice"})
	ops := w.AddChannel("ops", Public, "U1", w.BotUserID)
	app := &commApp{}
	startApp(t, w, app.handle(t))
	m := w.SlashCommand("U1", ops.ID(), "/incident", "comm").Modal(t)
	for _, tc := range []struct {
		name string
		do   func(*Modal)
	}{
		{"unknown label", func(m *Modal) { m.Set("Nope", "x") }},
		{"unknown option", func(m *Modal) { m.Select("Incident status", "Exploded") }},
		{"unknown button", func(m *Modal) { m.Click("Launch") }},
		{"unknown suggestion", func(m *Modal) { m.Select("Statuspage incident", "SP-9") }},
	} {
		ft := &fatalTB{TB: t}
		m.tb = ft
		done := make(chan struct{})
		go func() {
			defer close(done)
			tc.do(m)
		}()
		<-done
		if !ft.failed {
			t.Errorf("%s: got no failure; want the test failed", tc.name)
		}
	}
	// The fake must stay usable after a failed lookup.
	m.tb = t
	m.Set("Message", "still works")
	if got := m.Values()["message"].(map[string]any)["v"].(map[string]any)["value"]; got != "still works" {
		t.Errorf("got %v; want the value set", got)
	}
}

// fatalTB records Fatalf and ends the goroutine like testing.T does.
type fatalTB struct {
	testing.TB
	failed bool
}

func (f *fatalTB) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}

func (f *fatalTB) Errorf(string, ...any) { f.failed = true }
func (f *fatalTB) Helper()               {}
func (f *fatalTB) Logf(string, ...any)   {}
