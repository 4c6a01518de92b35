package slackfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// serveResponseURL accepts messages posted to a response_url.
func (w *Workspace) serveResponseURL(rw http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/response/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	w.mu.Lock()
	rurl := w.responses[id]
	w.mu.Unlock()
	if r.Method != http.MethodPost || rurl == nil {
		w.record(Call{Method: "response_url", Encoding: "json", Status: http.StatusNotFound, Error: "invalid_response_url"})
		writeJSON(rw, http.StatusNotFound, map[string]any{"ok": false, "error": "invalid_response_url"})
		return
	}
	var p map[string]any
	_ = json.Unmarshal(body, &p)
	w.mu.Lock()
	problems := w.applyMessageResponseLocked(body, rurl)
	w.notifyLocked()
	w.mu.Unlock()
	call := Call{Method: "response_url", Encoding: "json", Params: p, Status: http.StatusOK}
	if len(problems) > 0 {
		call.Error = "invalid_blocks"
		w.record(call)
		writeJSON(rw, http.StatusOK, map[string]any{"ok": false, "error": "invalid_blocks",
			"response_metadata": map[string]any{"messages": problems}})
		return
	}
	w.record(call)
	writeJSON(rw, http.StatusOK, map[string]any{"ok": true})
}
