// Package comms holds Herald's vocabulary and rules: incidents, comms (status
// updates), their recipients and deliveries, the incident timeline, the comm
// state machine and approval policy, input validation and the rendering of a
// comm for each medium. It imports nothing else of Herald's; the bot, the
// store and the delivery channels all speak in its types.
package comms
