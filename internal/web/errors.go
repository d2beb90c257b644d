package web

import (
	"encoding/json"
	"net/http"
)

// WriteError answers one error the way the API does (A5), with status:
// {"errors":[{"message", "extensions":{"code", …ext}}]} — never a bare text.
func WriteError(w http.ResponseWriter, status int, msg string, ext map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": ext}}})
}
