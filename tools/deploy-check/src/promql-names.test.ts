import { describe, expect, it } from 'vitest';
import { metricNamesInPromql, metricNamesInVariableQuery, seriesNamesInExposition } from './promql-names.js';

describe('metricNamesInPromql', () => {
  it.each([
    ['a bare selector', 'up', ['up']],
    ['label matchers with operators', 'up{job=~"a|b", instance!="x:1"} == 0', ['up']],
    ['a function over a range', 'rate(grpc_server_handled_total{grpc_code!="OK"}[5m])', ['grpc_server_handled_total']],
    ['grouping before the argument', 'sum by (le, job) (rate(x_bucket[$__rate_interval]))', ['x_bucket']],
    ['grouping after the argument', 'sum(rate(x_total[5m])) by (job)', ['x_total']],
    ['vector matching modifiers', 'a and on () b / ignoring (part) group_left (job) c', ['a', 'b', 'c']],
    ['numbers with exponents', 'histogram_quantile(0.95, y_bucket) > 1e3', ['y_bucket']],
    ['infinite and NaN literals', 'abs(loss) == +Inf or loss != NaN', ['loss']],
    ['offset durations', 'rate(steps_total[5m] offset 1h)', ['steps_total']],
    ['Grafana variables', 'loss{training_job=~"$training_job"} and ${other}', ['loss']],
    ['label values that look like names', 'up{job="trainer"}', ['up']],
    ['absent with a selector', 'absent(up{job="trainer"})', ['up']],
    ['a repeated name once', 'a / a', ['a']],
  ])('reads %s', (_case, expression, expected) => {
    expect(metricNamesInPromql(expression)).toEqual(expected);
  });
});

describe('metricNamesInVariableQuery', () => {
  it('reads the metric of label_values with two arguments', () => {
    expect(metricNamesInVariableQuery('label_values(inception_trainer_loss, training_job)')).toEqual(['inception_trainer_loss']);
  });

  it('reads a selector with matchers in label_values', () => {
    expect(metricNamesInVariableQuery('label_values(up{job="sharding"}, instance)')).toEqual(['up']);
  });

  it('reads no metric from label_values of a label alone', () => {
    expect(metricNamesInVariableQuery('label_values(job)')).toEqual([]);
  });

  it('reads the expression of query_result', () => {
    expect(metricNamesInVariableQuery('query_result(topk(5, rate(a_total[1h])))')).toEqual(['a_total']);
  });
});

describe('seriesNamesInExposition', () => {
  const text = [
    '# HELP steps_total Steps.',
    '# TYPE steps_total counter',
    'steps_total 3',
    '# HELP step_seconds Step time.',
    '# TYPE step_seconds histogram',
    '# HELP lag_seconds Lag.',
    '# TYPE lag_seconds summary',
    'lag_seconds{quantile="0.5"} 0.01',
    'untyped_sample{a="b"} 1',
  ].join('\n');
  const names = seriesNamesInExposition(text);

  it.each(['steps_total', 'step_seconds_bucket', 'step_seconds_sum', 'step_seconds_count', 'lag_seconds', 'lag_seconds_sum', 'lag_seconds_count', 'untyped_sample'])('lists %s', (name) => {
    expect(names.has(name)).toBe(true);
  });

  it('adds no histogram suffixes to counters', () => {
    expect(names.has('steps_total_bucket')).toBe(false);
  });
});
