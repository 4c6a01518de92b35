package channels_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/store"
)

// heldHooks is a Finished hook whose calls wait until the test lets their
// comm's calls return, as a report does while Slack is slow.
type heldHooks struct {
	mu      sync.Mutex
	release map[string]chan struct{}
	calls   map[string]int // started, per comm
	running map[string]int // under way, per comm
	maxPer  map[string]int // most under way at once, per comm
	now     int            // under way, all comms
	max     int            // most under way at once, all comms
	events  []string
	open    bool // every call returns at once
}

func newHeldHooks() *heldHooks {
	return &heldHooks{release: map[string]chan struct{}{}, calls: map[string]int{}, running: map[string]int{}, maxPer: map[string]int{}}
}

func (h *heldHooks) releaseOf(id string) chan struct{} {
	if h.release[id] == nil {
		h.release[id] = make(chan struct{})
		if h.open {
			close(h.release[id])
		}
	}
	return h.release[id]
}

func (h *heldHooks) Finished(_ context.Context, id string) error {
	h.mu.Lock()
	h.calls[id]++
	h.running[id]++
	h.maxPer[id] = max(h.maxPer[id], h.running[id])
	h.now++
	h.max = max(h.max, h.now)
	h.events = append(h.events, "start "+id)
	release := h.releaseOf(id)
	h.mu.Unlock()
	<-release
	h.mu.Lock()
	h.running[id]--
	h.now--
	h.events = append(h.events, "end "+id)
	h.mu.Unlock()
	return nil
}

// let lets id's calls return, now and from now on.
func (h *heldHooks) let(ids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		r := h.releaseOf(id)
		select {
		case <-r:
		default:
			close(r)
		}
	}
}

// letAll lets every call return, now and from now on, so that a failed
// test's Run can return.
func (h *heldHooks) letAll() {
	h.mu.Lock()
	h.open = true
	ids := make([]string, 0, len(h.release))
	for id := range h.release {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	h.let(ids...)
}

func (h *heldHooks) event(e string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

// waitFor waits until ok holds of the hooks' state.
func (h *heldHooks) waitFor(t *testing.T, what string, ok func(h *heldHooks) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		done := ok(h)
		events := slices.Clone(h.events)
		h.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got events %q; want %s", events, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// finishing runs a dispatcher with nothing to send and the held hook.
func finishing(t *testing.T) (*channels.Dispatcher, *heldHooks, func()) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "herald.db"), store.Options{NoSync: true})
	must(t, err)
	t.Cleanup(func() { _ = db.Close() })
	h := newHeldHooks()
	d := channels.New(testConfig(), db, nil, channels.Hooks{Finished: h.Finished}, testLogger(t))
	stop := (&env{}).run(t, d)
	t.Cleanup(h.letAll) // before Run stops
	return d, h, stop
}

func TestFinishedCallsForDifferentCommsOverlap(t *testing.T) {
	t.Parallel()
	d, h, stop := finishing(t)
	d.Finish("C-1")
	h.waitFor(t, "C-1's report started", func(h *heldHooks) bool { return h.calls["C-1"] == 1 })
	// C-1's report hangs on a slow Slack; C-2's does not wait for it.
	d.Finish("C-2")
	h.let("C-2")
	h.waitFor(t, "C-2's report done while C-1's is under way", func(h *heldHooks) bool { return slices.Contains(h.events, "end C-2") })
	h.let("C-1")
	stop()
	want := []string{"start C-1", "start C-2", "end C-2", "end C-1"}
	if !slices.Equal(h.events, want) {
		t.Errorf("got events %q; want %q", h.events, want)
	}
}

func TestFinishedCallsForOneCommAreSerialAndCoalesced(t *testing.T) {
	t.Parallel()
	d, h, stop := finishing(t)
	d.Finish("C-1")
	h.waitFor(t, "C-1's report started", func(h *heldHooks) bool { return h.calls["C-1"] == 1 })
	for range 3 { // rows of C-1 finishing while its report runs
		d.Finish("C-1")
	}
	d.Finish("C-2")
	h.let("C-2")
	// The finisher has gone past C-1's new marks: C-2 came after them.
	h.waitFor(t, "C-2's report done", func(h *heldHooks) bool { return slices.Contains(h.events, "end C-2") })
	h.let("C-1")
	h.waitFor(t, "a second C-1 report after the first", func(h *heldHooks) bool { return h.calls["C-1"] == 2 && h.running["C-1"] == 0 })
	stop()
	if got := h.calls["C-1"]; got != 2 {
		t.Errorf("got %d calls for C-1; want 2 (the one under way, then one for the marks made meanwhile)", got)
	}
	if got := h.maxPer["C-1"]; got != 1 {
		t.Errorf("got %d calls for C-1 at once; want 1", got)
	}
}

func TestFinishedCallsAreBounded(t *testing.T) {
	t.Parallel()
	const comms, bound = 7, 4
	d, h, stop := finishing(t)
	var ids []string
	for i := range comms {
		ids = append(ids, fmt.Sprintf("C-%d", i+1))
		d.Finish(ids[i])
	}
	h.waitFor(t, fmt.Sprintf("%d reports under way", bound), func(h *heldHooks) bool { return h.now == bound })
	h.let(ids...)
	h.waitFor(t, "every report done", func(h *heldHooks) bool { return len(h.calls) == comms && h.now == 0 })
	stop()
	if h.max != bound {
		t.Errorf("got %d reports at once at most; want %d", h.max, bound)
	}
	for _, id := range ids {
		if h.calls[id] != 1 {
			t.Errorf("%s: got %d calls; want 1", id, h.calls[id])
		}
	}
}

func TestRunWaitsForFinishedCalls(t *testing.T) {
	t.Parallel()
	d, h, stop := finishing(t)
	d.Finish("C-1")
	h.waitFor(t, "C-1's report started", func(h *heldHooks) bool { return h.calls["C-1"] == 1 })
	d.Finish("C-2") // marked while shutting down: still called before Run returns
	returned := make(chan struct{})
	go func() { defer close(returned); stop(); h.event("Run returned") }()
	h.let("C-1", "C-2")
	<-returned
	h.mu.Lock()
	defer h.mu.Unlock()
	if i, j := slices.Index(h.events, "end C-1"), slices.Index(h.events, "Run returned"); i < 0 || i > j {
		t.Errorf("got events %q; want C-1's report to end before Run returns", h.events)
	}
	if i, j := slices.Index(h.events, "end C-2"), slices.Index(h.events, "Run returned"); i < 0 || i > j {
		t.Errorf("got events %q; want C-2's report to end before Run returns", h.events)
	}
}
