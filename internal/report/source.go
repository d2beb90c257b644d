package report

import "strings"

// SourceLabel says where a result came from in words (L10): the stored source
// is an identifier — "directory", "ingest:<provider token name>",
// "operator:<email>" — that partner tools read as is.
func SourceLabel(source string) string {
	kind, detail, _ := strings.Cut(source, ":")
	switch kind {
	case "directory":
		return "Certification directory"
	case "ingest":
		if detail == "" {
			return "Directory feed"
		}
		return "Directory feed (" + detail + ")"
	case "operator":
		if detail == "" {
			return "certlink operator"
		}
		return "certlink operator (" + detail + ")"
	case "what-if":
		return "What-if (planned)"
	case "bench":
		return "Benchmark data"
	case "":
		return "Unknown"
	}
	return source
}
