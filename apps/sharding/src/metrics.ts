import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Sharding's metrics: units by outcome, records and bytes written, unit duration, units in flight. */
export function shardingMetrics(registry: Registry) {
  return {
    units: new Counter({
      name: 'inception_sharding_units_total',
      help: 'WriteShard units planned by ShardDataset, by outcome (started, finished, failed, retried).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    records: new Counter({ name: 'inception_sharding_records_written_total', help: 'Records written into shards by this replica.', registers: [registry] }),
    bytes: new Counter({ name: 'inception_sharding_bytes_written_total', help: 'Shard bytes written by this replica.', registers: [registry] }),
    unitSeconds: new Histogram({
      name: 'inception_sharding_unit_duration_seconds',
      help: 'Time to write one shard on this replica.',
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1200],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'inception_sharding_units_in_flight', help: 'WriteShard units being written by this replica.', registers: [registry] }),
  };
}

export type ShardingMetrics = ReturnType<typeof shardingMetrics>;
