// Package durationtest holds the one table of duration inputs that every
// reader of durations (the CLI, the TUI's form, the config file) is tested
// against, so the three can never disagree again.
package durationtest

import "time"

// Case is one input and what an activation duration reader must make of it.
type Case struct {
	In   string
	Want time.Duration // 0: must be refused
}

// Activation lists inputs for an activation's duration (at least 5 minutes).
var Activation = []Case{
	{"1h", time.Hour},
	{"90m", 90 * time.Minute},
	{"1h30m", 90 * time.Minute},
	{"1.5h", 90 * time.Minute},
	{" 2h ", 2 * time.Hour},
	{"1H", time.Hour},
	{"5m", 5 * time.Minute},
	{"PT1H", time.Hour},
	{"pt90m", 90 * time.Minute},
	{"PT1H30M", 90 * time.Minute},
	{"PT45M10S", 45*time.Minute + 10*time.Second},
	{"P1D", 24 * time.Hour},
	{"P1DT2H", 26 * time.Hour},
	{"PT300S", 5 * time.Minute},
	// Refused: trailing garbage, fractions of a second, nothing left over.
	{"PT1H30X", 0},
	{"PT1H30", 0},
	{"PT", 0},
	{"P", 0},
	{"P1H", 0},
	{"PT30M1H", 0},
	{"PT1H1H", 0},
	{"PT1.5H", 0},
	{"PT-1H", 0},
	{"PT0S", 0},
	{"P110000D", 0}, // overflowed to a negative duration once
	{"P99999999999999999999D", 0},
	{"1m", 0}, // below PIM's 5-minute floor
	{"4m59s", 0},
	{"90", 0}, // no unit
	{"-1h", 0},
	{"+1h", 0},
	{"1h30x", 0},
	{"1500ms", 0}, // not whole seconds
	{"300s500ms", 0},
	{"", 0},
	{"abc", 0},
	{"9000h", 0}, // beyond a year
}
