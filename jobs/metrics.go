package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
)

// metrics are the engine's series: queue depth read from river_job at scrape time (every
// process sees the whole queue), and this process's job latencies from River's events.
type metrics struct {
	db       *sql.DB
	depth    *prometheus.Desc
	wait     *prometheus.HistogramVec
	run      *prometheus.HistogramVec
	outcomes *prometheus.CounterVec
}

func newMetrics(db *sql.DB) *metrics {
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}
	return &metrics{
		db: db,
		depth: prometheus.NewDesc("gqlbase_jobs_queued", "Jobs not yet finished, by queue and state.",
			[]string{"queue", "state"}, nil),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gqlbase_job_wait_seconds", Help: "Time jobs waited, available, before they ran, by kind.",
			Buckets: buckets,
		}, []string{"kind"}),
		run: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gqlbase_job_run_seconds", Help: "Time jobs ran, by kind.", Buckets: buckets,
		}, []string{"kind"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gqlbase_jobs_worked_total", Help: "Jobs worked by this process, by kind and outcome.",
		}, []string{"kind", "outcome"}),
	}
}

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.depth
	m.wait.Describe(ch)
	m.run.Describe(ch)
	m.outcomes.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.wait.Collect(ch)
	m.run.Collect(ch)
	m.outcomes.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := m.db.QueryContext(ctx, `SELECT queue, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'pending')
		GROUP BY queue, state`)
	if err != nil {
		return // a scrape during a database outage shows the other series
	}
	defer rows.Close()
	for rows.Next() {
		var queue, state string
		var n float64
		if rows.Scan(&queue, &state, &n) == nil {
			ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, n, queue, state)
		}
	}
}

// follow records River's job events until ctx ends.
func (m *metrics) follow(ctx context.Context, events <-chan *river.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Job == nil {
				continue
			}
			m.outcomes.WithLabelValues(ev.Job.Kind, string(ev.Kind)).Inc()
			if ev.JobStats != nil {
				m.wait.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.QueueWaitDuration.Seconds())
				m.run.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.RunDuration.Seconds())
			}
		}
	}
}

// Collector returns the engine's metrics, for the /metrics registry.
func (e *Engine) Collector() prometheus.Collector { return e.metrics }
