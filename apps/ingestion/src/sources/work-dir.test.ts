import { spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkDir, removeStaleWorkDirs } from './work-dir.js';

let temp: { dir: string; remove: () => Promise<void> };
let exitedPid: number;

beforeAll(async () => {
  temp = await makeTempDir('inception-work-dir-test-');
  const child = spawn(process.execPath, ['-e', '']);
  exitedPid = child.pid!;
  await new Promise((resolve) => child.once('exit', resolve));
});

afterAll(async () => {
  await temp?.remove();
});

describe('removeStaleWorkDirs', () => {
  it('removes folders of exited processes', async () => {
    await mkdir(path.join(temp.dir, `inception-ingestion-${exitedPid}-unpack-abc123`));
    const removed = await removeStaleWorkDirs(temp.dir);
    expect(removed).toEqual([`inception-ingestion-${exitedPid}-unpack-abc123`]);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('keeps folders of running processes', async () => {
    const own = await makeWorkDir(temp.dir, 'upload');
    const parent = path.join(temp.dir, `inception-ingestion-${process.ppid}-download-xyz`);
    await mkdir(parent);
    await mkdir(path.join(temp.dir, 'unrelated-folder'));
    expect(await removeStaleWorkDirs(temp.dir)).toEqual([]);
    expect((await readdir(temp.dir)).sort()).toEqual([path.basename(own), path.basename(parent), 'unrelated-folder'].sort());
  });
});
