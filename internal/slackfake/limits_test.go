package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// modal builds a view request from JSON, so tests can send what slack-go's
// types would refuse to build.
func modal(t *testing.T, extra string, blocks ...string) slack.ModalViewRequest {
	t.Helper()
	js := `{"type":"modal","title":{"type":"plain_text","text":"Comm"},"submit":{"type":"plain_text","text":"Save"}` +
		extra + `,"blocks":[` + strings.Join(blocks, ",") + `]}`
	var v slack.ModalViewRequest
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatalf("modal %s: %v", js, err)
	}
	return v
}

// msgBlocks decodes JSON blocks for chat.postMessage.
func msgBlocks(t *testing.T, blocks ...string) slack.MsgOption {
	t.Helper()
	var bs slack.Blocks
	if err := json.Unmarshal([]byte("["+strings.Join(blocks, ",")+"]"), &bs); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	return slack.MsgOptionBlocks(bs.BlockSet...)
}

func section(text string) string {
	return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, text)
}

func input(blockID, label, element string) string {
	return fmt.Sprintf(`{"type":"input","block_id":%q,"label":{"type":"plain_text","text":%q},"element":%s}`, blockID, label, element)
}

func TestLimitsComeBackInSlacksErrorShape(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice"})
	ops := w.AddChannel("ops", Public, w.BotUserID, "U1")
	secret := w.AddChannel("secret", Private, "U1")
	mine := w.AddChannel("mine", Private, w.BotUserID)
	lobby := w.AddChannel("lobby", Public, "U1")
	old := w.AddChannel("old", Public, w.BotUserID)
	old.Archive()
	api := botAPI(w)
	ctx := t.Context()
	_, ts, err := api.PostMessageContext(ctx, ops.ID(), slack.MsgOptionText("hello", false))
	if err != nil {
		t.Fatal(err)
	}
	w.AddUser(User{ID: "U2", Name: "bob"})
	open, err := api.OpenViewContext(ctx, issueTrigger(w, "U2"), modal(t, "", section("hi")))
	if err != nil {
		t.Fatalf("views.open: %v", err)
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	many := func(n int, b string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = b
		}
		return out
	}
	openView := func(v slack.ModalViewRequest) error {
		_, err := api.OpenViewContext(ctx, issueTrigger(w, "U1"), v)
		return err
	}
	post := func(opts ...slack.MsgOption) error {
		_, _, err := api.PostMessageContext(ctx, ops.ID(), append([]slack.MsgOption{slack.MsgOptionText("t", false)}, opts...)...)
		return err
	}
	button := func(text, actionID string) string {
		return fmt.Sprintf(`{"type":"actions","elements":[{"type":"button","action_id":%q,"text":{"type":"plain_text","text":%q}}]}`, actionID, text)
	}
	sel := func(text, value string) string {
		return fmt.Sprintf(`{"type":"actions","elements":[{"type":"static_select","action_id":"s","placeholder":{"type":"plain_text","text":"Pick"},"options":[{"text":{"type":"plain_text","text":%q},"value":%q}]}]}`, text, value)
	}
	plain := `{"type":"plain_text_input","action_id":"v"}`
	for _, tc := range []struct {
		name    string
		call    func() error
		want    string
		wantMsg string
	}{
		{"modal title 25", func() error { return openView(modal(t, `,"title":{"type":"plain_text","text":"`+long(25)+`"}`)) }, "invalid_arguments", "must be less than 25 characters [json-pointer:/view/title/text]"},
		{"modal title 24 ok", func() error { return openView(modal(t, `,"title":{"type":"plain_text","text":"`+long(24)+`"}`)) }, "", ""},
		{"modal submit 25", func() error { return openView(modal(t, `,"submit":{"type":"plain_text","text":"`+long(25)+`"}`)) }, "invalid_arguments", "/view/submit/text"},
		{"modal close 25", func() error { return openView(modal(t, `,"close":{"type":"plain_text","text":"`+long(25)+`"}`)) }, "invalid_arguments", "/view/close/text"},
		{"modal 101 blocks", func() error { return openView(modal(t, "", many(101, `{"type":"divider"}`)...)) }, "invalid_arguments", "no more than 100 items"},
		{"modal 100 blocks ok", func() error { return openView(modal(t, "", many(100, `{"type":"divider"}`)...)) }, "", ""},
		{"private_metadata 3001", func() error { return openView(modal(t, `,"private_metadata":"`+long(3001)+`"`)) }, "invalid_arguments", "/view/private_metadata"},
		{"callback_id 256", func() error { return openView(modal(t, `,"callback_id":"`+long(256)+`"`)) }, "invalid_arguments", "/view/callback_id"},
		{"max_length 3001", func() error {
			return openView(modal(t, "", input("b", "Message", `{"type":"plain_text_input","action_id":"v","max_length":3001}`)))
		}, "invalid_arguments", "max_length"},
		{"input without submit", func() error {
			v := modal(t, "", input("b", "Message", plain))
			v.Submit = nil
			return openView(v)
		}, "invalid_arguments", "submit"},
		{"message 51 blocks", func() error { return post(msgBlocks(t, many(51, `{"type":"divider"}`)...)) }, "invalid_blocks", "no more than 50 items"},
		{"message 50 blocks ok", func() error { return post(msgBlocks(t, many(50, `{"type":"divider"}`)...)) }, "", ""},
		{"section text 3001", func() error { return post(msgBlocks(t, section(long(3001)))) }, "invalid_blocks", "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"},
		{"header 151", func() error {
			return post(msgBlocks(t, `{"type":"header","text":{"type":"plain_text","text":"`+long(151)+`"}}`))
		}, "invalid_blocks", "must be less than 151 characters"},
		{"button text 76", func() error { return post(msgBlocks(t, button(long(76), "a"))) }, "invalid_blocks", "/blocks/0/elements/0/text/text"},
		{"option text 76", func() error { return post(msgBlocks(t, sel(long(76), "v"))) }, "invalid_blocks", "/options/0/text/text"},
		{"option value 151", func() error { return post(msgBlocks(t, sel("ok", long(151)))) }, "invalid_blocks", "/options/0/value"},
		{"block_id 256", func() error {
			return post(msgBlocks(t, `{"type":"divider","block_id":"`+long(256)+`"}`))
		}, "invalid_blocks", "/blocks/0/block_id"},
		{"action_id 256", func() error { return post(msgBlocks(t, button("Go", long(256)))) }, "invalid_blocks", "action_id"},
		{"duplicate block_id", func() error {
			return post(msgBlocks(t, `{"type":"divider","block_id":"d"}`, `{"type":"divider","block_id":"d"}`))
		}, "invalid_blocks", "duplicate block_id"},
		{"duplicate action_id in a block", func() error {
			return post(msgBlocks(t, `{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"A"}},{"type":"button","action_id":"a","text":{"type":"plain_text","text":"B"}}]}`))
		}, "invalid_blocks", "duplicate action_id"},
		{"duplicate block_id in a view", func() error {
			_, err := api.UpdateViewContext(ctx, modal(t, "", `{"type":"divider","block_id":"d"}`, `{"type":"divider","block_id":"d"}`), "", "", open.ID)
			return err
		}, "invalid_arguments", "duplicate block_id"},
		{"input block in a message", func() error { return post(msgBlocks(t, input("b", "Message", plain))) }, "invalid_blocks", "only supported in modals"},
		{"chat.update text 4001", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, ops.ID(), ts, slack.MsgOptionText(long(4001), false))
			return err
		}, "msg_too_long", ""},
		{"chat.update unknown ts", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, ops.ID(), "1.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found", ""},
		{"unknown channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found", ""},
		{"private channel without the bot", func() error {
			_, _, err := api.PostMessageContext(ctx, secret.ID(), slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found", ""},
		{"public channel without the bot", func() error {
			_, _, err := api.PostMessageContext(ctx, lobby.ID(), slack.MsgOptionText("x", false))
			return err
		}, "not_in_channel", ""},
		{"join private", func() error { _, _, _, err := api.JoinConversationContext(ctx, mine.ID()); return err }, "method_not_supported_for_channel_type", ""},
		{"join public", func() error { _, _, _, err := api.JoinConversationContext(ctx, lobby.ID()); return err }, "", ""},
		{"archived", func() error {
			_, _, err := api.PostMessageContext(ctx, old.ID(), slack.MsgOptionText("x", false))
			return err
		}, "is_archived", ""},
		{"name taken", func() error {
			_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "ops"})
			return err
		}, "name_taken", ""},
		{"invalid name", func() error {
			_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "Inc 1"})
			return err
		}, "invalid_name_specials", ""},
		{"pin", func() error { return api.AddPinContext(ctx, ops.ID(), slack.ItemRef{Timestamp: ts}) }, "", ""},
		{"already pinned", func() error { return api.AddPinContext(ctx, ops.ID(), slack.ItemRef{Timestamp: ts}) }, "already_pinned", ""},
		{"unpin", func() error { return api.RemovePinContext(ctx, ops.ID(), slack.ItemRef{Timestamp: ts}) }, "", ""},
		{"no pin", func() error { return api.RemovePinContext(ctx, ops.ID(), slack.ItemRef{Timestamp: ts}) }, "no_pin", ""},
		{"unknown user", func() error { _, err := api.GetUserInfoContext(ctx, "U404"); return err }, "user_not_found", ""},
		{"invite self", func() error { _, err := api.InviteUsersToConversationContext(ctx, ops.ID(), w.BotUserID); return err }, "cant_invite_self", ""},
		{"invite member", func() error { _, err := api.InviteUsersToConversationContext(ctx, ops.ID(), "U1"); return err }, "already_in_channel", ""},
		{"invite unknown", func() error { _, err := api.InviteUsersToConversationContext(ctx, ops.ID(), "U404"); return err }, "user_not_found", ""},
		{"ephemeral to non-member", func() error {
			w.AddUser(User{ID: "U9", Name: "zed"})
			_, err := api.PostEphemeralContext(ctx, ops.ID(), "U9", slack.MsgOptionText("x", false))
			return err
		}, "user_not_in_channel", ""},
		{"stale hash", func() error {
			_, err := api.UpdateViewContext(ctx, modal(t, "", section("a")), "", "stale-hash", open.ID)
			return err
		}, "hash_conflict", ""},
		{"unknown usergroup", func() error { _, err := api.GetUserGroupMembersContext(ctx, "S404"); return err }, "no_such_subteam", ""},
		{"wrong token", func() error {
			_, err := slack.New("xoxb-nope", slack.OptionAPIURL(w.APIURL())).AuthTestContext(ctx)
			return err
		}, "invalid_auth", ""},
		{"no token", func() error { _, err := slack.New("", slack.OptionAPIURL(w.APIURL())).AuthTestContext(ctx); return err }, "not_authed", ""},
	} {
		err := tc.call()
		if got := slackErr(err); got != tc.want || (tc.want == "" && err != nil) {
			t.Errorf("%s: got %q (%v); want %q", tc.name, got, err, tc.want)
			continue
		}
		if tc.wantMsg != "" {
			var se slack.SlackErrorResponse
			errors.As(err, &se)
			if msgs := strings.Join(se.ResponseMetadata.Messages, "\n"); !strings.Contains(msgs, tc.wantMsg) || !strings.HasPrefix(msgs, "[ERROR] ") {
				t.Errorf("%s: got messages %q; want an [ERROR] containing %q", tc.name, msgs, tc.wantMsg)
			}
		}
	}
}

