package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
)

// The words commanders see in the comm modal (DESIGN.md §3, "Words on
// screen"). Acceptance tests find the fields by these labels and options.
const (
	wordDraft         = "Draft"
	wordPreview       = "Preview"
	wordInternal      = "Internal"
	wordExternal      = "External"
	wordMessage       = "Message"
	wordEmails        = "E-mail addresses"
	wordAudiences     = "Audiences"
	wordSMS           = "SMS recipients"
	wordSMSUsers      = "SMS recipients (Slack users)"
	wordChannels      = "Slack channels"
	wordSPIncident    = "Statuspage incident"
	wordSPCreate      = "Create a new Statuspage incident instead"
	wordSPTitle       = "New Statuspage incident title"
	wordSPNotify      = "Notify Statuspage subscribers"
	wordStatus        = "Incident status"
	wordLink          = "Include incident link in the message"
	wordAction        = "Communication action"
	wordSaveDraft     = "Save draft"
	wordRequest       = "Request approval"
	wordSendNow       = "Send now"
	wordSchedule      = "Schedule"
	wordApproved      = "Approved for release"
	wordSendAt        = "Send at"
	wordAudienceLabel = "Audience"
)

// maxStaticOptions is the most options a static select may offer; larger
// directories are searched through an external select instead.
const maxStaticOptions = 100

// shown says which optional parts of the Draft tab are on screen.
type shown struct {
	emails, audiences, smsUsers, smsNames, channels, sp, spTitle, sendAt, approved bool
}

func (b *Bot) shownFor(f *commForm, mayApprove bool) shown {
	s := shown{
		emails:    b.mediumOn(comms.MediumEmail),
		audiences: len(b.cfg.Audiences) > 0,
		smsUsers:  b.mediumOn(comms.MediumSMS),
		channels:  b.mediumOn(comms.MediumSlack),
		sp:        f.Audience == comms.External && b.statuspageOn(),
		sendAt:    f.Action == actionSchedule,
		approved:  f.Audience == comms.External && mayApprove,
	}
	s.smsNames = s.smsUsers
	s.spTitle = s.sp && f.SPCreate
	return s
}

