package slack

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/herald-comms/herald/channels"
)

// historyPages bounds the pages of conversations.history (Tier 3) read to
// reconcile one delivery; a busy channel rarely needs more than one, since
// the search starts at the delivery's creation.
const historyPages = 5

// Reconcile looks through the channel's history since the delivery was
// created for a message whose metadata carries the delivery id. A channel
// Herald cannot read holds no such message.
func (s *Sender) Reconcile(ctx context.Context, m channels.Message) (channels.Result, bool, error) {
	p := &slack.GetConversationHistoryParameters{
		ChannelID:          m.Delivery.Target,
		Oldest:             slackTS(m.Delivery.CreatedAt.Add(-time.Second)),
		Limit:              200,
		IncludeAllMetadata: true,
	}
	for range historyPages {
		h, err := s.api.GetConversationHistoryContext(ctx, p)
		switch slackCode(err) {
		case "":
		case "channel_not_found", "not_in_channel", "is_archived":
			return channels.Result{}, false, nil
		}
		if err != nil {
			return channels.Result{}, false, s.classify(err, m)
		}
		for _, msg := range h.Messages {
			md := msg.Metadata
			if md.EventType == EventType && md.EventPayload["delivery_id"] == m.Delivery.ID {
				return channels.Result{Ref: msg.Timestamp}, true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			return channels.Result{}, false, nil
		}
		p.Cursor = h.ResponseMetaData.NextCursor
	}
	return channels.Result{}, false, &channels.Error{Class: channels.Ambiguous,
		Err: fmt.Errorf("slack: delivery %s not among the last %d pages of history", m.Delivery.ID, historyPages)}
}

// slackTS formats t as a Slack timestamp.
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}
