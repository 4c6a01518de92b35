package slackfake

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// upgrader accepts the Origin header slack-go sends (https://api.slack.com).
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// wsConn is one Socket Mode connection. Only writeLoop writes data frames.
type wsConn struct {
	ws       *websocket.Conn
	out      chan []byte
	done     chan struct{}
	once     sync.Once
	draining bool
}

func (c *wsConn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// sendLocked queues a frame; a connection that cannot keep up is dropped.
func (c *wsConn) sendLocked(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	select {
	case c.out <- b:
	default:
		c.close()
	}
}

// writeLoop writes queued frames and pings every 500 ms, which keeps
// slack-go's ping watchdog happy.
func (c *wsConn) writeLoop(wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case m := <-c.out:
			_ = c.ws.SetWriteDeadline(time.Now().Add(2 * time.Second))
			if err := c.ws.WriteMessage(websocket.TextMessage, m); err != nil {
				c.close()
				return
			}
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)); err != nil {
				c.close()
				return
			}
		}
	}
}

// Envelope is one Socket Mode envelope the fake sent to the app.
type Envelope struct {
	// ID is the envelope_id.
	ID string
	// Type is "slash_commands", "interactive" or "events_api".
	Type string

	w          *Workspace
	payload    json.RawMessage
	accepts    bool
	attempt    int
	deliveries int
	conn       *wsConn
	timer      *time.Timer
	gen        int
	done       chan struct{}
	acked      bool
	failed     bool
	sentAt     time.Time
	ackedAt    time.Time
	ackPayload json.RawMessage
	onAck      func(payload json.RawMessage) []string
	trigger    *trigger
}

// Wait blocks until the app acks the envelope (on any attempt) or Slack gives
// up redelivering it, and returns the ack's payload. ok is false when the
// envelope was never acked.
func (e *Envelope) Wait() (payload json.RawMessage, ok bool) {
	select {
	case <-e.done:
	case <-e.w.done:
	}
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	return e.ackPayload, e.acked
}

// Acked reports whether the app has acked the envelope.
func (e *Envelope) Acked() bool {
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	return e.acked
}

// Deliveries reports how many times the envelope was written to a socket.
func (e *Envelope) Deliveries() int {
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	return e.deliveries
}

// AckDelay is the time from the first delivery to the ack, or 0 if not acked.
func (e *Envelope) AckDelay() time.Duration {
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	if !e.acked {
		return 0
	}
	return e.ackedAt.Sub(e.sentAt)
}

// appsConnectionsOpen answers apps.connections.open with a single-use URL.
func (w *Workspace) appsConnectionsOpen(token string, r *http.Request) (map[string]any, *apiError) {
	switch token {
	case "":
		return nil, fail("not_authed")
	case w.BotToken:
		return nil, fail("not_allowed_token_type")
	case w.AppToken:
	default:
		return nil, fail("invalid_auth")
	}
	w.mu.Lock()
	ticket := w.nextIDLocked("ticket")
	w.tickets[ticket] = true
	w.mu.Unlock()
	return map[string]any{"url": "ws://" + r.Host + "/link/" + ticket}, nil
}

// serveSocket runs one Socket Mode connection.
func (w *Workspace) serveSocket(rw http.ResponseWriter, r *http.Request) {
	ticket := strings.TrimPrefix(r.URL.Path, "/link/")
	w.mu.Lock()
	ok := w.tickets[ticket]
	delete(w.tickets, ticket)
	w.mu.Unlock()
	if !ok {
		http.Error(rw, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(rw, r, nil)
	if err != nil {
		return
	}
	c := &wsConn{ws: ws, out: make(chan []byte, 1024), done: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		_ = ws.Close()
		return
	}
	// The replacement is up, so retire connections told to disconnect.
	for old := range w.conns {
		if old.draining {
			old.close()
		}
	}
	w.conns[c] = struct{}{}
	w.wg.Add(2)
	go c.writeLoop(&w.wg)
	c.sendLocked(map[string]any{
		"type":            "hello",
		"num_connections": len(w.conns),
		"debug_info":      map[string]any{"host": "slackfake", "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": w.AppID},
	})
	for _, e := range w.pending {
		if e.conn == nil {
			w.deliverLocked(e)
		}
	}
	w.notifyLocked()
	w.mu.Unlock()
	defer w.wg.Done()

	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		w.handleAck(data)
	}
	w.dropConn(c)
}

// dropConn forgets a closed connection and moves its unacked envelopes to
// another connection, or queues them for the next one, so nothing is lost.
func (w *Workspace) dropConn(c *wsConn) {
	c.close()
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.conns, c)
	for _, e := range w.pending {
		if e.conn == c {
			w.stopTimerLocked(e.timer)
			e.conn = nil
			w.deliverLocked(e)
		}
	}
	w.notifyLocked()
}