func TestTriggerIDIsSingleUseAndExpires(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice"})
	clock := useClock(w)
	api := botAPI(w)
	v := modal(t, "", section("hi"))
	open := func(trigger string) string {
		_, err := api.OpenViewContext(t.Context(), trigger, v)
		return slackErr(err)
	}
	fresh := issueTrigger(w, "U1")
	if got := open(fresh); got != "" {
		t.Fatalf("first use: got %q; want ok", got)
	}
	late := issueTrigger(w, "U1")
	clock.Advance(3*time.Second + time.Millisecond)
	edge := issueTrigger(w, "U1")
	clock.Advance(3 * time.Second)
	for _, tc := range []struct {
		name, trigger, want string
	}{
		{"reused", fresh, "exchanged_trigger_id"},
		{"after 3 s", late, "expired_trigger_id"},
		{"at exactly 3 s", edge, ""},
		{"unknown", "123.456.abc", "invalid_trigger_id"},
	} {
		if got := open(tc.trigger); got != tc.want {
			t.Errorf("%s: got %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestRateLimitsAndFaults(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice"})
	api := botAPI(w, slack.OptionHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	call := func() error { _, err := api.GetUserInfoContext(context.Background(), "U1"); return err }

	w.RateLimit("users.info", 2, time.Minute)
	for i, wantLimited := range []bool{false, false, true} {
		err := call()
		var rl *slack.RateLimitedError
		if got := errors.As(err, &rl); got != wantLimited || (got && rl.RetryAfter < time.Second) {
			t.Errorf("call %d: got %v; want rate limited %v with Retry-After >= 1s", i, err, wantLimited)
		}
	}
	w.RateLimit("users.info", 0, 0)

	for _, tc := range []struct {
		name  string
		fault Fault
		check func(error) bool
	}{
		{"503", Fault{}, func(err error) bool {
			var sc slack.StatusCodeError
			return errors.As(err, &sc) && sc.Code == http.StatusServiceUnavailable
		}},
		{"500", Fault{Status: 500}, func(err error) bool {
			var sc slack.StatusCodeError
			return errors.As(err, &sc) && sc.Code == 500
		}},
		{"hang", Fault{Hang: true}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "Timeout") }},
		{"reset", Fault{Reset: true}, func(err error) bool { return err != nil && slackErr(err) == "" }},
	} {
		w.SetFault("users.info", tc.fault)
		if err := call(); !tc.check(err) {
			t.Errorf("%s: got %v (%T); want the fault", tc.name, err, err)
		}
		w.ClearFault("users.info")
		if err := call(); err != nil {
			t.Errorf("%s cleared: got %v; want ok", tc.name, err)
		}
	}

	w.SetFault("users.info", Fault{Status: 502, Times: 1})
	if err := call(); err == nil {
		t.Errorf("Times 1, first call: got ok; want 502")
	}
	if err := call(); err != nil {
		t.Errorf("Times 1, second call: got %v; want ok", err)
	}
	if got, want := w.Calls("users.info"), 3+8+2; got != want {
		t.Errorf("got %d users.info calls; want %d", got, want)
	}
}
