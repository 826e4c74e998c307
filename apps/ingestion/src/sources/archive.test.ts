import { cp, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixturePath, makeTempDir } from '@inception/testing';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError } from '../domain/errors.js';
import { tarArchive, tarEntry, zipArchive } from '../testing/archive-writers.js';
import { unpackArchive } from './archive.js';
import { scanLocalClassFolders } from './folder-root.js';

const LIMITS = { maxEntries: 1000, maxUnpackedBytes: 50 * 1024 * 1024 };
const UNICODE_NAMES = ['fleur [1] été.jpg', 'цветок (копия).jpg', '花 2.jpg'];

let temp: { dir: string; remove: () => Promise<void> };
let workDir: string;
let jpeg: Buffer;
let counter = 0;

async function writeArchive(bytes: Buffer, extension: string): Promise<string> {
  counter += 1;
  const file = path.join(temp.dir, `archive-${counter}${extension}`);
  await writeFile(file, bytes);
  return file;
}

async function rejection(file: string, limits = LIMITS): Promise<ImportError> {
  const error = await unpackArchive(file, path.basename(file), workDir, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ImportError)) {
    throw new Error(`expected an ImportError, got ${String(error)}`);
  }
  return error;
}

beforeAll(async () => {
  temp = await makeTempDir('inception-archive-test-');
  workDir = path.join(temp.dir, 'work');
  await mkdir(workDir);
  jpeg = await readFile(fixturePath('tensorflow/jpeg/small.jpg'));
});

afterAll(async () => {
  await temp?.remove();
});