// commView renders the comm modal on the form's tab. banner, when set, is
// shown above the fields (problems found while on the Preview tab).
func (b *Bot) commView(ctx context.Context, f commForm, inc *comms.Incident, userID string, mayApprove bool, banner string) slack.ModalViewRequest {
	if f.Audience != comms.External {
		f.Audience = comms.Internal
		if f.Action == actionRequest {
			f.Action = actionSave
		}
	}
	if f.Action == "" {
		f.Action = actionSave
	}
	blocks := []slack.Block{b.tabBar(f.Tab)}
	if f.Tab == tabPreview {
		blocks = append(blocks, b.previewTab(ctx, &f, inc, userID)...)
	} else {
		if banner != "" {
			blocks = append(blocks, section(blkBanner, ":warning: "+banner))
		}
		blocks = append(blocks, b.draftTab(&f, inc, mayApprove)...)
	}
	title := inc.ID + " update"
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      cbComm,
		Title:           plainText(title, maxModalTitle),
		Submit:          plainText(submitLabel(f.Action), maxModalTitle),
		Close:           plainText("Cancel", maxModalTitle),
		PrivateMetadata: f.metadata(),
		NotifyOnClose:   true,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func submitLabel(action string) string {
	switch action {
	case actionRequest:
		return wordRequest
	case actionSendNow:
		return wordSendNow
	case actionSchedule:
		return wordSchedule
	}
	return wordSaveDraft
}

// tabBar is the Draft | Preview tab bar; the active tab is styled primary.
func (b *Bot) tabBar(active string) slack.Block {
	draft := button(actTabDraft, tabDraft, wordDraft, "")
	preview := button(actTabPreview, tabPreview, wordPreview, "")
	if active == tabPreview {
		preview.Style = slack.StylePrimary
	} else {
		draft.Style = slack.StylePrimary
	}
	return slack.NewActionBlock(blkTabs, draft, preview)
}

// draftTab renders the fields, in the seed's order.
func (b *Bot) draftTab(f *commForm, inc *comms.Incident, mayApprove bool) []slack.Block {
	s := b.shownFor(f, mayApprove)
	var out []slack.Block

	internal, external := option(string(comms.Internal), wordInternal), option(string(comms.External), wordExternal)
	radio := slack.NewRadioButtonsBlockElement(actAudience, internal, external)
	radio.InitialOption = internal
	if f.Audience == comms.External {
		radio.InitialOption = external
	}
	aud := input(blkAudience, wordAudienceLabel, radio, false, "External updates go to customers and need an approver's OK before they are sent.")
	aud.DispatchAction = true
	out = append(out, aud)

	msg := slack.NewPlainTextInputBlockElement(plainText("What is happening, what it affects, what comes next", 150), actMessage)
	msg.Multiline, msg.MaxLength, msg.InitialValue = true, comms.MessageMax, f.Message
	out = append(out, input(blkMessage, wordMessage, msg, false, "Slack formatting works: *bold*, _italic_, <https://example.com|links>."))

	if s.emails {
		el := slack.NewPlainTextInputBlockElement(plainText("ops@example.com, cto@example.com", 150), actEmails)
		el.Multiline, el.InitialValue, el.MaxLength = true, f.Emails, 3000
		out = append(out, input(blkEmails, wordEmails, el, true, "Separate addresses with commas, spaces or new lines."))
	}
	if s.audiences {
		var opts, initial []*slack.OptionBlockObject
		for _, name := range b.cfg.Audiences[:min(len(b.cfg.Audiences), maxStaticOptions)] {
			o := option(name, name)
			opts = append(opts, o)
			if slices.Contains(f.Audiences, name) {
				initial = append(initial, o)
			}
		}
		el := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plainText("Choose audiences", 150), actAudiences, opts...)
		el.InitialOptions = initial
		out = append(out, input(blkAudiences, wordAudiences, el, true, "Configured groups of e-mail addresses, SMS people and channels."))
	}
	if s.smsNames {
		out = append(out, b.directoryInput(f))
	}
	if s.smsUsers {
		el := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plainText("Choose people", 150), actSMSUsers)
		el.InitialUsers = f.SMSUsers
		out = append(out, input(blkSMSUsers, wordSMSUsers, el, true, "Texted at the phone number on their Slack profile."))
	}
	if s.channels {
		el := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeConversations, plainText("Choose channels", 150), actChannels)
		el.InitialConversations = f.Channels
		el.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true, ExcludeExternalSharedChannels: false}
		out = append(out, input(blkChannels, wordChannels, el, true, "Herald posts the update in each channel (it joins public ones; invite it to private ones)."))
	}
	if s.sp {
		out = append(out, b.statuspageInputs(f, s)...)
	}

	var statusOpts []*slack.OptionBlockObject
	var statusInit *slack.OptionBlockObject
	for _, st := range comms.Statuses {
		o := option(string(st), st.Title())
		statusOpts = append(statusOpts, o)
		if st == f.Status {
			statusInit = o
		}
	}
	st := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose a status", 150), actStatus, statusOpts...)
	st.InitialOption = statusInit
	out = append(out, input(blkStatus, wordStatus, st, false, "Sending the update sets the incident to this status."))

	out = append(out, input(blkLink, wordLink, checkbox(actLink, wordLink, f.Link), true, linkHint(f.Audience)))

	actOpts := []*slack.OptionBlockObject{option(actionSave, wordSaveDraft)}
	if f.Audience == comms.External {
		actOpts = append(actOpts, option(actionRequest, wordRequest))
	}
	actOpts = append(actOpts, option(actionSendNow, wordSendNow), option(actionSchedule, wordSchedule))
	act := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose what to do", 150), actAction, actOpts...)
	for _, o := range actOpts {
		if o.Value == f.Action {
			act.InitialOption = o
		}
	}
	actIn := input(blkAction, wordAction, act, false, actionHint(f.Audience, mayApprove))
	actIn.DispatchAction = true
	out = append(out, actIn)

	if s.sendAt {
		dt := slack.NewDateTimePickerBlockElement(actSendAt)
		dt.InitialDateTime = f.SendAt
		if dt.InitialDateTime == 0 {
			dt.InitialDateTime = b.now().Add(30 * time.Minute).Truncate(15 * time.Minute).Unix()
		}
		out = append(out, input(blkSendAt, wordSendAt, dt, false, "Shown in your time zone."))
	}
	if s.approved {
		out = append(out, input(blkApproved, wordApproved, checkbox(actApproved, wordApproved, f.Approved), true,
			"You are an approver for "+inc.ID+". Ticking this approves the update as you."))
	}
	return out
}

