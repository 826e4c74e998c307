/** Python's str(datetime.now()): "YYYY-MM-DD HH:MM:SS.ffffff", the prefix of the original's log lines. */
export function pythonTimestamp(date: Date = new Date()): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const base = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  const microseconds = date.getMilliseconds() * 1000;
  return microseconds === 0 ? base : `${base}.${pad(microseconds, 6)}`;
}

/** The step line of inception_train.py: `<ts>: step N, loss = L (E examples/sec; S sec/batch)`. */
export function formatStepLine(step: number, loss: number, examplesPerSecond: number, secondsPerBatch: number): string {
  return `${pythonTimestamp()}: step ${step}, loss = ${loss.toFixed(2)} (${examplesPerSecond.toFixed(1)} examples/sec; ${secondsPerBatch.toFixed(3)} sec/batch)`;
}

/** The final line of inception_eval.py: `<ts>: precision @ 1 = P recall @ 5 = R [N examples]`. */
export function formatEvalLine(precisionAt1: number, recallAt5: number, examples: number): string {
  return `${pythonTimestamp()}: precision @ 1 = ${precisionAt1.toFixed(4)} recall @ 5 = ${recallAt5.toFixed(4)} [${examples} examples]`;
}