describe('unpackArchive', () => {
  it('finds the single top folder of flower_photos.tgz', async () => {
    const source = path.join(temp.dir, 'flowers-source');
    for (const className of ['daisy', 'roses']) {
      await mkdir(path.join(source, 'flower_photos', className), { recursive: true });
      await cp(fixturePath('tensorflow/jpeg/small.jpg'), path.join(source, 'flower_photos', className, `${className}-1.jpg`));
    }
    await writeFile(path.join(source, 'flower_photos', 'LICENSE.txt'), 'All images are licensed under CC-BY.\n');
    const file = path.join(temp.dir, 'flower_photos.tgz');
    await createTar({ gzip: true, file, cwd: source, portable: true }, ['flower_photos']);

    const archive = await unpackArchive(file, 'flower_photos.tgz', workDir, LIMITS);
    const scan = await scanLocalClassFolders(archive.root);
    expect(archive.format).toBe('tar.gz');
    expect(path.basename(archive.root)).toBe('flower_photos');
    expect(scan.classNames).toEqual(['daisy', 'roses']);
    expect(scan.files.map((found) => found.relativePath)).toEqual(['daisy/daisy-1.jpg', 'roses/roses-1.jpg']);
    await archive.remove();
  });

  it('ignores a __MACOSX folder beside the top folder', async () => {
    const file = await writeArchive(
      zipArchive([
        { name: 'photos/daisy/a.jpg', body: jpeg },
        { name: 'photos/roses/b.jpg', body: jpeg },
        { name: '__MACOSX/photos/daisy/._a.jpg', body: Buffer.from('apple double') },
      ]),
      '.zip',
    );
    const archive = await unpackArchive(file, 'photos.zip', workDir, LIMITS);
    expect(path.basename(archive.root)).toBe('photos');
    await archive.remove();
  });

  it.each([
    ['tar', '.tar'],
    ['zip', '.zip'],
  ])('keeps Unicode, spaces and brackets in %s names', async (format, extension) => {
    const names = UNICODE_NAMES.map((name) => `photos/цветы [α]/${name}`);
    let file: string;
    if (format === 'tar') {
      const source = path.join(temp.dir, 'unicode-source');
      await mkdir(path.join(source, 'photos', 'цветы [α]'), { recursive: true });
      for (const name of UNICODE_NAMES) await writeFile(path.join(source, 'photos', 'цветы [α]', name), jpeg);
      file = path.join(temp.dir, `unicode${extension}`);
      await createTar({ file, cwd: source, portable: true }, ['photos']);
    } else {
      file = await writeArchive(zipArchive(names.map((name) => ({ name, body: jpeg }))), extension);
    }

    const archive = await unpackArchive(file, `unicode${extension}`, workDir, LIMITS);
    const listed = await readdir(path.join(archive.root, 'цветы [α]'));
    expect(listed.sort()).toEqual([...UNICODE_NAMES].sort());
    expect(await readFile(path.join(archive.root, 'цветы [α]', UNICODE_NAMES[0]))).toEqual(jpeg);
    await archive.remove();
  });

  it.each([
    ['a ".." entry', () => tarArchive([tarEntry({ path: 'daisy/../../evil.jpg', type: 'File', body: jpeg })]), 'daisy/../../evil.jpg'],
    ['an absolute entry', () => tarArchive([tarEntry({ path: '/tmp/evil.jpg', type: 'File', body: jpeg })]), '/tmp/evil.jpg'],
    ['a symbolic link outside', () => tarArchive([tarEntry({ path: 'daisy/link.jpg', type: 'SymbolicLink', linkpath: '../../../etc/passwd' })]), 'daisy/link.jpg'],
    ['an absolute symbolic link', () => tarArchive([tarEntry({ path: 'daisy/link.jpg', type: 'SymbolicLink', linkpath: '/etc/passwd' })]), 'daisy/link.jpg'],
    ['a hard link outside', () => tarArchive([tarEntry({ path: 'daisy/hard.jpg', type: 'Link', linkpath: '../outside.jpg' })]), 'daisy/hard.jpg'],
  ])('rejects a tar with %s', async (_case, build, entryName) => {
    const file = await writeArchive(build(), '.tar');
    const error = await rejection(file);
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toContain(`"${entryName}"`);
    expect(await readdir(workDir)).toEqual([]);
    expect(await readdir(temp.dir)).not.toContain('evil.jpg');
  });

  it.each([
    ['a ".." entry', () => zipArchive([{ name: '../evil.jpg', body: jpeg }]), '../evil.jpg'],
    ['an absolute entry', () => zipArchive([{ name: '/evil.jpg', body: jpeg }]), '/evil.jpg'],
    ['a symbolic link outside', () => zipArchive([{ name: 'daisy/link.jpg', symlinkTarget: '../../secret' }]), 'daisy/link.jpg'],
  ])('rejects a zip with %s', async (_case, build, entryName) => {
    const file = await writeArchive(build(), '.zip');
    const error = await rejection(file);
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toContain(`"${entryName}"`);
    expect(await readdir(workDir)).toEqual([]);
  });

  it('turns a link inside the archive into a copy', async () => {
    const file = await writeArchive(
      tarArchive([
        tarEntry({ path: 'daisy/a.jpg', type: 'File', body: jpeg }),
        tarEntry({ path: 'roses/same.jpg', type: 'SymbolicLink', linkpath: '../daisy/a.jpg' }),
        tarEntry({ path: 'roses/hard.jpg', type: 'Link', linkpath: 'daisy/a.jpg' }),
      ]),
      '.tar',
    );
    const archive = await unpackArchive(file, 'links.tar', workDir, LIMITS);
    for (const name of ['same.jpg', 'hard.jpg']) {
      const copy = path.join(archive.root, 'roses', name);
      expect((await lstat(copy)).isFile(), name).toBe(true);
      expect(await readFile(copy), name).toEqual(jpeg);
    }
    await archive.remove();
  });

  it.each([
    ['tar', () => tarArchive(['a', 'b', 'c', 'd'].map((name) => tarEntry({ path: `daisy/${name}.jpg`, type: 'File', body: jpeg })))],
    ['zip', () => zipArchive(['a', 'b', 'c', 'd'].map((name) => ({ name: `daisy/${name}.jpg`, body: jpeg })))],
  ])('rejects a %s past the entry limit', async (format, build) => {
    const file = await writeArchive(build(), `.${format}`);
    const error = await rejection(file, { ...LIMITS, maxEntries: 3 });
    expect(error.kind).toBe('resource-exhausted');
    expect(error.message).toContain('INGESTION_MAX_ARCHIVE_ENTRIES');
  });

  it.each([
    ['tar', () => tarArchive(['a', 'b', 'c'].map((name) => tarEntry({ path: `daisy/${name}.jpg`, type: 'File', body: jpeg })))],
    ['zip', () => zipArchive(['a', 'b', 'c'].map((name) => ({ name: `daisy/${name}.jpg`, body: jpeg })))],
  ])('rejects a %s past the unpacked size limit', async (format, build) => {
    const file = await writeArchive(build(), `.${format}`);
    const error = await rejection(file, { ...LIMITS, maxUnpackedBytes: 2 * jpeg.length + 1 });
    expect(error.kind).toBe('resource-exhausted');
    expect(error.message).toContain('"daisy/c.jpg"');
    expect(error.message).toContain('INGESTION_MAX_UNPACKED_BYTES');
  });

  it('rejects a file that is no archive', async () => {
    const error = await rejection(await writeArchive(jpeg, '.tgz'));
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toContain('neither a tar');
  });

  it('rejects a truncated gzip tar', async () => {
    const source = path.join(temp.dir, 'truncated-source');
    await mkdir(path.join(source, 'daisy'), { recursive: true });
    await cp(fixturePath('tensorflow/jpeg/grace_hopper.jpg'), path.join(source, 'daisy', 'grace.jpg'));
    const whole = path.join(temp.dir, 'whole.tgz');
    await createTar({ gzip: true, file: whole, cwd: source }, ['daisy']);
    const bytes = await readFile(whole);

    const error = await rejection(await writeArchive(bytes.subarray(0, Math.floor(bytes.length / 2)), '.tgz'));
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toContain('not a readable tar archive');
    expect(await readdir(workDir)).toEqual([]);
  });
});
