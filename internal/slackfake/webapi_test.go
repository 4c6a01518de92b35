package slackfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// slackErr returns the Slack error code inside err, or "".
func slackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

func TestWebAPIThroughSlackGo(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice", Phone: "+1 415 555 0100", Email: "alice@example.com"})
	w.AddUser(User{ID: "U2", Name: "bob", RealName: "Bob"})
	w.AddUserGroup("S1", "incident-approvers", "U1", "U2")
	api := botAPI(w)
	ctx := t.Context()

	auth, err := api.AuthTestContext(ctx)
	if err != nil || auth.UserID != w.BotUserID {
		t.Fatalf("auth.test: got %+v, %v; want user %s", auth, err, w.BotUserID)
	}
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1-checkout"})
	if err != nil {
		t.Fatalf("conversations.create: %v", err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U1", "U2"); err != nil {
		t.Fatalf("conversations.invite: %v", err)
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch.ID})
	if err != nil || info.Name != "inc-1-checkout" || !info.IsMember {
		t.Fatalf("conversations.info: got %+v, %v; want inc-1-checkout with the bot as member", info, err)
	}
	blocks := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*SEV1* checkout down", false, false), nil, nil))
	md := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "herald_delivery", EventPayload: map[string]any{"delivery_id": "d-1"}})
	_, ts1, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("summary", false), blocks, md)
	if err != nil {
		t.Fatalf("chat.postMessage: %v", err)
	}
	_, ts2, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("second", false))
	if err != nil || cmpTS(ts2, ts1) <= 0 {
		t.Fatalf("chat.postMessage: got ts %s after %s, %v; want a later ts", ts2, ts1, err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch.ID, ts2, slack.MsgOptionText("second, edited", false)); err != nil {
		t.Fatalf("chat.update: %v", err)
	}
	if _, err := api.PostEphemeralContext(ctx, ch.ID, "U1", slack.MsgOptionText("only for you", false)); err != nil {
		t.Fatalf("chat.postEphemeral: %v", err)
	}
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch.ID, Ts: ts1})
	if err != nil || !strings.Contains(link, strings.ReplaceAll(ts1, ".", "")) {
		t.Fatalf("chat.getPermalink: got %q, %v", link, err)
	}
	if err := api.AddPinContext(ctx, ch.ID, slack.ItemRef{Channel: ch.ID, Timestamp: ts1}); err != nil {
		t.Fatalf("pins.add: %v", err)
	}
	items, _, err := api.ListPinsContext(ctx, ch.ID)
	if err != nil || len(items) != 1 || items[0].Message.Timestamp != ts1 {
		t.Fatalf("pins.list: got %+v, %v; want the summary", items, err)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, IncludeAllMetadata: true})
	if err != nil || len(hist.Messages) != 2 {
		t.Fatalf("conversations.history: got %+v, %v; want 2 messages", hist, err)
	}
	if hist.Messages[0].Timestamp != ts2 || hist.Messages[0].Text != "second, edited" {
		t.Errorf("history[0]: got %s %q; want %s %q (newest first)", hist.Messages[0].Timestamp, hist.Messages[0].Text, ts2, "second, edited")
	}
	if got := hist.Messages[1].Metadata.EventPayload["delivery_id"]; got != "d-1" || hist.Messages[1].Metadata.EventType != "herald_delivery" {
		t.Errorf("history[1] metadata: got %+v; want herald_delivery with delivery_id d-1", hist.Messages[1].Metadata)
	}
	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil || u.Profile.Phone != "+1 415 555 0100" || u.Profile.Email != "alice@example.com" || u.RealName != "Alice" {
		t.Fatalf("users.info: got %+v, %v", u, err)
	}
	members, err := api.GetUserGroupMembersContext(ctx, "S1")
	if err != nil || strings.Join(members, ",") != "U1,U2" {
		t.Fatalf("usergroups.users.list: got %v, %v; want [U1 U2]", members, err)
	}
	if err := api.RemovePinContext(ctx, ch.ID, slack.ItemRef{Channel: ch.ID, Timestamp: ts1}); err != nil {
		t.Fatalf("pins.remove: %v", err)
	}

	c := w.Channel("inc-1-checkout")
	if got := c.Messages(); len(got) != 2 || got[0].Text() != "*SEV1* checkout down" || got[0].Metadata.EventType != "herald_delivery" {
		t.Errorf("Messages: got %+v; want the summary first with its metadata", got)
	}
	if got := w.Ephemerals("U1"); len(got) != 1 || got[0].Text() != "only for you" {
		t.Errorf("Ephemerals: got %+v; want one", got)
	}
	if got := w.CallLog("chat.postMessage"); len(got) != 2 || got[0].Encoding != "form" {
		t.Errorf("CallLog: got %+v; want 2 form-encoded calls", got)
	}
}

