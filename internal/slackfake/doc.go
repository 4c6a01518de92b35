// Package slackfake is a strict fake of Slack for tests: a real HTTP and
// WebSocket server on 127.0.0.1 that speaks Socket Mode
// (apps.connections.open, hello, pings, envelopes, acks, redelivery,
// disconnect) and the Web API methods Herald calls, in both encodings
// slack-go uses (JSON with a Bearer token; form fields with a token field;
// GET query strings).
//
// It answers like Slack, with Slack's error shapes
// ({"ok":false,"error":…,"response_metadata":{"messages":["[ERROR] …"]}}),
// and enforces Slack's documented limits: modal title, submit and close
// ≤ 24 characters; 100 blocks per modal and 50 per message; section text
// 3,000; header 150; button text 75; option text 75 and value 150;
// plain_text_input max_length ≤ 3,000; private_metadata 3,000; callback_id,
// external_id, block_id and action_id 255; unique block_ids per surface and
// unique action_ids per block; input blocks only in modals; msg_too_long above
// 4,000 characters on chat.update; single-use trigger_ids that expire three
// seconds after the envelope that carried them; hash_conflict on a stale
// views.update; channel membership, archiving and pin rules. Invalid views
// answer invalid_arguments and invalid message blocks answer invalid_blocks,
// as Slack does. Any Web API method it does not model fails the test.
//
// A test drives it the way a person uses Slack: it runs slash commands,
// fills in modal fields by their labels, presses buttons by their text and
// reads channels by name. Bots act after they ack, so use Eventually (or
// Channel.ExpectMessage) rather than sleeps to wait for their effects.
//
// Example:
//
//	func TestCommDraft(t *testing.T) {
//		t.Parallel()
//		w := slackfake.New(t)
//		w.AddUser(slackfake.User{ID: "U1", Name: "alice", RealName: "Alice", Email: "alice@example.com"})
//		ops := w.AddChannel("inc-1-checkout", slackfake.Public, "U1", w.BotUserID)
//		startBot(t, bot.Config{SlackAPIURL: w.APIURL(), AppToken: w.AppToken, BotToken: w.BotToken})
//
//		m := w.SlashCommand("U1", ops.ID(), "/incident", "comm").Modal(t)
//		m.Select("Audience", "External") // block_actions; the bot re-renders
//		m.Set("Message", "Checkout is degraded")
//		m.Set("E-mail addresses", "not-an-address")
//		if got := m.Submit().Errors["E-mail addresses"]; got == "" {
//			t.Fatalf("got no error on E-mail addresses; want one")
//		}
//		m.Set("E-mail addresses", "exec@example.com")
//		m.Submit()
//		card := w.Channel("inc-1-checkout").ExpectMessage(t, "Approval requested")
//		card.Click("U2", "Approve")
//		w.Eventually(t, func() bool {
//			return strings.Contains(ops.LastMessage().Text(), "Approved")
//		}, "the card to show the approval")
//	}
//
// Faults: RateLimit answers HTTP 429 with Retry-After; SetFault makes a
// method answer 5xx, hang or reset the connection; Disconnect sends a
// Socket Mode disconnect; SetAckTimeout shortens the 3 s redelivery timer.
// Calls and CallLog count and show every request.
package slackfake
