package main

import (
	"fmt"
	"runtime/debug"
)

// Set by the release build through -ldflags
// "-X main.version=… -X main.commit=… -X main.date=…".
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionString falls back to the module build info, so `go install`
// builds report a version too.
func versionString() string {
	v, c, d := version, commit, date
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok {
			if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					if c == "" {
						c = s.Value
					}
				case "vcs.time":
					if d == "" {
						d = s.Value
					}
				}
			}
		}
	}
	if len(c) > 12 {
		c = c[:12]
	}
	switch {
	case c != "" && d != "":
		return fmt.Sprintf("%s (%s, %s)", v, c, d)
	case c != "":
		return fmt.Sprintf("%s (%s)", v, c)
	}
	return v
}
