// Package reliability holds certlink's reliability tests (issue 6): parallel
// associations of one MCID, two processes on one database, kill -9 during a
// burst, a bad-input tour and the authorization matrix. They drive real
// certlink servers — in-process, or the built binary as child processes.
package reliability
