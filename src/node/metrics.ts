import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one node. Each node gets its own registry (not prom-client's global one) so
 * several nodes in one process (tests, the bench) do not collide.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'hindsight_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly submitted = new Counter({
    name: 'hindsight_events_submitted_total',
    help: 'POST /v1/events outcomes: accepted, duplicate, or the error code',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'hindsight_commit_batch_size',
    help: 'events grouped into one append transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  readonly head = new Gauge({ name: 'hindsight_log_head_seq', help: 'seq of the last event this node applied', registers: [this.registry] });
  readonly streamClients = new Gauge({ name: 'hindsight_stream_clients', help: 'open /v1/stream connections', registers: [this.registry] });
  readonly followerLag = new Gauge({ name: 'hindsight_follower_lag_events', help: 'follower: events behind the leader', registers: [this.registry] });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
