package progress

// CountingUntilSQL is countingUntil, for the external tests.
const CountingUntilSQL = countingUntil
