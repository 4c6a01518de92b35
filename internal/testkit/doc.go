// Package testkit holds the small helpers Herald's tests share: a clock a
// test moves by hand and a buffer that goroutines may write to at once.
package testkit
