package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Call is one Web API request as the fake received it.
type Call struct {
	// Method is the Web API method, such as "chat.postMessage".
	Method string
	// Encoding is "json", "form" or "query": how the arguments arrived.
	Encoding string
	// Params holds the arguments. Form values are strings; JSON values keep
	// their JSON types.
	Params map[string]any
	// Status is the HTTP status the fake answered with.
	Status int
	// Error is the Slack error code answered, or "" when ok was true.
	Error string
}

// params are the decoded arguments of one Web API call, whichever encoding
// the client used.
type params map[string]any

// str returns an argument as a string.
func (p params) str(key string) string {
	switch v := p[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// flag reports whether a boolean argument is set ("true", "1" or true).
func (p params) flag(key string) bool {
	switch p.str(key) {
	case "true", "1":
		return true
	}
	return false
}

// decode unmarshals a JSON argument that may arrive as a JSON value (JSON
// body) or as a JSON string (form field).
func (p params) decode(key string, dst any) (bool, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return false, nil
	}
	var raw []byte
	if s, isStr := v.(string); isStr {
		if s == "" {
			return false, nil
		}
		raw = []byte(s)
	} else {
		raw, _ = json.Marshal(v)
	}
	return true, json.Unmarshal(raw, dst)
}

// apiError is a Slack error answer.
type apiError struct {
	code     string
	messages []string
}

func fail(code string, messages ...string) *apiError {
	return &apiError{code: code, messages: messages}
}

// handler serves one Web API method and returns the fields of an ok answer.
type handler func(w *Workspace, p params) (map[string]any, *apiError)

// methods lists every Web API method the fake models.
var methods = map[string]handler{
	"auth.test":             (*Workspace).authTest,
	"chat.postMessage":      (*Workspace).chatPostMessage,
	"chat.update":           (*Workspace).chatUpdate,
	"chat.postEphemeral":    (*Workspace).chatPostEphemeral,
	"chat.getPermalink":     (*Workspace).chatGetPermalink,
	"pins.add":              (*Workspace).pinsAdd,
	"pins.remove":           (*Workspace).pinsRemove,
	"pins.list":             (*Workspace).pinsList,
	"conversations.create":  (*Workspace).conversationsCreate,
	"conversations.info":    (*Workspace).conversationsInfo,
	"conversations.open":    (*Workspace).conversationsOpen,
	"conversations.join":    (*Workspace).conversationsJoin,
	"conversations.invite":  (*Workspace).conversationsInvite,
	"conversations.history": (*Workspace).conversationsHistory,
	"users.info":            (*Workspace).usersInfo,
	"usergroups.users.list": (*Workspace).usergroupsUsersList,
	"views.open":            (*Workspace).viewsOpen,
	"views.update":          (*Workspace).viewsUpdate,
	"views.push":            (*Workspace).viewsPush,
}

// serveAPI decodes a Web API call, applies rate limits and faults, checks the
// token and runs the method.
func (w *Workspace) serveAPI(rw http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	p, enc, token, err := readParams(r)
	call := Call{Method: method, Encoding: enc, Params: p}
	if err != nil {
		call.Status, call.Error = http.StatusOK, "invalid_form_data"
		w.record(call)
		writeJSON(rw, http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	if retry, limited := w.rateLimited(method); limited {
		call.Status, call.Error = http.StatusTooManyRequests, "ratelimited"
		w.record(call)
		rw.Header().Set("Retry-After", strconv.Itoa(retry))
		writeJSON(rw, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	if f := w.fault(method); f != nil {
		call.Status, call.Error = f.status(), "fault"
		w.record(call)
		w.applyFault(rw, r, f)
		return
	}

	var out map[string]any
	var aerr *apiError
	switch {
	case method == "apps.connections.open":
		out, aerr = w.appsConnectionsOpen(token, r)
	case methods[method] == nil:
		w.errorf("slackfake: unmodelled Web API method %q called with %v", method, p)
		aerr = fail("unknown_method")
	case token == "":
		aerr = fail("not_authed")
	case token == w.AppToken:
		aerr = fail("not_allowed_token_type")
	case token != w.BotToken:
		aerr = fail("invalid_auth")
	default:
		w.mu.Lock()
		out, aerr = methods[method](w, p)
		if aerr == nil {
			w.notifyLocked()
		}
		w.mu.Unlock()
	}
	call.Status = http.StatusOK
	if aerr != nil {
		call.Error = aerr.code
		body := map[string]any{"ok": false, "error": aerr.code}
		if len(aerr.messages) > 0 {
			body["response_metadata"] = map[string]any{"messages": aerr.messages}
		}
		out = body
	} else {
		if out == nil {
			out = map[string]any{}
		}
		out["ok"] = true
	}
	w.record(call)
	writeJSON(rw, http.StatusOK, out)
}

// readParams decodes the arguments from a JSON body, a form body or the
// query string, and finds the token in the Authorization header or the
// token argument.
func readParams(r *http.Request) (params, string, string, error) {
	p := params{}
	enc := "query"
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return p, enc, "", err
	}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		enc = "json"
		if len(strings.TrimSpace(string(body))) > 0 {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				return p, enc, "", fmt.Errorf("decode json body: %w", err)
			}
			for k, v := range m {
				p[k] = v
			}
		}
	case len(body) > 0:
		enc = "form"
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return p, enc, "", fmt.Errorf("decode form body: %w", err)
		}
		for k, v := range vals {
			p[k] = v[0]
		}
	}
	token := ""
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		token = strings.TrimPrefix(a, "Bearer ")
	}
	if t := p.str("token"); t != "" && token == "" {
		token = t
	}
	delete(p, "token")
	return p, enc, token, nil
}

// record appends a call to the log.
func (w *Workspace) record(c Call) {
	w.mu.Lock()
	w.calls = append(w.calls, c)
	w.notifyLocked()
	w.mu.Unlock()
}

// Calls returns how many times a Web API method was called, including calls
// that were rate limited or faulted.
func (w *Workspace) Calls(method string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, c := range w.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// CallLog returns every Web API call so far, oldest first; with methods given,
// only calls of those methods.
func (w *Workspace) CallLog(methods ...string) []Call {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Call
	for _, c := range w.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

// authTest answers auth.test for the bot token.
func (w *Workspace) authTest(params) (map[string]any, *apiError) {
	return map[string]any{
		"url":     "https://" + domain + ".slack.com/",
		"team":    "Herald Fake",
		"user":    "herald",
		"team_id": w.TeamID,
		"user_id": w.BotUserID,
		"bot_id":  w.BotID,
	}, nil
}

// usersInfo answers users.info.
func (w *Workspace) usersInfo(p params) (map[string]any, *apiError) {
	u, ok := w.users[p.str("user")]
	if !ok {
		return nil, fail("user_not_found")
	}
	return map[string]any{"user": w.userJSON(u)}, nil
}

// usergroupsUsersList answers usergroups.users.list.
func (w *Workspace) usergroupsUsersList(p params) (map[string]any, *apiError) {
	g, ok := w.groups[p.str("usergroup")]
	if !ok {
		return nil, fail("no_such_subteam")
	}
	return map[string]any{"users": append([]string{}, g.users...)}, nil
}
