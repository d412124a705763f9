package auth

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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

// OpenBrowser opens url in the system browser: $BROWSER when set (see
// BrowserCommands), else the platform opener. The
// child's output is discarded so it never scribbles over the terminal, and
// it never falls back to a text-mode browser.
func OpenBrowser(url string) error {
	if b := strings.TrimSpace(os.Getenv("BROWSER")); b != "" {
		return openWithBrowserVar(b, url)
	}
	if !BrowserAvailable(os.Getenv) {
		return ErrNoBrowser
	}
	var cmd *exec.Cmd
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
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	if err := cmd.Start(); err != nil {
		return errors.Join(ErrNoBrowser, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// BrowserCommands reads $BROWSER as the convention has it: a list of
// commands separated by the OS's path list separator (":" on Unix), tried
// in order; "%s" in a command stands for the URL, which is otherwise
// appended; "%%" is a literal "%".
func BrowserCommands(browser, url string) [][]string {
	var out [][]string
	for _, entry := range filepath.SplitList(browser) {
		fields := strings.Fields(entry)
		if len(fields) == 0 {
			continue
		}
		placed := false
		for i, f := range fields {
			if strings.Contains(f, "%s") {
				f = strings.ReplaceAll(f, "%s", url)
				placed = true
			}
			fields[i] = strings.ReplaceAll(f, "%%", "%")
		}
		if !placed {
			fields = append(fields, url)
		}
		out = append(out, fields)
	}
	return out
}

func openWithBrowserVar(browser, url string) error {
	var errs []error
	for _, argv := range BrowserCommands(browser, url) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
		if err := cmd.Start(); err != nil {
			errs = append(errs, err)
			continue
		}
		go func() { _ = cmd.Wait() }()
		return nil
	}
	return errors.Join(append([]error{ErrNoBrowser}, errs...)...)
}
