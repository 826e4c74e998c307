import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Sharding's metrics. The replica that coordinates a ShardDataset call counts unit outcomes and
 * sets. The replica that writes a shard counts shards, records, bytes, durations and units in flight.
 */
export function shardingMetrics(registry: Registry) {
  return {
    units: new Counter({
      name: 'inception_sharding_units_total',
      help: 'WriteShard unit attempts of the shard sets this replica coordinates, by outcome: started (first attempt), retried (later attempt), failed (attempt failed or timed out), finished (unit written).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    setsRunning: new Gauge({ name: 'inception_sharding_sets_running', help: 'Shard sets this replica is coordinating.', registers: [registry] }),
    temporaryObjectsRemoved: new Counter({
      name: 'inception_sharding_temporary_objects_removed_total',
      help: 'Temporary shard objects deleted by the clean-up of a shard set, left by attempts whose process died mid-unit.',
      registers: [registry],
    }),
    shardsWritten: new Counter({ name: 'inception_sharding_shards_written_total', help: 'Shards written, verified and published by this replica.', registers: [registry] }),
    writeFailures: new Counter({ name: 'inception_sharding_shard_write_failures_total', help: 'Shard writes that failed on this replica.', registers: [registry] }),
    records: new Counter({ name: 'inception_sharding_records_written_total', help: 'Records (images) written into shards by this replica.', registers: [registry] }),
    bytes: new Counter({ name: 'inception_sharding_bytes_written_total', help: 'Shard bytes written by this replica.', registers: [registry] }),
    unitSeconds: new Histogram({
      name: 'inception_sharding_unit_duration_seconds',
      help: 'Time to write, verify and publish one shard on this replica, failed attempts included.',
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1200],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'inception_sharding_units_in_flight', help: 'WriteShard units being written by this replica.', registers: [registry] }),
  };
}

export type ShardingMetrics = ReturnType<typeof shardingMetrics>;
