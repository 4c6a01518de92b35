package twiliofake

import "time"

// SetRate sets how many segments per second sender (a From number or a
// Messaging Service SID) lets out of its queue, e.g. 1 for a US long code or 3
// for toll-free. Creates are still accepted at once, as on Twilio; each
// message's SentAt is when its turn comes. A rate of 0, the default, sends at
// once.
func (f *Fake) SetRate(sender string, segmentsPerSecond float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rates[sender] = segmentsPerSecond
}

// SetQueueWindow sets how much sending time a sender's queue may hold before
// Twilio refuses (21611 for From) or drops (30001 for a Messaging Service) new
// messages; the default is DefaultQueueWindow.
func (f *Fake) SetQueueWindow(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queueWindow = d
}

// schedule decides when a message of the given segments leaves sender's queue.
// It reports full when the queue already holds more than the window; the
// message then takes no slot. A message whose validity ends before its turn
// takes no slot either, because Twilio drops it unsent. f.mu must be held.
func (f *Fake) schedule(sender string, segments int, now time.Time, validity time.Duration) (sentAt time.Time, full bool) {
	rate := f.rates[sender]
	if rate <= 0 {
		return now, false
	}
	start := f.nextFree[sender]
	if start.Before(now) {
		start = now
	}
	if start.Sub(now) > f.queueWindow {
		return start, true
	}
	if validity > 0 && start.Sub(now) > validity {
		return start, false
	}
	f.nextFree[sender] = start.Add(time.Duration(float64(segments) / rate * float64(time.Second)))
	return start, false
}
