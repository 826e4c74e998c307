/**
 * The parts of TensorFlow's `checkpoint` file (a CheckpointState message in protobuf text format)
 * that locate checkpoints. Paths are as written: relative ones are relative to the file's folder.
 */
export interface CheckpointState {
  modelCheckpointPath: string;
  allModelCheckpointPaths: string[];
}

const FIELD_PATTERN = /^\s*(model_checkpoint_path|all_model_checkpoint_paths)\s*:\s*"((?:[^"\\]|\\.)*)"\s*$/;

/**
 * Parses the text of a `checkpoint` file, such as `model_checkpoint_path: "model.ckpt-46900"`.
 * Returns undefined when the text has no `model_checkpoint_path` line, so the caller can tell the
 * file apart from a checkpoint proper. Other fields, such as timestamps, are ignored.
 */
export function parseCheckpointState(text: string): CheckpointState | undefined {
  let modelCheckpointPath: string | undefined;
  const allModelCheckpointPaths: string[] = [];
  for (const line of text.split('\n')) {
    const match = FIELD_PATTERN.exec(line);
    if (match === null) continue;
    const value = unescapeTextString(match[2]);
    if (match[1] === 'model_checkpoint_path') modelCheckpointPath = value;
    else allModelCheckpointPaths.push(value);
  }
  return modelCheckpointPath === undefined ? undefined : { modelCheckpointPath, allModelCheckpointPaths };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', "'": "'", '\\': '\\' };

/** Undoes the C-style escapes of protobuf text format strings: `\"`, `\\`, `\n`, octal `\123` and hex `\x41`. */
function unescapeTextString(escaped: string): string {
  return escaped.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, code: string) => {
    if (code[0] === 'x') return String.fromCharCode(parseInt(code.slice(1), 16));
    if (/^[0-7]/.test(code)) return String.fromCharCode(parseInt(code, 8));
    return SIMPLE_ESCAPES[code] ?? code;
  });
}
