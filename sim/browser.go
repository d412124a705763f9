package sim

// Browser returns a URL opener that plays the admin's browser for tests and
// the demo: it fetches the authorize URL, and the tenant completes the
// sign-in by posting the code to the app's loopback redirect.
func (t *Tenant) Browser() func(url string) error {
	client := t.HTTPClient()
	return func(url string) error {
		go func() {
			resp, err := client.Get(url)
			if err == nil {
				_ = resp.Body.Close()
			}
		}()
		return nil
	}
}
