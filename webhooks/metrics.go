package webhooks

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	outcomes *prometheus.CounterVec
	duration prometheus.Histogram
}

func newMetrics() *metrics {
	return &metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gqlbase_webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome (success, http_<status class>, error).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gqlbase_webhook_delivery_seconds",
			Help:    "Duration of webhook delivery attempts.",
			Buckets: prometheus.DefBuckets,
		}),
	}
}

func (m *metrics) observe(d *Delivery) {
	outcome := "error"
	switch {
	case d.Succeeded:
		outcome = "success"
	case d.Status != 0:
		outcome = "http_" + strconv.Itoa(d.Status/100) + "xx"
	}
	m.outcomes.WithLabelValues(outcome).Inc()
	m.duration.Observe(d.Duration.Seconds())
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.outcomes, m.duration}
}