// Connected reports how many Socket Mode connections are open and not told
// to disconnect.
func (w *Workspace) Connected() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for c := range w.conns {
		if !c.draining {
			n++
		}
	}
	return n
}

// WaitConnected waits until the app has a Socket Mode connection.
func (w *Workspace) WaitConnected(tb testing.TB) {
	tb.Helper()
	w.Eventually(tb, func() bool { return w.Connected() > 0 }, "a Socket Mode connection")
}

// Disconnect sends {"type":"disconnect","reason":reason} on every open
// connection, as Slack does before recycling one. Envelopes not acked on the
// old connection are delivered again on the next one.
func (w *Workspace) Disconnect(reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for c := range w.conns {
		if !c.draining {
			c.sendLocked(map[string]any{
				"type": "disconnect", "reason": reason,
				"debug_info": map[string]any{"host": "slackfake"},
			})
			c.draining = true
		}
	}
	w.notifyLocked()
}

// Send sends an envelope of type typ ("slash_commands", "interactive",
// "events_api") with the given payload and returns at once. Envelopes sent
// while the app is not connected wait for its next connection.
func (w *Workspace) Send(typ string, payload any) *Envelope {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sendLocked(typ, payload, nil, nil)
}

func (w *Workspace) sendLocked(typ string, payload any, onAck func(json.RawMessage) []string, trig *trigger) *Envelope {
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	var probe struct{ Type string }
	_ = json.Unmarshal(raw, &probe)
	e := &Envelope{
		ID: w.nextIDLocked("env-"), Type: typ, w: w, payload: raw,
		accepts: typ == "slash_commands" || probe.Type == "view_submission" || probe.Type == "block_suggestion",
		done:    make(chan struct{}), sentAt: w.now(), onAck: onAck, trigger: trig,
	}
	w.envs[e.ID] = e
	w.pending = append(w.pending, e)
	w.deliverLocked(e)
	w.notifyLocked()
	return e
}

// deliverLocked writes an envelope to an open connection and arms its ack
// timer; with no connection it stays queued.
func (w *Workspace) deliverLocked(e *Envelope) {
	var target *wsConn
	for c := range w.conns {
		if !c.draining {
			target = c
			break
		}
	}
	e.conn = target
	if target == nil || w.closed {
		return
	}
	frame := map[string]any{
		"envelope_id":              e.ID,
		"type":                     e.Type,
		"payload":                  e.payload,
		"accepts_response_payload": e.accepts,
		"retry_attempt":            e.attempt,
		"retry_reason":             "",
	}
	if e.attempt > 0 {
		frame["retry_reason"] = "timeout"
	}
	if e.deliveries == 0 {
		e.sentAt = w.now()
		if e.trigger != nil {
			e.trigger.issued = e.sentAt
		}
	}
	e.deliveries++
	e.gen++
	gen := e.gen
	target.sendLocked(frame)
	e.timer = w.afterFuncLocked(w.ackTimeout, func() { w.ackTimedOut(e, gen) })
}

// ackTimedOut redelivers an envelope the app did not ack in time, up to
// three retries.
func (w *Workspace) ackTimedOut(e *Envelope, gen int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e.acked || e.failed || e.gen != gen || w.closed {
		return
	}
	e.attempt++
	if e.attempt > w.maxRetries {
		e.failed = true
		w.removePendingLocked(e)
		close(e.done)
		w.notifyLocked()
		return
	}
	w.deliverLocked(e)
	w.notifyLocked()
}

func (w *Workspace) removePendingLocked(e *Envelope) {
	for i, p := range w.pending {
		if p == e {
			w.pending = append(w.pending[:i], w.pending[i+1:]...)
			return
		}
	}
}

// handleAck records an ack frame and applies its response payload.
func (w *Workspace) handleAck(data []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.EnvelopeID == "" {
		w.errorf("slackfake: app sent a frame that is not an ack: %s", data)
		return
	}
	if string(a.Payload) == "null" {
		a.Payload = nil
	}
	w.mu.Lock()
	e := w.envs[a.EnvelopeID]
	if e == nil {
		w.mu.Unlock()
		w.errorf("slackfake: app acked unknown envelope %q", a.EnvelopeID)
		return
	}
	if e.acked || e.failed {
		w.mu.Unlock()
		return
	}
	var problems []string
	if len(a.Payload) > 0 && !e.accepts {
		problems = append(problems, "slackfake: envelope "+e.ID+" does not accept a response payload, but the ack carried "+string(a.Payload))
	}
	e.acked, e.ackedAt, e.ackPayload = true, w.now(), a.Payload
	w.stopTimerLocked(e.timer)
	w.removePendingLocked(e)
	if e.onAck != nil {
		problems = append(problems, e.onAck(a.Payload)...)
	}
	close(e.done)
	w.notifyLocked()
	w.mu.Unlock()
	for _, p := range problems {
		w.errorf("%s", p)
	}
}
