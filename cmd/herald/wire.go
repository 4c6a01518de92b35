package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/bot"
	"github.com/herald-comms/herald/channels"
	chemail "github.com/herald-comms/herald/channels/email"
	chslack "github.com/herald-comms/herald/channels/slack"
	chsms "github.com/herald-comms/herald/channels/sms"
	chstatuspage "github.com/herald-comms/herald/channels/statuspage"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/store"
)

// assemble builds Herald's parts from the configuration: the comms service
// on the store, one sender per configured medium, the dispatcher and the bot.
// closeAll releases what the parts hold open (pooled SMTP connections) once
// they have stopped.
func assemble(cfg *Config, db *store.DB, api *slack.Client, botUser string, log zerolog.Logger) (parts []component, closeAll func(), err error) {
	closeAll = func() {}
	httpc := &http.Client{Timeout: 30 * time.Second}
	svc := &comms.Service{
		Store: db,
		Rules: cfg.Rules(),
		Policy: comms.Policy{
			Approvers:         cfg.File.Approvers,
			ApproverGroups:    cfg.File.ApproverGroups,
			AllowSelfApproval: cfg.File.AllowSelfApproval,
		},
		Groups:  newSlackGroups(api),
		Links:   comms.Links{PublicURL: cfg.File.PublicURL},
		Cadence: cfg.Cadence(),
	}

	media := cfg.Media()
	senders := map[comms.Medium]channels.Sender{}
	slackSender, err := chslack.New(chslack.Config{Token: cfg.SlackBotToken, BaseURL: cfg.SlackAPIURL, HTTPClient: httpc})
	if err != nil {
		return nil, closeAll, err
	}
	senders[comms.MediumSlack] = slackSender
	if media[comms.MediumEmail] {
		mode := map[string]chemail.TLSMode{"starttls": chemail.StartTLS, "tls": chemail.TLS, "none": chemail.NoTLS}[cfg.SMTP.TLS]
		s, err := chemail.New(chemail.Config{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, TLS: mode,
			Username: cfg.SMTP.Username, Password: cfg.SMTP.Password, From: cfg.SMTP.From})
		if err != nil {
			return nil, closeAll, err
		}
		senders[comms.MediumEmail] = s
		closeAll = func() { s.Close() }
	}
	if media[comms.MediumSMS] {
		from := cfg.Twilio.From
		if from != "" {
			from, _ = comms.NormalizePhone(from, svc.Rules.DefaultRegion) // LoadConfig checked it
		}
		s, err := chsms.New(chsms.Config{AccountSID: cfg.Twilio.AccountSID, AuthToken: cfg.Twilio.AuthToken,
			From: from, MessagingServiceSID: cfg.Twilio.MessagingServiceSID, BaseURL: cfg.Twilio.APIURL,
			MaxSegments: svc.Rules.SMSSegmentLimit})
		if err != nil {
			return nil, closeAll, err
		}
		senders[comms.MediumSMS] = s
	}
	var search bot.StatuspageSearch
	if media[comms.MediumStatuspage] {
		// One limiter for every call made with the key: Statuspage allows
		// 1 request/s per key (limits.md §3), searches from the modal
		// included. delivery.statuspage.rate overrides it for pages whose
		// key has a different limit.
		limit := chstatuspage.DefaultLimit
		if l := cfg.File.Delivery[string(comms.MediumStatuspage)]; l.Rate > 0 {
			limit = rate.Limit(l.Rate)
		}
		s, err := chstatuspage.New(chstatuspage.Config{APIKey: cfg.Statuspage.APIKey, PageID: cfg.Statuspage.PageID,
			BaseURL: cfg.Statuspage.APIURL, HTTPClient: httpc, Limiter: rate.NewLimiter(limit, 1)})
		if err != nil {
			return nil, closeAll, err
		}
		senders[comms.MediumStatuspage] = s
		search = statuspageSearch{s}
	}

	var b *bot.Bot
	finished := func(ctx context.Context, commID string) error {
		_, _, done, err := svc.Finish(ctx, commID)
		if err == nil && done && b != nil {
			b.CommFinished(ctx, commID)
		}
		return err
	}
	disp := channels.New(channels.Config{
		Lanes:        cfg.Lanes(),
		Links:        svc.Links,
		NormalizeSMS: svc.Rules.NormalizeSMS,
	}, db, senders, channels.Hooks{
		Finished: finished,
		StatuspageIncident: func(ctx context.Context, incidentID, spID, shortlink string) error {
			_, err := svc.AttachStatuspage(ctx, incidentID, spID, shortlink)
			return err
		},
	}, log.With().Str("component", "dispatcher").Logger())
	// A comm whose every row a newer comm replaced is finished through the
	// dispatcher, after the Slack handler that sent the newer one has acked.
	svc.Superseded = func(_ context.Context, commID string) { disp.Finish(commID) }

	b = bot.New(bot.Config{
		Media:          media,
		Audiences:      slices.Sorted(maps.Keys(cfg.File.Audiences)),
		DirectoryNames: slices.Sorted(maps.Keys(cfg.File.Directory)),
		Cadence:        svc.Cadence,
		PublicURL:      cfg.File.PublicURL,
		BotUserID:      botUser,
		Statuspage:     search,
		Dedup:          &store.Deduper{DB: db, TTL: 30 * time.Minute},
		Notify:         disp.Notify,
	}, svc, api, log.With().Str("component", "bot").Logger())
	return []component{disp, b}, closeAll, nil
}

// Lanes turns the file's delivery overrides into dispatcher lanes.
func (c *Config) Lanes() map[comms.Medium]channels.Lane {
	out := map[comms.Medium]channels.Lane{}
	for m, l := range c.File.Delivery {
		out[comms.Medium(m)] = channels.Lane{Rate: rate.Limit(l.Rate), Burst: l.Burst, Concurrency: l.Concurrency, MaxAttempts: l.MaxAttempts}
	}
	return out
}

// slackGroups resolves approver user groups through Slack, remembering each
// group's members for a minute: approval checks run while Slack waits for an
// ack, and usergroups.users.list is a Tier 2 method (20+/min).
type slackGroups struct {
	api *slack.Client
	ttl time.Duration

	mu    sync.Mutex
	cache map[string]groupEntry
}

type groupEntry struct {
	members []string
	at      time.Time
}

func newSlackGroups(api *slack.Client) *slackGroups {
	return &slackGroups{api: api, ttl: time.Minute, cache: map[string]groupEntry{}}
}

func (g *slackGroups) GroupMembers(ctx context.Context, group string) ([]string, error) {
	g.mu.Lock()
	e, ok := g.cache[group]
	g.mu.Unlock()
	if ok && time.Since(e.at) < g.ttl {
		return e.members, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	members, err := g.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		if ok { // Slack is slow or limiting us: a minute-old answer beats none
			return e.members, nil
		}
		return nil, fmt.Errorf("usergroups.users.list %s: %w", group, err)
	}
	g.mu.Lock()
	g.cache[group] = groupEntry{members: members, at: time.Now()}
	g.mu.Unlock()
	return members, nil
}

// statuspageSearch adapts the Statuspage sender's search to the bot's picker.
type statuspageSearch struct{ s *chstatuspage.Sender }

func (p statuspageSearch) SearchIncidents(ctx context.Context, q string) ([]bot.StatuspageIncident, error) {
	found, err := p.s.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]bot.StatuspageIncident, len(found))
	for i, f := range found {
		out[i] = bot.StatuspageIncident{ID: f.ID, Name: f.Name, Status: f.Status}
	}
	return out, nil
}
