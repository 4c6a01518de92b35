// Package bot is Herald's whole Slack surface: the Socket Mode loop, the
// /incident command, the Block Kit modals (declare, comm with its Draft and
// Preview tabs, reject), the approval card, the delivery report and the one
// pinned summary per incident channel.
//
// It speaks to the domain only through *comms.Service and never imports the
// store or the delivery channels: what it needs from them (de-duplication of
// redelivered envelopes, Statuspage search, waking the dispatcher) it takes as
// small interfaces and funcs in Config. Every envelope is acknowledged within
// Slack's three seconds; slow work runs after the ack.
//
// Every callback_id, block_id and action_id is a constant in ids.go, and
// SlashCommands and BotEvents list what the app manifest must declare.
package bot