func linkHint(a comms.Audience) string {
	if a == comms.External {
		return "External updates link to the public status page."
	}
	return "Internal updates link to the incident's pinned summary in Slack."
}

func actionHint(a comms.Audience, mayApprove bool) string {
	switch {
	case a == comms.Internal:
		return "Internal updates need no approval."
	case mayApprove:
		return "External updates need approval before they are sent: tick Approved for release, or request approval."
	}
	return "External updates need approval before they are sent: request approval, and an approver will review it."
}

// checkbox is a single checkbox. Its option repeats the field's label, so a
// toggle reads the same whether one looks for the field or the choice.
func checkbox(actionID, text string, checked bool) *slack.CheckboxGroupsBlockElement {
	o := option(optChecked, text)
	el := slack.NewCheckboxGroupsBlockElement(actionID, o)
	if checked {
		el.InitialOptions = []*slack.OptionBlockObject{o}
	}
	return el
}

// directoryInput takes SMS recipients by name, as the seed workflow does
// ("enter the name for those team members"): names from Herald's directory,
// separated by commas or new lines. A name that is not in the directory comes
// back as an error on this field, naming it.
func (b *Bot) directoryInput(f *commForm) slack.Block {
	el := slack.NewPlainTextInputBlockElement(plainText("Dana Oncall, Sam Support", 150), actSMSNames)
	el.InitialValue = strings.Join(f.SMSNames, ", ")
	el.MaxLength = 1000
	hint := "Names from Herald's directory, or phone numbers, separated by commas."
	if names := b.cfg.DirectoryNames; len(names) > 0 {
		hint = "Names from Herald's directory, or phone numbers, separated by commas: " + comms.Truncate(strings.Join(names, ", "), 1500)
	}
	return input(blkSMSNames, wordSMS, el, true, hint)
}

// statuspageInputs are the Statuspage fields of an external comm.
func (b *Bot) statuspageInputs(f *commForm, s shown) []slack.Block {
	var out []slack.Block
	if !f.SPCreate {
		zero := 0
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, plainText("Search incidents by name", 150), actSPIncident)
		sel.MinQueryLength = &zero
		if f.SPIncident != "" {
			name := f.SPName
			if name == "" {
				name = f.SPIncident
			}
			sel.InitialOption = option(f.SPIncident, name)
		}
		out = append(out, input(blkSPIncident, wordSPIncident, sel, true, "The Statuspage incident this update is posted to."))
	}
	create := input(blkSPCreate, wordSPCreate, checkbox(actSPCreate, wordSPCreate, f.SPCreate), true, "")
	create.DispatchAction = true
	out = append(out, create)
	if s.spTitle {
		el := slack.NewPlainTextInputBlockElement(plainText("Elevated error rates for API requests", 150), actSPTitle)
		el.InitialValue, el.MaxLength = comms.Truncate(f.SPTitle, comms.StatuspageNameMax), comms.StatuspageNameMax
		out = append(out, input(blkSPTitle, wordSPTitle, el, false, "The public name of the new Statuspage incident."))
	}
	out = append(out, input(blkSPNotify, wordSPNotify, checkbox(actSPNotify, wordSPNotify, f.SPNotify), true,
		"E-mail and webhook subscribers of the page are notified of this update."))
	return out
}

// previewTab renders what each medium will receive.
func (b *Bot) previewTab(ctx context.Context, f *commForm, inc *comms.Incident, userID string) []slack.Block {
	c, problems := b.draftComm(ctx, f, inc, userID)
	out := b.previewBlocks(inc, &c, problems)
	out = append(out, contextBlock("", fmt.Sprintf("Switch to *%s* to change anything; your draft is kept.", wordDraft)))
	return out
}
