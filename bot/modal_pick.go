package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// pickMeta is the incident picker's private_metadata.
type pickMeta struct {
	Channel string `json:"ch,omitempty"`
}

// openPicker asks which open incident an update is for, when /incident comm
// runs outside an incident channel.
func (b *Bot) openPicker(ctx context.Context, r *request) {
	open, err := b.svc.OpenIncidents(ctx)
	if err != nil {
		b.replyErr(ctx, r, "open incidents", err)
		return
	}
	if len(open) == 0 {
		b.reply(ctx, r, "There is no open incident to post an update about. Declare one with `/incident new`.")
		return
	}
	var opts []*slack.OptionBlockObject
	for _, inc := range open[:min(len(open), maxStaticOptions)] {
		opts = append(opts, option(inc.ID, fmt.Sprintf("%s · %s · %s", inc.ID, inc.Severity, inc.Title)))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose an incident", 150), actIncident, opts...)
	sel.InitialOption = opts[0]
	md, _ := json.Marshal(pickMeta{Channel: r.channel})
	v := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbPickIncident, PrivateMetadata: string(md),
		Title:  plainText("Post an update", maxModalTitle),
		Submit: plainText("Next", maxModalTitle), Close: plainText("Cancel", maxModalTitle),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			input(blkIncident, "Incident", sel, false, "This channel is not an incident channel, so choose the incident the update is about."),
		}},
	}
	if _, err := b.openView(ctx, r, v); err != nil {
		r.log.Warn().Err(err).Msg("views.open failed for the incident picker")
		b.reply(ctx, r, ":warning: Slack would not open the form in time. Please run the command again.")
	}
}

// submitPick replaces the picker with the comm modal for the chosen incident.
func (b *Bot) submitPick(ctx context.Context, r *request) {
	var md pickMeta
	_ = json.Unmarshal([]byte(r.cb.View.PrivateMetadata), &md)
	id := ""
	if st := r.cb.View.State; st != nil {
		id = st.Values[blkIncident][actIncident].SelectedOption.Value
	}
	const again = " Run `/incident comm` again."
	inc, err := b.svc.Incident(ctx, id)
	if err == nil && !inc.Open() {
		msg := inc.ID + " is resolved; choose another incident."
		b.ackOrTell(ctx, r, md.Channel, slack.NewErrorsViewSubmissionResponse(map[string]string{blkIncident: msg}), ":warning: "+msg+again)
		return
	}
	if err != nil {
		msg := "That incident no longer exists; choose another."
		b.ackOrTell(ctx, r, md.Channel, slack.NewErrorsViewSubmissionResponse(map[string]string{blkIncident: msg}), ":warning: "+msg+again)
		return
	}
	f := newForm(&inc, md.Channel)
	v := b.commView(ctx, f, &inc, r.user, b.isApprover(ctx, r.user, &inc), "")
	b.forms.put(r.cb.View.ID, f)
	b.ackOrTell(ctx, r, md.Channel, slack.NewUpdateViewSubmissionResponse(&v),
		":warning: Slack closed the form before Herald could show the update form for "+inc.ID+"."+again)
}

// optionsPayload answers a block_suggestion.
type optionsPayload struct {
	Options []*slack.OptionBlockObject `json:"options"`
}

// suggestStatuspage searches the Statuspage page's incidents for the
// external select, within the ack budget.
func (b *Bot) suggestStatuspage(ctx context.Context, r *request) {
	out := optionsPayload{Options: []*slack.OptionBlockObject{}}
	defer func() { r.ack(out) }()
	if b.cfg.Statuspage == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	found, err := b.cfg.Statuspage.SearchIncidents(ctx, strings.TrimSpace(r.cb.Value))
	if err != nil {
		r.log.Warn().Err(err).Msg("Statuspage search failed")
		return
	}
	found = found[:min(len(found), maxStaticOptions)]
	names := map[string]int{}
	for _, sp := range found {
		names[sp.Name]++
	}
	for _, sp := range found {
		// The incident's name, as on the status page; only namesakes get
		// their status and id to tell them apart.
		text := sp.Name
		if names[sp.Name] > 1 {
			text += fmt.Sprintf(" (%s, %s)", sp.Status, sp.ID)
		}
		out.Options = append(out.Options, option(sp.ID, text))
	}
}
