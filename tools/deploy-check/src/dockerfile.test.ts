import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOY_DIR, REPO_ROOT } from './deploy-queries.js';

interface Stage {
  name: string;
  base: string;
  /** Instructions with continuation lines joined, comments dropped. */
  instructions: string[];
}

/** Splits a Dockerfile into its build stages; ARG lines before the first FROM become `globals`. */
function parseDockerfile(text: string): { globals: Map<string, string>; stages: Stage[] } {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const globals = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction);
    if (from) {
      stages.push({ name: from[2] ?? '', base: from[1], instructions: [] });
    } else if (stages.length === 0) {
      const arg = /^ARG\s+(\w+)=(\S+)/.exec(instruction);
      if (arg) globals.set(arg[1], arg[2]);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globals, stages };
}

const dockerfile = parseDockerfile(readFileSync(path.join(DEPLOY_DIR, 'docker/Dockerfile'), 'utf8'));
const stages = new Map(dockerfile.stages.map((stage) => [stage.name, stage]));

/** Returns the instructions of a stage and of every stage it is built FROM, base first. */
function lineage(name: string): string[] {
  const stage = stages.get(name);
  if (!stage) return [];
  return [...lineage(stage.base), ...stage.instructions];
}

const SERVICE_TARGETS = ['ingestion', 'sharding', 'model-registry', 'trainer'];

describe('Dockerfile', () => {
  it.each(SERVICE_TARGETS)('has a %s target', (target) => {
    expect(stages.has(target)).toBe(true);
  });

  it.each(SERVICE_TARGETS)('runs %s as a non-root user', (target) => {
    const users = lineage(target).filter((instruction) => instruction.startsWith('USER '));
    expect(users.at(-1)).toBe('USER 10001:10001');
  });

  it.each(SERVICE_TARGETS)('listens on every interface in %s', (target) => {
    const env = lineage(target).filter((instruction) => instruction.startsWith('ENV ')).join(' ');
    expect(env).toContain('GRPC_HOST=0.0.0.0');
    expect(env).toContain('METRICS_HOST=0.0.0.0');
  });

  it.each(SERVICE_TARGETS)('starts %s through tsx', (target) => {
    const command = lineage(target).filter((instruction) => instruction.startsWith('CMD ')).at(-1);
    const entry = target === 'model-registry' ? 'apps/model-registry/src/main.ts' : `apps/${target}/src/main.ts`;
    expect(command).toBe(`CMD ["node", "--import", "tsx", "${entry}"]`);
    expect(existsSync(path.join(REPO_ROOT, entry))).toBe(true);
  });

  it.each(['service-deps', 'trainer-deps'])('installs production dependencies only in %s', (name) => {
    expect(stages.get(name)!.instructions.join('\n')).toContain('npm ci --omit=dev');
  });

  it.each([
    ['service', 'service-deps'],
    ['trainer', 'trainer-deps'],
  ])('copies node_modules into %s from %s', (name, source) => {
    expect(stages.get(name)!.instructions).toContain(`COPY --from=${source} /app/node_modules ./node_modules`);
  });

  it('builds the trainer on the CUDA 11.2 and cuDNN 8 runtime', () => {
    expect(stages.get('cuda-node')!.base).toBe('${CUDA_IMAGE}');
    expect(dockerfile.globals.get('CUDA_IMAGE')).toBe('nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
    expect(stages.get('trainer')!.base).toBe('cuda-node');
  });

  it('checks for cuDNN 8.1 in the CUDA stage', () => {
    expect(stages.get('cuda-node')!.instructions.join('\n')).toContain('8.1.*)');
  });

  it('allows the tfjs-node-gpu install script in the trainer', () => {
    expect(stages.get('trainer-deps')!.instructions.join('\n')).toContain('@tensorflow/tfjs-node-gpu@4.22.0=true');
  });

  it('denies the libtensorflow downloads in the CPU images', () => {
    const install = stages.get('service-deps')!.instructions.join('\n');
    expect(install).toContain('@tensorflow/tfjs-node-gpu@4.22.0=false');
    expect(install).toContain('@tensorflow/tfjs-node@4.22.0=false');
  });

  it('pins the tfjs-node-gpu version of the lockfile', () => {
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/@tensorflow/tfjs-node-gpu']?.version).toBe('4.22.0');
  });

  it('keeps tsx, which runs the services, in the production dependencies', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(manifest.dependencies?.tsx).toBeDefined();
  });

  it('keeps the CUDA kernel cache on a volume', () => {
    const trainer = stages.get('trainer')!.instructions.join('\n');
    expect(trainer).toContain('CUDA_CACHE_PATH=/var/cache/cuda');
    expect(trainer).toContain('CUDA_CACHE_MAXSIZE=4294967296');
    expect(trainer).toContain('VOLUME ["/var/cache/cuda"]');
  });

  it('copies only paths that exist', () => {
    const sources = dockerfile.stages
      .flatMap((stage) => stage.instructions)
      .filter((instruction) => instruction.startsWith('COPY ') && !instruction.includes('--from='))
      .flatMap((instruction) => instruction.split(/\s+/).slice(1, -1))
      .filter((source) => source !== '.');
    expect(sources.filter((source) => !existsSync(path.join(REPO_ROOT, source)))).toEqual([]);
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');

  it.each(['**/node_modules', '.git', '**/*.test.ts', 'deploy/compose/.env'])('excludes %s', (pattern) => {
    expect(ignored).toContain(pattern);
  });
});

describe('allow-scripts.mjs', () => {
  function run(manifest: object, args: string[]): { status: number; manifest: { allowScripts?: Record<string, boolean> } } {
    const directory = mkdtempSync(path.join(tmpdir(), 'inception-allow-scripts-'));
    try {
      writeFileSync(path.join(directory, 'package.json'), JSON.stringify(manifest));
      let status = 0;
      try {
        execFileSync(process.execPath, [path.join(DEPLOY_DIR, 'docker/allow-scripts.mjs'), ...args], { cwd: directory, stdio: 'pipe' });
      } catch (error) {
        status = (error as { status: number }).status;
      }
      return { status, manifest: JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) };
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }

  it('merges decisions into existing entries', () => {
    const result = run({ name: 'x', allowScripts: { esbuild: true } }, ['@tensorflow/tfjs-node-gpu@4.22.0=true', '@tensorflow/tfjs-node@4.22.0=false']);
    expect(result.status).toBe(0);
    expect(result.manifest.allowScripts).toEqual({ esbuild: true, '@tensorflow/tfjs-node-gpu@4.22.0': true, '@tensorflow/tfjs-node@4.22.0': false });
  });

  it('rejects an entry without a version', () => {
    const result = run({ name: 'x' }, ['@tensorflow/tfjs-node-gpu=true']);
    expect(result.status).toBe(2);
    expect(result.manifest.allowScripts).toBeUndefined();
  });
});
