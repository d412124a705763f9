package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Cache keeps what is slow to ask for and not secret (activation policies,
// scope names) for a while, as JSON values by key. Its owner decides what
// a value looks like; the cache only stores, dates and expires it.
type Cache struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
	dirty   map[string]bool // keys set or forgotten since the load
}

type cacheEntry struct {
	Fetched time.Time       `json:"fetched"`
	Value   json.RawMessage `json:"value,omitempty"`
}

type cacheFile struct {
	V       int                   `json:"v"`
	Entries map[string]cacheEntry `json:"entries"`
}

// OpenCache reads the cache file name in dir ("" keeps everything in
// memory). An unreadable or newer-format file is an empty cache.
func OpenCache(dir, name string, now func() time.Time) *Cache {
	c := &Cache{now: now, entries: map[string]cacheEntry{}, dirty: map[string]bool{}}
	if dir != "" {
		c.path = filepath.Join(dir, name)
		c.entries = readCache(c.path)
	}
	return c
}

func readCache(path string) map[string]cacheEntry {
	b, err := os.ReadFile(path)
	if err != nil {
		return map[string]cacheEntry{}
	}
	var f cacheFile
	if json.Unmarshal(b, &f) != nil || f.V != Version || f.Entries == nil {
		return map[string]cacheEntry{}
	}
	return f.Entries
}

// Get decodes the value under key into v if it is younger than ttl.
func (c *Cache) Get(key string, ttl time.Duration, v any) bool {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || e.Value == nil || c.now().Sub(e.Fetched) > ttl {
		return false
	}
	return json.Unmarshal(e.Value, v) == nil
}

// Put stores v under key, fetched now.
func (c *Cache) Put(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = cacheEntry{Fetched: c.now(), Value: b}
	c.dirty[key] = true
}

// Forget drops key (PIM refused what the cached value allowed).
func (c *Cache) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
	c.dirty[key] = true
}

// Save writes the changes since the load over what is on disk now, so two
// processes saving at once each keep the other's entries.
func (c *Cache) Save() error {
	if c.path == "" {
		return nil
	}
	c.mu.Lock()
	if len(c.dirty) == 0 {
		c.mu.Unlock()
		return nil
	}
	merged := readCache(c.path)
	for k := range c.dirty {
		if e, ok := c.entries[k]; ok {
			merged[k] = e
		} else {
			delete(merged, k)
		}
	}
	c.dirty = map[string]bool{}
	c.mu.Unlock()
	b, err := json.Marshal(cacheFile{V: Version, Entries: merged})
	if err != nil {
		return err
	}
	if err := WriteAtomic(c.path, b); err != nil {
		return &WriteError{What: "the local cache", Path: c.path, Err: err}
	}
	return nil
}
