package catalogrev

// Writing is how many catalog-writing transactions this process has open.
func Writing() int64 { return writing.Load() }
