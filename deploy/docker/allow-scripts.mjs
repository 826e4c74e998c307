// Records install-script decisions in the allowScripts field of ./package.json, for image builds.
//
// npm 11 consults package.json#allowScripts before it runs a dependency's install script: an
// entry set to true runs it, false skips it, and an unlisted package is reported (npm 11.19.1
// still runs it, with a warning). The images need the decision fixed either way, because
// @tensorflow/tfjs-node-gpu's install script is what downloads libtensorflow, and the CPU-only
// images must not download it. Entries given here replace existing ones for the same key.
//
// Usage: node allow-scripts.mjs <package>@<version>=<true|false> ...
import { readFileSync, writeFileSync } from 'node:fs';

const manifestPath = 'package.json';
const decisions = {};
for (const argument of process.argv.slice(2)) {
  const match = /^(@?[^@=\s]+@[0-9][^=\s]*)=(true|false)$/.exec(argument);
  if (!match) {
    console.error(`allow-scripts: invalid argument "${argument}"; expected <package>@<version>=<true|false>, e.g. @tensorflow/tfjs-node-gpu@4.22.0=true`);
    process.exit(2);
  }
  decisions[match[1]] = match[2] === 'true';
}
if (Object.keys(decisions).length === 0) {
  console.error('allow-scripts: no decisions given; pass at least one <package>@<version>=<true|false>');
  process.exit(2);
}

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
manifest.allowScripts = { ...manifest.allowScripts, ...decisions };
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`allow-scripts: ${Object.entries(decisions).map(([key, allowed]) => `${key} ${allowed ? 'allowed' : 'denied'}`).join(', ')}`);
