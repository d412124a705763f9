// Command pimento is just-in-time elevation for Microsoft Entra PIM in a
// terminal: sign in the separate admin account, activate eligible roles with
// a reason, prove the privilege reached the token, and deactivate early.
//
// This file is wiring only: the command line lives in internal/cli, the
// application core in internal/app.
package main

import (
	"os"

	"github.com/pimento-cli/pimento/internal/cli"
)

func main() {
	// The prompt path starts light: local state only, no cobra tree.
	if len(os.Args) == 2 && os.Args[1] == "prompt" {
		os.Exit(cli.Prompt(os.Stdout))
	}
	os.Exit(cli.Main(os.Args[1:], versionString()))
}
