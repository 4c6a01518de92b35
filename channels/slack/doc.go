// Package slack posts comms to Slack channels with chat.postMessage
// (slack-go), as Block Kit (header, section, context) with a fallback text,
// and tags every post with message metadata carrying the comm and delivery
// ids, so an ambiguous post can be found again with conversations.history
// before it is ever resent (limits.md §8.3).
//
// Errors are classified for the dispatcher (limits.md §1.2, §8.4):
// not_in_channel joins a public channel and posts once more; a private
// channel Herald is not in, channel_not_found, is_archived, invalid_blocks
// and msg_too_long are permanent, with a message that tells the author what
// to do; ratelimited (HTTP 429) is retryable after Retry-After; timeouts,
// 5xx, fatal_error and internal_error are ambiguous. slack-go's own retries
// stay off (its default), so nothing is posted twice behind our back.
package slack
