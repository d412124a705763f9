// Command pimento is just-in-time elevation for Microsoft Entra PIM in a
// terminal: sign in the separate admin account, activate eligible roles with
// a reason, prove the privilege reached the token, and deactivate early.
package main

import (
	"os"
)

func main() {
	// The prompt path starts light: no Graph, no MSAL, no cobra tree.
	if len(os.Args) == 2 && os.Args[1] == "prompt" {
		os.Exit(promptMain(os.Stdout))
	}
	os.Exit(run(os.Args[1:], newIO()))
}
