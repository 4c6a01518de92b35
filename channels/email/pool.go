package email

import (
	"errors"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// quitTimeout bounds the QUIT that closes a connection the sender is done
// with.
const quitTimeout = 2 * time.Second

// conn is an SMTP connection, greeted, secured and authenticated, that can
// carry several messages.
type conn struct {
	sc        *smtp.Client
	sent      int         // messages it carried, or tried to
	idleSince time.Time   // when it was put back
	timer     *time.Timer // closes it once idle for ConnIdle
}

// pool keeps the connections of finished sends open for the next ones, so a
// comm to 300 addresses does not cost 300 TCP, TLS and AUTH handshakes. It
// holds only idle connections, each used by one send at a time; how many
// exist at once is how many sends are under way, which the e-mail lane's
// concurrency bounds (MaxIdleConns may cap the idle ones further).
type pool struct {
	maxIdle  int // 0: no cap
	maxMsgs  int
	idleTime time.Duration

	mu     sync.Mutex
	idle   []*conn // the most recently used last
	closed bool
}

// get returns an idle connection, the most recently used, or nil. One idle
// for ConnIdle or longer, whose timer has not closed it yet, is closed, not
// returned.
func (p *pool) get() *conn {
	var stale []*conn
	defer func() {
		for _, c := range stale {
			quit(c)
		}
	}()
	p.mu.Lock()
	defer p.mu.Unlock()
	for n := len(p.idle); n > 0; n = len(p.idle) {
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		// If the timer has fired already, its expire finds c gone and
		// leaves it.
		c.timer.Stop()
		if time.Since(c.idleSince) >= p.idleTime {
			stale = append(stale, c)
			continue
		}
		return c
	}
	return nil
}

// put keeps c for the next send after it carried a message without error,
// or closes it when it has carried enough, the pool is full or closed.
func (p *pool) put(c *conn) {
	p.mu.Lock()
	if p.closed || c.sent >= p.maxMsgs || (p.maxIdle > 0 && len(p.idle) >= p.maxIdle) {
		p.mu.Unlock()
		quit(c)
		return
	}
	c.idleSince = time.Now()
	c.timer = time.AfterFunc(p.idleTime, func() { p.expire(c) })
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// expire closes c if it is still idle.
func (p *pool) expire(c *conn) {
	p.mu.Lock()
	found := false
	for i, x := range p.idle {
		if x == c {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			found = true
			break
		}
	}
	p.mu.Unlock()
	if found {
		quit(c)
	}
}

// close closes the idle connections, and every connection put back later.
func (p *pool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		c.timer.Stop()
		quit(c)
	}
}

// quit says QUIT on c and closes it.
func quit(c *conn) {
	_ = c.sc.UpdateDeadline(quitTimeout)
	if err := c.sc.Quit(); err != nil {
		_ = c.sc.Close()
	}
}

// brokenBeforeMail reports whether a send on a reused connection failed on
// the connection itself before the server accepted MAIL FROM: the NOOP
// go-mail sends first got no answer, MAIL FROM got none, or the server
// answered 421 (closing the connection, as on its idle timeout). The
// message was not sent, and a fresh connection may well carry it.
func brokenBeforeMail(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Reason {
	case mail.ErrConnCheck:
		return true
	case mail.ErrSMTPMailFrom:
		code := se.ErrorCode()
		return code == 0 || code == 421
	}
	return false
}
