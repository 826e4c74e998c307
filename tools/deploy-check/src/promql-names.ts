/**
 * Metric names in PromQL expressions and in the Prometheus text exposition format, for checking
 * that dashboards and alerts query series the services export.
 *
 * The PromQL reader is a tokenizer, not a parser. It removes string literals, label matchers,
 * range selectors and grouping-label lists. Every identifier left that is neither a keyword nor
 * followed by "(" (a function or aggregation call) is a metric name. That covers the queries in
 * deploy/, but `@` modifiers and `{__name__=~"…"}` selectors would need a real parser.
 */

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/** Grafana variables such as `$__rate_interval`, `$training_job` or `${service}`. */
const GRAFANA_VARIABLE = /\$\{[^}]*\}|\$\w+/g;
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const LABEL_MATCHERS = /\{[^{}]*\}/g;
const RANGE_SELECTOR = /\[[^\]]*\]/g;
const LABEL_LIST = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const OFFSET = /\boffset\s+-?[0-9a-z]+/g;
const TOKEN = /(?<number>0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)|(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?/gi;

/** Returns the metric names an expression selects, in order of first use. */
export function metricNamesInPromql(expression: string): string[] {
  const stripped = expression
    .replace(GRAFANA_VARIABLE, '')
    .replace(STRING_LITERAL, '""')
    .replace(LABEL_MATCHERS, ' ')
    .replace(RANGE_SELECTOR, ' ')
    .replace(LABEL_LIST, ' ')
    .replace(OFFSET, ' ');

  const names = new Set<string>();
  for (const match of stripped.matchAll(TOKEN)) {
    const { name, call } = match.groups!;
    if (!name || call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/**
 * Returns the metric a Grafana variable query reads: the first argument of
 * `label_values(metric, label)`, `query_result(…)`'s expression names, or none for
 * `label_values(label)` and `label_names()`.
 */
export function metricNamesInVariableQuery(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*(?<selector>[^,]+),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/.exec(query);
  if (labelValues) return metricNamesInPromql(labelValues.groups!.selector);
  const queryResult = /^\s*query_result\((?<expression>.*)\)\s*$/s.exec(query);
  if (queryResult) return metricNamesInPromql(queryResult.groups!.expression);
  return [];
}

/**
 * Returns the series names a /metrics page can produce: each `# TYPE` family with the suffixes
 * its type adds (`_bucket`, `_sum` and `_count` for histograms, `_sum` and `_count` for
 * summaries), plus the name of every sample line.
 */
export function seriesNamesInExposition(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^#\s*TYPE\s+(?<name>\S+)\s+(?<kind>\S+)/.exec(line);
    if (type) {
      const { name, kind } = type.groups!;
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
      continue;
    }
    const sample = /^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)[{\s]/.exec(line);
    if (sample) names.add(sample.groups!.name);
  }
  return names;
}
