package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// maxBatch is Graph's limit of requests in one JSON batch.
const maxBatch = 20

// batchRetries bounds how often throttled items are sent again.
const batchRetries = 3

// maxItemDelay caps a Retry-After we are willing to wait for in a load.
const maxItemDelay = 30 * time.Second

// batchReq is one GET to put into a $batch.
type batchReq struct {
	key  string
	info *abstractions.RequestInformation
}

// batchRes is one item's answer, decoded later with decodeItem.
type batchRes struct {
	resp msgraphcore.BatchResponse
	id   string
}

// runBatch sends reqs as JSON batches (chunks of 20 sent concurrently, so
// one round trip), retrying items answered 429, 503 or 504 after their
// Retry-After: Graph's retry handler never sees inside a batch. It returns
// each item's answer by key, and how many sequential round trips it took.
func (s *Service) runBatch(ctx context.Context, reqs []batchReq) (map[string]batchRes, int, error) {
	out := map[string]batchRes{}
	trips := 0
	pending := reqs
	for attempt := 0; len(pending) > 0; attempt++ {
		trips++
		results, retry, delay, err := s.sendWave(ctx, pending)
		if err != nil {
			return nil, trips, err
		}
		for k, v := range results {
			out[k] = v
		}
		if len(retry) == 0 {
			break
		}
		if attempt+1 >= batchRetries {
			// Keep the throttled answers: decodeItem reports them.
			break
		}
		if delay > maxItemDelay {
			delay = maxItemDelay
		}
		s.debugf("batch: %d item(s) throttled, retrying after %s", len(retry), delay)
		select {
		case <-ctx.Done():
			return nil, trips, ctx.Err()
		case <-time.After(delay):
		}
		pending = retry
	}
	return out, trips, nil
}

// sendWave sends one wave of chunks concurrently.
func (s *Service) sendWave(ctx context.Context, reqs []batchReq) (map[string]batchRes, []batchReq, time.Duration, error) {
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		results = map[string]batchRes{}
		retry   []batchReq
		delay   time.Duration
		firstEr error
	)
	for start := 0; start < len(reqs); start += maxBatch {
		chunk := reqs[start:min(start+maxBatch, len(reqs))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, again, d, err := s.sendChunk(ctx, chunk)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstEr == nil {
				firstEr = err
			}
			for k, v := range res {
				results[k] = v
			}
			retry = append(retry, again...)
			delay = max(delay, d)
		}()
	}
	wg.Wait()
	return results, retry, delay, firstEr
}

func (s *Service) sendChunk(ctx context.Context, chunk []batchReq) (map[string]batchRes, []batchReq, time.Duration, error) {
	b := msgraphcore.NewBatchRequest(s.adapter)
	ids := map[string]batchReq{}
	for _, r := range chunk {
		item, err := b.AddBatchRequestStep(*r.info)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("build batch: %w", err)
		}
		ids[deref(item.GetId())] = r
	}
	resp, err := b.Send(ctx, s.adapter)
	if err != nil {
		return nil, nil, 0, err
	}
	results := map[string]batchRes{}
	var retry []batchReq
	var delay time.Duration
	for id, r := range ids {
		item := resp.GetResponseById(id)
		if item == nil {
			return nil, nil, 0, fmt.Errorf("the batch answer lacks item %s", r.key)
		}
		status := deref(item.GetStatus())
		results[r.key] = batchRes{resp: resp, id: id}
		if status == 429 || status == 503 || status == 504 {
			retry = append(retry, r)
			delay = max(delay, retryAfter(item.GetHeaders()))
		}
	}
	return results, retry, delay, nil
}

// retryAfter reads an item's Retry-After (seconds or an HTTP date),
// defaulting to 1s.
func retryAfter(h map[string]string) time.Duration {
	date := ""
	for k, v := range h {
		if strings.EqualFold(k, "Date") {
			date = v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, "Retry-After") {
			if d, ok := parseRetryAfter(v, date); ok {
				return d
			}
		}
	}
	return time.Second
}

// decodeItem decodes one batch answer, or returns its error safely.
func decodeItem[T serialization.Parsable](res map[string]batchRes, key string, factory serialization.ParsableFactory) (out T, err error) {
	var zero T
	defer func() {
		// The SDK type-asserts without checking on odd bodies.
		if p := recover(); p != nil {
			out, err = zero, fmt.Errorf("Graph's answer for %s could not be read", key)
		}
	}()
	r, ok := res[key]
	if !ok {
		return zero, errors.New("no answer for " + key)
	}
	item := r.resp.GetResponseById(r.id)
	if item != nil && item.GetBody() == nil && deref(item.GetStatus()) >= 400 {
		return zero, &GraphError{Status: int(deref(item.GetStatus()))}
	}
	v, err := msgraphcore.GetBatchResponseById[T](r.resp, r.id, factory)
	if err != nil {
		if g, ok := asGraphError(err); ok && g.Status == 0 && item != nil {
			g.Status = int(deref(item.GetStatus()))
			return zero, g
		}
		return zero, err
	}
	return v, nil
}

// page is one page of a Graph collection.
type page[T any] interface {
	serialization.Parsable
	GetValue() []T
	GetOdataNextLink() *string
}

// appendPage decodes the page answered under key onto dst and returns its
// next link.
func appendPage[P page[T], T any](res map[string]batchRes, key string, factory serialization.ParsableFactory, dst *[]T) (*string, error) {
	v, err := decodeItem[P](res, key, factory)
	if err != nil {
		return nil, err
	}
	*dst = append(*dst, v.GetValue()...)
	return v.GetOdataNextLink(), nil
}
