// Command gqlbase-subload measures subscriptions against a running gqlbase: it opens many
// rowEvents subscriptions on one table, optionally writes rows at a steady rate, and reports
// the server's memory per idle subscription and the delay from commit to receipt of events,
// with a count of lost and duplicated events per subscriber.
//
//	gqlbase-subload -url http://127.0.0.1:8080 -token $TOKEN -table 1 -subs 10000 -per-conn 100 -pid $(pgrep -n gqlbase)
//	gqlbase-subload -url http://127.0.0.1:8080 -token $TOKEN -table 1 -subs 1000 -per-conn 10 -rate 100 -duration 30s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	token := flag.String("token", os.Getenv("GQLBASE_TOKEN"), "bearer token (env GQLBASE_TOKEN)")
	table := flag.String("table", "", "table id to subscribe to and write into")
	subs := flag.Int("subs", 1000, "subscriptions to open")
	perConn := flag.Int("per-conn", 10, "subscriptions per WebSocket connection")
	rate := flag.Float64("rate", 0, "rows written per second (0: idle subscriptions only)")
	duration := flag.Duration("duration", 10*time.Second, "how long to write")
	pid := flag.Int("pid", 0, "server process id, to report its memory per subscription")
	column := flag.String("column", "name", "text column to write")
	flag.Parse()
	if *table == "" || *token == "" {
		fmt.Fprintln(os.Stderr, "gqlbase-subload: -table and -token are required")
		os.Exit(2)
	}
	if err := run(*base, *token, *table, *column, *subs, *perConn, *rate, *duration, *pid); err != nil {
		fmt.Fprintln(os.Stderr, "gqlbase-subload:", err)
		os.Exit(1)
	}
}

type subscriber struct {
	mu     sync.Mutex
	counts map[int64]int // row id → events received
	lat    []time.Duration
}

// lastField is field for the last occurrence of key (the operation id follows the payload).
func lastField(data []byte, key string) string {
	i := bytes.LastIndex(data, []byte(key))
	if i < 0 {
		return ""
	}
	return field(data[i:], key)
}

// field returns the JSON string value that follows key in data ("" when absent).
func field(data []byte, key string) string {
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return ""
	}
	rest := data[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

func run(base, token, table, column string, subs, perConn int, rate float64, duration time.Duration, pid int) error {
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/graphql"
	before := rss(pid)
	var received, ended atomic.Int64
	subscribers := make([]*subscriber, subs)
	conns := (subs + perConn - 1) / perConn
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	var opened atomic.Int64
	sem := make(chan struct{}, 50)
	for c := 0; c < conns; c++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(c int) {
			defer wg.Done()
			defer func() { <-sem }()
			d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 30 * time.Second}
			conn, resp, err := d.Dial(wsURL, nil)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			_ = conn.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
			var ack struct{ Type string }
			if err := conn.ReadJSON(&ack); err != nil || ack.Type != "connection_ack" {
				errs <- fmt.Errorf("connection_init: %v %s", err, ack.Type)
				return
			}
			first := c * perConn
			for i := first; i < first+perConn && i < subs; i++ {
				subscribers[i] = &subscriber{counts: map[int64]int{}}
				err := conn.WriteJSON(map[string]any{"type": "subscribe", "id": strconv.Itoa(i), "payload": map[string]any{
					"query":     `subscription($t: ID!) { rowEvents(table: $t, kinds: [CREATED]) { at row { id } } }`,
					"variables": map[string]any{"t": table}}})
				if err != nil {
					errs <- err
					return
				}
				opened.Add(1)
			}
			go func() {
				for {
					_, data, err := conn.ReadMessage()
					if err != nil {
						return
					}
					now := time.Now()
					typ := field(data, `"type":"`)
					if typ == "ping" {
						_ = conn.WriteJSON(map[string]string{"type": "pong"})
						continue
					}
					if typ == "error" || typ == "complete" {
						ended.Add(1)
						continue
					}
					if typ != "next" {
						continue
					}
					// Cheap field extraction keeps the client from being the bottleneck.
					idx, _ := strconv.Atoi(lastField(data, `"id":"`))
					at, _ := time.Parse(time.RFC3339Nano, field(data, `"at":"`))
					rowID, _ := strconv.ParseInt(field(data, `"row":{"id":"`), 10, 64)
					if idx < 0 || idx >= len(subscribers) || subscribers[idx] == nil {
						continue
					}
					s := subscribers[idx]
					s.mu.Lock()
					s.counts[rowID]++
					s.lat = append(s.lat, now.Sub(at))
					s.mu.Unlock()
					received.Add(1)
				}
			}()
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return fmt.Errorf("open subscriptions: %w", err)
	}
	fmt.Printf("opened %d subscriptions on %d connections\n", opened.Load(), conns)
	time.Sleep(5 * time.Second) // let the server register every subscription and settle
	if pid > 0 {
		runtime.GC()
		after := rss(pid)
		fmt.Printf("server RSS: %d KB before, %d KB with %d idle subscriptions: %.1f KB per subscription\n",
			before, after, subs, float64(after-before)/float64(subs))
	}
	if rate <= 0 {
		return nil
	}
	written := write(base, token, table, column, rate, duration)
	time.Sleep(3 * time.Second) // let the last events arrive
	lost, dup := 0, 0
	for _, s := range subscribers {
		s.mu.Lock()
		for _, id := range written {
			switch n := s.counts[id]; {
			case n == 0:
				lost++
			case n > 1:
				dup += n - 1
			}
		}
		s.mu.Unlock()
	}
	fmt.Printf("wrote %d rows at %.0f/s; %d events received, %d expected; lost %d, duplicated %d; %d subscriptions ended by the server\n",
		len(written), rate, received.Load(), len(written)*subs, lost, dup, ended.Load())
	var latencies []time.Duration
	for _, s := range subscribers {
		latencies = append(latencies, s.lat...)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	fmt.Printf("commit to receipt: p50 %v  p95 %v  p99 %v  max %v\n", pct(0.50), pct(0.95), pct(0.99), pct(1))
	return nil
}

// write inserts one row per tick and returns the ids written.
func write(base, token, table, column string, rate float64, duration time.Duration) []int64 {
	var ids []int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	end := time.Now().Add(duration)
	client := &http.Client{Timeout: 10 * time.Second}
	for n := 0; time.Now().Before(end); n++ {
		<-tick.C
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			body, _ := json.Marshal(map[string]any{
				"query":     `mutation($t: ID!, $v: JSONObject!) { insertRow(table: $t, values: $v) { id } }`,
				"variables": map[string]any{"t": table, "v": map[string]any{column: "row " + strconv.Itoa(n)}},
			})
			req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				fmt.Fprintln(os.Stderr, "write:", err)
				return
			}
			defer resp.Body.Close()
			var out struct {
				Data struct {
					InsertRow struct {
						ID string `json:"id"`
					} `json:"insertRow"`
				} `json:"data"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Data.InsertRow.ID == "" {
				fmt.Fprintln(os.Stderr, "write failed")
				return
			}
			id, _ := strconv.ParseInt(out.Data.InsertRow.ID, 10, 64)
			mu.Lock()
			ids = append(ids, id)
			mu.Unlock()
		}(n)
	}
	wg.Wait()
	return ids
}

// rss reads a process's resident set size in KB (0 when pid is 0 or unreadable).
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}
