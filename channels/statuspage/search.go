package statuspage

import (
	"context"
	"net/http"
	"net/url"
)

// Incident is a Statuspage incident as a picker shows it.
type Incident struct {
	ID, Name, Status string
}

// Search lists the page's incidents whose name, status or updates match
// query, newest first; an empty query lists the unresolved ones. It shares
// the sender's rate limiter, so searching from the comm modal never pushes a
// delivery over Statuspage's 1 request/s.
func (s *Sender) Search(ctx context.Context, query string) ([]Incident, error) {
	path := "/incidents/unresolved"
	if query != "" {
		path = "/incidents?" + url.Values{"q": {query}, "limit": {"25"}}.Encode()
	}
	var list []incident
	if err := s.do(ctx, http.MethodGet, path, nil, &list); err != nil {
		return nil, explain(err, "")
	}
	out := make([]Incident, len(list))
	for i, in := range list {
		out[i] = Incident{ID: in.ID, Name: in.Name, Status: in.Status}
	}
	return out, nil
}
