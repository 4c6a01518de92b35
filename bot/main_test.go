package bot_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the bot, started and stopped by every test, leaves no
// goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
