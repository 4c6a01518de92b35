package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that Herald, started and stopped by every test, leaves no
// goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
