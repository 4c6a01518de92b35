// Package store keeps everything Herald knows in one embedded bbolt file: the
// incidents, their comms, the delivery outbox and the hash-chained timeline.
//
// A *DB satisfies comms.Store for the domain and offers the outbox methods
// (Due, NextDue, Claim, UpdateDelivery, Sending) the delivery dispatcher
// drains. Every change runs in one bbolt write transaction, so a comm's state
// and all its delivery rows land together or not at all; no network call ever
// runs inside one.
//
// Layout (all values are JSON unless noted):
//
//	meta               schema_version → "1"
//	incidents          INC-<n> → Incident; the bucket sequence numbers incidents
//	incident_channels  channel id → incident id
//	comms              C-<n> → Comm; the bucket sequence numbers comms
//	incident_comms     incident id, 0, 8-byte comm number → comm id (creation order)
//	deliveries         delivery id → Delivery; the sequence orders rows within a comm
//	comm_deliveries    comm id, 0, 8-byte sequence → delivery id (creation order)
//	due                medium, 0, 8-byte NotBefore, delivery id → "" (pending, failed_temp, unknown)
//	sending            medium, 0, 8-byte Deadline, delivery id → "" (sending)
//	open_targets       supersede key, 0, delivery id → "" (pending, failed_temp)
//	timeline/<INC-n>   8-byte sequence → TimelineEntry, each sealed onto the one before
//	dedup              key → 8-byte expiry (unix nanoseconds)
//
// Times in keys are big-endian unix nanoseconds, so cursor order is time order.
package store
