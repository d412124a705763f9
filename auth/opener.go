package auth

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// ErrNoBrowser means no browser can be opened here: use a device code.
var ErrNoBrowser = errors.New("no browser can be opened on this machine")

// BrowserAvailable reports whether OpenBrowser can work: $BROWSER is set, or
// the OS has a desktop (always on Windows and macOS; on Linux a DISPLAY or
// WAYLAND_DISPLAY).
func BrowserAvailable(getenv func(string) string) bool {
	if getenv("BROWSER") != "" {
		return true
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

// OpenBrowser opens url in the system browser: the command in $BROWSER when
// set (with the URL as its only argument), else the platform opener. The
// child's output is discarded so it never scribbles over the terminal, and
// it never falls back to a text-mode browser.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	if b := strings.TrimSpace(os.Getenv("BROWSER")); b != "" {
		// $BROWSER may carry arguments ("firefox --new-window"); the URL is appended last.
		fields := strings.Fields(b)
		cmd = exec.Command(fields[0], append(fields[1:], url)...)
	} else {
		if !BrowserAvailable(os.Getenv) {
			return ErrNoBrowser
		}
		switch runtime.GOOS {
		case "windows":
			cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
		case "darwin":
			cmd = exec.Command("open", url)
		default:
			path, err := exec.LookPath("xdg-open")
			if err != nil {
				return ErrNoBrowser
			}
			cmd = exec.Command(path, url)
		}
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	if err := cmd.Start(); err != nil {
		return errors.Join(ErrNoBrowser, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
