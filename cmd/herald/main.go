// Command herald runs the Herald incident communications bot.
//
//	herald [run]        start the bot (Socket Mode; no public URL needed)
//	herald check        validate the configuration and list the enabled media
//	herald backup FILE  write a consistent copy of the database to FILE
//	herald version      print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage: herald [run | check | backup FILE | version]

  run          start the bot (the default)
  check        validate the configuration and list the enabled media
  backup FILE  write a consistent copy of the database to FILE
  version      print the version

Configuration comes from the environment (see README.md).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, so end-to-end tests can start it in process with
// their own environment and stop it by cancelling ctx.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runBot(ctx, getenv, stdout, stderr)
	case "check":
		return check(getenv, stdout, stderr)
	case "backup":
		if len(args) != 1 {
			fmt.Fprint(stderr, "herald backup: name the file to write, e.g. herald backup herald-backup.db\n")
			return 2
		}
		return backup(getenv, args[0], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "herald %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "herald: unknown command %q\n\n%s", cmd, usage)
	return 2
}
