import sharp from 'sharp';

import {
  CLASS_NAMES,
  DEBIAN_PACKAGE,
  JPEG_QUALITY,
  ORIGINAL_CLASS_NAMES,
  SPLITS,
  type BuildSummary,
} from './fashion-mnist-spec.js';

/** One paragraph of a machine-readable Debian copyright file: field name to unfolded lines. */
type CopyrightParagraph = Map<string, string[]>;

/**
 * Parses a Debian machine-readable copyright file (DEP-5). Continuation lines start with a space,
 * and a line holding only " ." is an empty line in the field's text.
 */
export function parseDebianCopyright(text: string): CopyrightParagraph[] {
  const paragraphs: CopyrightParagraph[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const paragraph: CopyrightParagraph = new Map();
    let field: string | undefined;
    for (const line of block.split('\n')) {
      if (/^\s/.test(line) && field !== undefined) {
        const content = line.slice(1).trimEnd();
        paragraph.get(field)!.push(content === '.' ? '' : content);
        continue;
      }
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match) {
        field = match[1];
        paragraph.set(field, match[2].trimEnd() === '' ? [] : [match[2].trimEnd()]);
      }
    }
    if (paragraph.size > 0) {
      paragraphs.push(paragraph);
    }
  }
  return paragraphs;
}

/**
 * Returns a LICENSE file for the files covered by `Files: *`: their copyright lines and the
 * full text of their licence. Throws when the copyright file lacks either.
 */
export function renderLicense(copyrightText: string): string {
  const paragraphs = parseDebianCopyright(copyrightText);
  const upstream = paragraphs.find((paragraph) => paragraph.get('Files')?.[0] === '*');
  const holders = upstream?.get('Copyright') ?? [];
  const [licenseName, ...inlineText] = upstream?.get('License') ?? [];
  if (holders.length === 0 || licenseName === undefined) {
    throw new Error('Debian copyright file has no "Files: *" paragraph with Copyright and License fields');
  }

  const standalone = paragraphs.find((paragraph) => !paragraph.has('Files') && paragraph.get('License')?.[0] === licenseName);
  const licenseText = inlineText.length > 0 ? inlineText : (standalone?.get('License')?.slice(1) ?? []);
  if (licenseText.length === 0) {
    throw new Error(`Debian copyright file has no text for licence "${licenseName}"`);
  }

  const title = licenseName === 'Expat' ? 'MIT License (Debian short name: Expat)' : licenseName;
  const copyrightLines = holders.map((holder) => `Copyright ${holder}`);
  return [title, '', ...copyrightLines, '', ...licenseText, ''].join('\n');
}

/** Returns PROVENANCE.md: where the samples come from, how they were chosen and how to rebuild them. */
export function renderProvenance(summary: BuildSummary, sourceDir: string): string {
  const fileRows = summary.sourceFiles.map((file) => `| \`${file.name}\` | \`${file.sha256}\` |`);
  const splitLines = SPLITS.map(
    (split) =>
      `- \`${split.name}/<class>/\`: the first ${split.imagesPerClass} images of each class, in file order, ` +
      `from \`${split.imagesFile}\` and \`${split.labelsFile}\` (${summary.imagesPerSplit[split.name]} images).`,
  );
  const classRows = CLASS_NAMES.map((name, label) => `| ${label} | ${ORIGINAL_CLASS_NAMES[label]} | \`${name}\` |`);

  return [
    '# Provenance of the Fashion-MNIST samples',
    '',
    `Source: Debian package \`${DEBIAN_PACKAGE}\` version \`${summary.packageVersion}\` ` +
      `(from \`dpkg-query -W ${DEBIAN_PACKAGE}\`), files in \`${sourceDir}\`. ` +
      (summary.upstreamSource ? `The package repackages ${summary.upstreamSource}. ` : '') +
      'Licence: MIT, see `LICENSE`.',
    '',
    '| source file | SHA-256 |',
    '|---|---|',
    ...fileRows,
    '',
    '## Selection',
    '',
    ...splitLines,
    '- File names are `<class>-<index>.jpg`, where `<index>` is the zero-based position of the image in its ' +
      'source IDX file, padded to five digits.',
    `- Images keep their 28×28 size and single grayscale channel and are encoded as JPEG quality ${JPEG_QUALITY} ` +
      `by sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}).`,
    '- `labels.txt` lists the folder names in label order: line k + 1 is Fashion-MNIST label k.',
    '',
    '| Fashion-MNIST label | class | folder |',
    '|---|---|---|',
    ...classRows,
    '',
    '## Rebuilding',
    '',
    `Run \`npx tsx tools/sample-data/build-samples.ts\` (or \`npm run samples\`) with \`${DEBIAN_PACKAGE}\` installed. ` +
      'It replaces this folder. With the same package and sharp versions the output is byte for byte identical.',
    '',
  ].join('\n');
}
