// Command gqlbase-load drives one GraphQL operation against an endpoint at a given
// concurrency for a given time, then prints the throughput and latency percentiles.
//
//	gqlbase-load -url http://127.0.0.1:8080/dbs/1/graphql -token $TOKEN \
//	    -query '{ tracks(limit: 20, where: {ms: {_gt: 1000}}, order_by: {ms: desc}) { id name } }' \
//	    -c 16 -d 10s
//
// A request counts as an error when the status is not 200 or the response has errors.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"sync"
	"time"
)

type config struct {
	url, token, query, operation string
	variables                    map[string]any
	concurrency                  int
	duration, warmup, timeout    time.Duration
	maxRequests                  int64
}

// result is what one worker saw.
type result struct {
	latencies []time.Duration
	errors    int64
	firstErr  string
}

func main() {
	var cfg config
	var vars, queryFile string
	flag.StringVar(&cfg.url, "url", "", "GraphQL endpoint URL (required)")
	flag.StringVar(&cfg.token, "token", os.Getenv("GQLBASE_TOKEN"), "bearer token (default $GQLBASE_TOKEN)")
	flag.StringVar(&cfg.query, "query", "", "GraphQL document")
	flag.StringVar(&queryFile, "query-file", "", "file holding the GraphQL document")
	flag.StringVar(&cfg.operation, "operation", "", "operation name")
	flag.StringVar(&vars, "variables", "", "variables as a JSON object")
	flag.IntVar(&cfg.concurrency, "c", 8, "concurrent clients")
	flag.DurationVar(&cfg.duration, "d", 10*time.Second, "how long to measure")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured run before measuring")
	flag.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "timeout of one request")
	flag.Int64Var(&cfg.maxRequests, "n", 0, "stop after this many measured requests (0: no limit)")
	flag.Parse()
	if err := setup(&cfg, vars, queryFile); err != nil {
		fmt.Fprintln(os.Stderr, "gqlbase-load:", err)
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gqlbase-load:", err)
		os.Exit(1)
	}
}

func setup(cfg *config, vars, queryFile string) error {
	if cfg.url == "" {
		return errors.New("-url is required")
	}
	if queryFile != "" {
		b, err := os.ReadFile(queryFile)
		if err != nil {
			return err
		}
		cfg.query = string(b)
	}
	if cfg.query == "" {
		return errors.New("give -query or -query-file")
	}
	if vars != "" {
		if err := json.Unmarshal([]byte(vars), &cfg.variables); err != nil {
			return fmt.Errorf("-variables: %w", err)
		}
	}
	if cfg.concurrency < 1 || cfg.duration <= 0 {
		return errors.New("-c must be at least 1 and -d positive")
	}
	return nil
}

// run warms up, measures and prints the report.
func run(ctx context.Context, cfg config, out io.Writer) error {
	body, err := json.Marshal(map[string]any{"query": cfg.query, "variables": cfg.variables, "operationName": cfg.operation})
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: cfg.timeout, Transport: &http.Transport{
		MaxIdleConns: cfg.concurrency * 2, MaxIdleConnsPerHost: cfg.concurrency * 2, IdleConnTimeout: time.Minute,
	}}
	// One request first: a broken setup fails loudly instead of measuring errors.
	if _, err := do(ctx, client, cfg, body); err != nil {
		return fmt.Errorf("first request: %w", err)
	}
	if cfg.warmup > 0 {
		phase(ctx, client, cfg, body, cfg.warmup, 0)
	}
	start := time.Now()
	results := phase(ctx, client, cfg, body, cfg.duration, cfg.maxRequests)
	elapsed := time.Since(start)
	report(out, cfg, results, elapsed)
	return nil
}

// phase runs the workers for d (or until max requests) and returns what each saw.
func phase(ctx context.Context, client *http.Client, cfg config, body []byte, d time.Duration, max int64) []result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var sent int64
	results := make([]result, cfg.concurrency)
	var wg sync.WaitGroup
	for w := range results {
		wg.Add(1)
		go func(r *result) {
			defer wg.Done()
			for ctx.Err() == nil {
				if max > 0 {
					mu.Lock()
					if sent >= max {
						mu.Unlock()
						return
					}
					sent++
					mu.Unlock()
				}
				t0 := time.Now()
				_, err := do(ctx, client, cfg, body)
				if ctx.Err() != nil && err != nil {
					return // cut off by the end of the phase: not counted
				}
				r.latencies = append(r.latencies, time.Since(t0))
				if err != nil {
					r.errors++
					if r.firstErr == "" {
						r.firstErr = err.Error()
					}
				}
			}
		}(&results[w])
	}
	wg.Wait()
	return results
}

// do sends the operation once; an error is a failed request, a non-200 status or a
// response with errors.
func do(ctx context.Context, client *http.Client, cfg config, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if cfg.token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return len(data), err
	}
	if resp.StatusCode != http.StatusOK {
		return len(data), fmt.Errorf("status %d: %.200s", resp.StatusCode, data)
	}
	// The usual answer needs no decoding: data only. Anything else is decoded to find errors,
	// so the client spends its CPU on sending requests, not on parsing answers.
	if bytes.HasPrefix(data, []byte(`{"data":`)) && !bytes.Contains(data, []byte(`"errors"`)) {
		return len(data), nil
	}
	var r struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return len(data), fmt.Errorf("response is not JSON: %.200s", data)
	}
	if len(r.Errors) > 0 {
		return len(data), fmt.Errorf("GraphQL errors: %.300s", data)
	}
	return len(data), nil
}

func report(out io.Writer, cfg config, results []result, elapsed time.Duration) {
	var all []time.Duration
	var errs int64
	firstErr := ""
	for _, r := range results {
		all = append(all, r.latencies...)
		errs += r.errors
		if firstErr == "" {
			firstErr = r.firstErr
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	n := len(all)
	fmt.Fprintf(out, "url          %s\n", cfg.url)
	fmt.Fprintf(out, "concurrency  %d\n", cfg.concurrency)
	fmt.Fprintf(out, "duration     %.2fs\n", elapsed.Seconds())
	fmt.Fprintf(out, "requests     %d\n", n)
	fmt.Fprintf(out, "errors       %d\n", errs)
	fmt.Fprintf(out, "req/s        %.1f\n", float64(n)/elapsed.Seconds())
	if n > 0 {
		fmt.Fprintf(out, "latency p50  %s\n", percentile(all, 0.50))
		fmt.Fprintf(out, "latency p95  %s\n", percentile(all, 0.95))
		fmt.Fprintf(out, "latency p99  %s\n", percentile(all, 0.99))
		fmt.Fprintf(out, "latency max  %s\n", all[n-1])
	}
	if firstErr != "" {
		fmt.Fprintf(out, "first error  %s\n", firstErr)
	}
}

// percentile of sorted latencies (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i].Round(time.Microsecond)
}