func TestWebAPIAcceptsJSONAndForm(t *testing.T) {
	t.Parallel()
	w := New(t)
	ops := w.AddChannel("ops", Public, w.BotUserID)
	post := func(method, contentType, auth, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, w.APIURL()+method, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	jsonBody, _ := json.Marshal(map[string]any{
		"channel": ops.ID(), "text": "via json",
		"blocks":   []any{map[string]any{"type": "section", "text": map[string]any{"type": "plain_text", "text": "json block"}}},
		"metadata": map[string]any{"event_type": "e", "event_payload": map[string]any{"k": "v"}},
	})
	form := url.Values{"token": {w.BotToken}, "channel": {ops.ID()}, "text": {"via form"},
		"blocks": {`[{"type":"section","text":{"type":"mrkdwn","text":"form block"}}]`}}
	for _, tc := range []struct {
		name, ct, auth, body, wantErr, wantText string
	}{
		{"json bearer", "application/json; charset=utf-8", w.BotToken, string(jsonBody), "", "json block"},
		{"form token", "application/x-www-form-urlencoded", "", form.Encode(), "", "form block"},
		{"json no token", "application/json", "", string(jsonBody), "not_authed", ""},
		{"json wrong token", "application/json", "xoxb-nope", string(jsonBody), "invalid_auth", ""},
		{"app token", "application/json", w.AppToken, string(jsonBody), "not_allowed_token_type", ""},
	} {
		out := post("chat.postMessage", tc.ct, tc.auth, tc.body)
		if got, _ := out["error"].(string); got != tc.wantErr {
			t.Errorf("%s: got error %q; want %q", tc.name, got, tc.wantErr)
		}
		if tc.wantText != "" && ops.LastMessage().Text() != tc.wantText {
			t.Errorf("%s: got last message %q; want %q", tc.name, ops.LastMessage().Text(), tc.wantText)
		}
	}
	if md := ops.Messages()[0].Metadata; md == nil || md.EventPayload["k"] != "v" {
		t.Errorf("got metadata %+v; want k=v", md)
	}
	// views.open with the view as a JSON string in a form field.
	w.AddUser(User{ID: "U1", Name: "alice"})
	view := `{"type":"modal","title":{"type":"plain_text","text":"Hi"},"blocks":[]}`
	out := post("views.open", "application/x-www-form-urlencoded", "",
		url.Values{"token": {w.BotToken}, "trigger_id": {issueTrigger(w, "U1")}, "view": {view}}.Encode())
	if out["ok"] != true {
		t.Errorf("views.open as form: got %v; want ok", out)
	}
}

func TestUnmodelledMethodFailsTheTest(t *testing.T) {
	t.Parallel()
	rec := &recTB{TB: t}
	w := New(rec)
	_, err := botAPI(w).SetTopicOfConversationContext(t.Context(), "C1", "x")
	if got := slackErr(err); got != "unknown_method" {
		t.Errorf("got %q; want unknown_method", got)
	}
	if errs := rec.errors(); len(errs) != 1 || !strings.Contains(errs[0], "conversations.setTopic") {
		t.Errorf("got test errors %q; want one naming conversations.setTopic", errs)
	}
}

func TestHistoryPaginatesNewestFirst(t *testing.T) {
	t.Parallel()
	w := New(t)
	ops := w.AddChannel("ops", Public, w.BotUserID)
	var want []string
	for i := 0; i < 5; i++ {
		want = append([]string{ops.Post("U1", "m").TS}, want...)
	}
	api := botAPI(w)
	var got []string
	cursor := ""
	for {
		h, err := api.GetConversationHistoryContext(t.Context(), &slack.GetConversationHistoryParameters{ChannelID: ops.ID(), Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatalf("conversations.history: %v", err)
		}
		for _, m := range h.Messages {
			got = append(got, m.Timestamp)
		}
		if !h.HasMore {
			break
		}
		cursor = h.ResponseMetaData.NextCursor
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestConversationsOpenDirectMessage(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice"})
	api := botAPI(w)
	ctx := t.Context()
	dm, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || !strings.HasPrefix(dm.ID, "D") {
		t.Fatalf("conversations.open: got %+v, %v; want a D… channel", dm, err)
	}
	again, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || again.ID != dm.ID {
		t.Errorf("second open: got %v, %v; want the same channel %s", again, err, dm.ID)
	}
	if _, _, err := api.PostMessageContext(ctx, dm.ID, slack.MsgOptionText("hello", false)); err != nil {
		t.Fatalf("post to the DM: %v", err)
	}
	if got := w.Channel("dm-U1").LastMessage().Text(); got != "hello" {
		t.Errorf("DM text = %q; want hello", got)
	}
	if _, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U404"}}); slackErr(err) != "user_not_found" {
		t.Errorf("open with an unknown user: got %v; want user_not_found", err)
	}
}
