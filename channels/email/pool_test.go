package email_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/channels/email"
	"github.com/herald-comms/herald/internal/smtptest"
)

// proxy forwards TCP connections to an SMTP server and counts them: each is
// one TCP, TLS and AUTH handshake the sender paid for.
type proxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu       sync.Mutex
	accepted int
	open     []net.Conn // both ends of every forwarded connection
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.dropAll()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.accepted++
		p.open = append(p.open, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

// conns returns how many connections the sender opened.
func (p *proxy) conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// dropAll closes every connection, as a server restarting or closing idle
// connections does.
func (p *proxy) dropAll() {
	p.mu.Lock()
	open := p.open
	p.open = nil
	p.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

func (p *proxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// pooledSender returns a sender that reaches srv through a counting proxy.
func pooledSender(t *testing.T, srv *smtptest.Server, mod func(*email.Config)) (*email.Sender, *proxy) {
	t.Helper()
	p := newProxy(t, srv.Addr())
	s := newSender(t, srv, func(c *email.Config) {
		c.Port = p.port()
		if mod != nil {
			mod(c)
		}
	})
	return s, p
}

func TestConnectionsAreReused(t *testing.T) {
	t.Parallel()
	const bad = "gone@example.com"
	type send struct {
		to    string
		class channels.Class // 0 when accepted
	}
	five := []send{{to: "a@example.com"}, {to: "b@example.com"}, {to: "c@example.com"}, {to: "d@example.com"}, {to: "e@example.com"}}
	tests := []struct {
		name      string
		cfg       func(*email.Config)
		setup     func(*smtptest.Server)
		sends     []send
		wantConns int
	}{
		{name: "one connection for a run of messages", sends: five, wantConns: 1},
		{name: "closed after MaxConnMessages", cfg: func(c *email.Config) { c.MaxConnMessages = 2 }, sends: five, wantConns: 3},
		{name: "MaxConnMessages 1 turns reuse off", cfg: func(c *email.Config) { c.MaxConnMessages = 1 }, sends: five, wantConns: 5},
		{name: "closed once idle for ConnIdle", cfg: func(c *email.Config) { c.ConnIdle = 1 }, sends: five, wantConns: 5},
		{name: "closed after a refused recipient, still permanent",
			setup: func(srv *smtptest.Server) { srv.RejectRecipient(bad, 550, "5.1.1 no such user") },
			sends: []send{{to: "a@example.com"}, {to: bad, class: channels.Permanent}, {to: "b@example.com"}}, wantConns: 2},
		{name: "closed after a 451 at MAIL, still retryable",
			sends: []send{{to: "a@example.com"}, {to: "tempfail@example.com", class: channels.Retryable}, {to: "b@example.com"}}, wantConns: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, false)
			if tt.setup != nil {
				tt.setup(srv)
			}
			s, p := pooledSender(t, srv, tt.cfg)
			for i, sd := range tt.sends {
				if sd.to == "tempfail@example.com" {
					srv.TempFailNext(1)
				}
				_, err := s.Send(context.Background(), message(sd.to))
				var got channels.Class
				if e := channels.AsError(err); e != nil {
					got = e.Class
				} else if err != nil {
					t.Fatalf("send %d: got error %v (%T); want a *channels.Error", i, err, err)
				}
				if got != sd.class {
					t.Errorf("send %d to %s: got class %v (error %v); want %v", i, sd.to, got, err, sd.class)
				}
				wantInbox := 0
				if sd.class == 0 {
					wantInbox = 1
				}
				if n := len(srv.Inbox(sd.to)); n != wantInbox {
					t.Errorf("send %d: got %d messages to %s; want %d", i, n, sd.to, wantInbox)
				}
			}
			if got := p.conns(); got != tt.wantConns {
				t.Errorf("got %d connections for %d messages; want %d", got, len(tt.sends), tt.wantConns)
			}
		})
	}
}

func TestConcurrentSendsUseOneConnectionEach(t *testing.T) {
	t.Parallel()
	const workers, each = 4, 10
	srv := newServer(t, false)
	s, p := pooledSender(t, srv, nil)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := s.Send(context.Background(), message(fmt.Sprintf("p%d-%d@example.com", w, i))); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("got error %v; want none", err)
	}
	if got := len(srv.Messages()); got != workers*each {
		t.Errorf("got %d messages; want %d", got, workers*each)
	}
	if got := p.conns(); got < 1 || got > workers {
		t.Errorf("got %d connections for %d concurrent senders; want 1 to %d", got, workers, workers)
	}
}

func TestBrokenPooledConnection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     func(*smtptest.Server) // before the second message
		class     channels.Class         // of the second message; 0 when accepted
		wantConns int
		wantInbox int // messages to the second address
	}{
		{name: "dropped while idle: sent on a fresh connection", wantConns: 2, wantInbox: 1},
		{name: "dropped while idle, then 451 on the fresh one: retryable, tried once more only",
			setup: func(srv *smtptest.Server) { srv.TempFailNext(1) }, class: channels.Retryable, wantConns: 2},
		{name: "dropped while idle, then 550 on the fresh one: permanent",
			setup: func(srv *smtptest.Server) { srv.RejectRecipient("b@example.com", 550, "5.1.1 no such user") },
			class: channels.Permanent, wantConns: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, false)
			s, p := pooledSender(t, srv, nil)
			ctx := context.Background()
			if _, err := s.Send(ctx, message("a@example.com")); err != nil {
				t.Fatal(err)
			}
			p.dropAll() // the pooled connection dies while idle
			if tt.setup != nil {
				tt.setup(srv)
			}
			_, err := s.Send(ctx, message("b@example.com"))
			var got channels.Class
			if e := channels.AsError(err); e != nil {
				got = e.Class
			}
			if got != tt.class {
				t.Errorf("got class %v (error %v); want %v", got, err, tt.class)
			}
			if n := len(srv.Inbox("b@example.com")); n != tt.wantInbox {
				t.Errorf("got %d messages to b@example.com; want %d", n, tt.wantInbox)
			}
			if n := p.conns(); n != tt.wantConns {
				t.Errorf("got %d connections; want %d", n, tt.wantConns)
			}
		})
	}
}
