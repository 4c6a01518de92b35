package bot

// Every Slack identifier Herald uses lives here, so that a renamed id cannot
// drift between the view that renders it and the router that handles it.

// slashCommand is the one slash command Herald registers.
const slashCommand = "/incident"

// Subcommands of /incident.
const (
	subNew       = "new"
	subComm      = "comm"
	subComms     = "comms"
	subTimeline  = "timeline"
	subStatus    = "status"
	subList      = "list"
	subResolve   = "resolve"
	subSeverity  = "severity"
	subCommander = "commander"
	subNote      = "note"
	subHelp      = "help"
)

// View callback ids.
const (
	cbDeclare      = "herald_declare"
	cbComm         = "herald_comm"
	cbPickIncident = "herald_pick_incident"
	cbReject       = "herald_reject"
	cbCommPreview  = "herald_comm_preview"
	cbApology      = "herald_apology"
)

// Block ids of the comm modal.
const (
	blkTabs          = "comm_tabs"
	blkBanner        = "comm_banner"
	blkAudience      = "comm_audience"
	blkMessage       = "comm_message"
	blkEmails        = "comm_emails"
	blkAudiences     = "comm_audiences"
	blkSMSUsers      = "comm_sms_users"
	blkSMSNames      = "comm_sms_names"
	blkChannels      = "comm_channels"
	blkSPIncident    = "comm_sp_incident"
	blkSPCreate      = "comm_sp_create"
	blkSPTitle       = "comm_sp_title"
	blkSPNotify      = "comm_sp_notify"
	blkStatus        = "comm_status"
	blkLink          = "comm_link"
	blkAction        = "comm_action"
	blkSendAt        = "comm_send_at"
	blkApproved      = "comm_approved"
	blkPreviewHeader = "preview_header"
)

// Block ids of a comm preview (Preview tab, approval card, preview modal).
const (
	blkPrevSlackHead = "preview_slack_head"
	blkPrevSlack     = "preview_slack"
	blkPrevSlackCtx  = "preview_slack_ctx"
	blkPrevEmailHead = "preview_email_head"
	blkPrevEmail     = "preview_email"
	blkPrevSMSHead   = "preview_sms_head"
	blkPrevSMS       = "preview_sms"
	blkPrevSPHead    = "preview_sp_head"
	blkPrevSP        = "preview_sp"
)

// Action ids of the comm modal.
const (
	actTabDraft    = "comm_tab_draft"
	actTabPreview  = "comm_tab_preview"
	actAudience    = "comm_audience"
	actMessage     = "comm_message"
	actEmails      = "comm_emails"
	actAudiences   = "comm_audiences"
	actSMSUsers    = "comm_sms_users"
	actSMSNames    = "comm_sms_names"
	actChannels    = "comm_channels"
	actSPIncident  = "comm_sp_incident"
	actSPCreate    = "comm_sp_create"
	actSPTitle     = "comm_sp_title"
	actSPNotify    = "comm_sp_notify"
	actStatus      = "comm_status"
	actLink        = "comm_link"
	actAction      = "comm_action"
	actSendAt      = "comm_send_at"
	actApproved    = "comm_approved"
	actNoop        = "herald_noop"
	actOpenComm    = "comm_open"
	actPreviewComm = "comm_preview"
)

// Option values of the comm modal's choices.
const (
	optChecked     = "yes"
	actionSave     = "save"
	actionRequest  = "request_approval"
	actionSendNow  = "send_now"
	actionSchedule = "schedule"
	tabDraft       = "draft"
	tabPreview     = "preview"
)

// Blocks and actions of the declare modal.
const (
	blkTitle     = "declare_title"
	actTitle     = "declare_title"
	blkSeverity  = "declare_severity"
	actSeverity  = "declare_severity"
	blkCommander = "declare_commander"
	actCommander = "declare_commander"
)

// Blocks and actions of the incident picker and the reject modal.
const (
	blkIncident = "pick_incident"
	actIncident = "pick_incident"
	blkReason   = "reject_reason"
	actReason   = "reject_reason"
)

// Approval card, comm list, summary and delivery report buttons. Their value
// is the comm id (or incident id for the summary).
const (
	blkCardHeader       = "card_header"
	blkCardContext      = "card_context"
	blkCardOutcome      = "card_outcome"
	blkCardActions      = "card_actions"
	blkRejectIntro      = "reject_intro"
	actApprove          = "card_approve"
	actReject           = "card_reject"
	actEdit             = "card_edit"
	actSend             = "card_send"
	actCancel           = "card_cancel"
	blkSummaryHeader    = "summary_header"
	blkSummaryFields    = "summary_fields"
	blkSummaryInternal  = "summary_internal"
	blkSummaryExternal  = "summary_external"
	blkSummaryTimeline  = "summary_timeline"
	blkSummaryScheduled = "summary_scheduled"
	blkSummaryFooter    = "summary_footer"
	blkSummaryActions   = "summary_actions"
	actPostUpdate       = "summary_post_update"
	actTimeline         = "summary_timeline"
	blkReportActions    = "report_actions"
	actRetry            = "report_retry"
	blkReport           = "report"
	blkReportFailures   = "report_failures"
	blkCommsHeader      = "comms_header"
	blkCommsMore        = "comms_more"
	blkTimelineHeader   = "timeline_header"
)

// The button that retries creating an incident's channel, offered to the
// declarer when it failed and in /incident list. Its value is the incident id.
const (
	blkListActions   = "list_actions"
	actCreateChannel = "incident_create_channel"
)

// Events API event types Herald subscribes to.
const eventPinRemoved = "pin_removed"

// SlashCommands lists the slash commands Herald handles, as the app manifest
// must declare them.
func SlashCommands() []string { return []string{slashCommand} }

// BotEvents lists the Events API bot events Herald handles, as the app
// manifest must subscribe to them (pin_removed needs the pins:read scope).
func BotEvents() []string { return []string{eventPinRemoved} }

// CallbackIDs lists every view callback_id the router handles.
func CallbackIDs() []string {
	return []string{cbDeclare, cbComm, cbPickIncident, cbReject, cbCommPreview, cbApology}
}
