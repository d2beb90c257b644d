// Package catalog ships certlink's default competency catalog (SPEC C1): the file
// loaded at start-up unless --catalog names another. Its format is described in
// README.md next to it; internal/catalog parses, validates and applies it.
package catalog

import _ "embed"

// Default is the shipped catalog.json.
//
//go:embed catalog.json
var Default []byte

// DefaultName names the shipped file in validation errors and history.
const DefaultName = "catalog/catalog.json (shipped)"
