package statuspagefake

import (
	"net/http"
	"net/url"
)

func (f *Fake) routes() {
	f.mux = http.NewServeMux()
	f.mux.HandleFunc("GET /v1/pages/{page}/incidents", f.page(f.listIncidents, "q", "limit", "page"))
	f.mux.HandleFunc("POST /v1/pages/{page}/incidents", f.page(f.createIncident))
	f.mux.HandleFunc("GET /v1/pages/{page}/incidents/unresolved", f.page(f.listUnresolved, "page", "per_page"))
	f.mux.HandleFunc("GET /v1/pages/{page}/incidents/{id}", f.page(f.getIncident))
	f.mux.HandleFunc("PATCH /v1/pages/{page}/incidents/{id}", f.page(f.patchIncident))
	f.mux.HandleFunc("GET /v1/pages/{page}/components", f.page(f.listComponents, "page", "per_page"))
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.tb.Errorf("statuspagefake: unmodelled request %s %s", r.Method, r.URL.Path)
		writeError(w, http.StatusNotFound, "Not found")
	})
}

// page wraps a handler with the checks every page route shares: the page
// exists and the query holds only parameters the route models.
func (f *Fake) page(h http.HandlerFunc, query ...string) http.HandlerFunc {
	allowed := map[string]bool{}
	for _, q := range query {
		allowed[q] = true
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("page") != f.PageID {
			writeError(w, http.StatusNotFound, "Not found")
			return
		}
		for k := range r.URL.Query() {
			if !allowed[k] {
				f.tb.Errorf("statuspagefake: unmodelled query parameter %q on %s %s", k, r.Method, r.URL.Path)
			}
		}
		h(w, r)
	}
}

// pageOf returns the 1-based page of items the query asks for.
func pageOf[T any](items []T, q url.Values, sizeParam string, def int) []T {
	size := intParam(q.Get(sizeParam), def)
	if size > 100 {
		size = 100
	}
	n := intParam(q.Get("page"), 1)
	start := (n - 1) * size
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+size, len(items))]
}

func intParam(s string, def int) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1e6 {
			return def
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 {
		return def
	}
	return n
}
