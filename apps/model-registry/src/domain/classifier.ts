import { fromJson } from '@bufbuild/protobuf';
import * as tf from '@tensorflow/tfjs';
import { preprocessForEval } from '@inception/imaging';
import { loadVersionState } from '@inception/checkpoint';
import type { TrainingState } from '@inception/inception';
import { LineageSchema } from '@inception/proto';
import { StorageError, type ObjectStore } from '@inception/storage';
import type { VersionManifest } from '../storage/model-repository.js';

export interface ClassPrediction {
  label: number;
  className: string;
  probability: number;
}

interface LoadedVersion {
  state: TrainingState;
  labels: string[];
}

/** Thrown when a version cannot serve predictions; the message names the version and the reason. */
export class ClassifierError extends Error {
  override readonly name = 'ClassifierError';
}

/**
 * Serves predictions from registered versions, keeping the most recently used few in memory.
 * Weights are the moving averages, as research/inception evaluates them.
 */
export class Classifier {
  private readonly loaded = new Map<string, Promise<LoadedVersion>>();

  constructor(
    private readonly store: ObjectStore,
    /** Versions kept loaded at once (default 2). */
    private readonly cachedVersions = 2,
  ) {}

  private async load(manifest: VersionManifest): Promise<LoadedVersion> {
    const lineage = fromJson(LineageSchema, manifest.lineage as never, { ignoreUnknownFields: true });
    try {
      const state = await loadVersionState(this.store, {
        reference: `${manifest.model}@${manifest.version}`,
        files: manifest.files,
        numClasses: lineage.numClasses,
        labels: lineage.labels,
        hyperParameters: lineage.hyperParameters,
      });
      state.movingAverage.assignShadowsToVariables();
      return { state, labels: lineage.labels };
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new ClassifierError(`${manifest.model}@${manifest.version}: ${(error as Error).message}`);
    }
  }

  private version(manifest: VersionManifest): Promise<LoadedVersion> {
    const key = `${manifest.model}@${manifest.version}`;
    let entry = this.loaded.get(key);
    if (entry) {
      this.loaded.delete(key);
    } else {
      entry = this.load(manifest);
      entry.catch(() => this.loaded.delete(key));
    }
    this.loaded.set(key, entry);
    while (this.loaded.size > this.cachedVersions) {
      const [oldestKey, oldest] = this.loaded.entries().next().value as [string, Promise<LoadedVersion>];
      this.loaded.delete(oldestKey);
      void oldest.then((version) => version.state.dispose(), () => undefined);
    }
    return entry;
  }

  /** Returns the `count` most probable classes of one normalised JPEG. */
  async classify(manifest: VersionManifest, jpegBytes: Uint8Array, count = 5): Promise<ClassPrediction[]> {
    const { state, labels } = await this.version(manifest);
    const pixels = await preprocessForEval(jpegBytes, state.config.imageSize);
    const probabilities = tf.tidy(() => {
      const input = tf.tensor4d(pixels, [1, state.config.imageSize, state.config.imageSize, 3]);
      const outputs = state.model.predict(input);
      const logits = Array.isArray(outputs) ? outputs[0]! : outputs;
      return tf.softmax(logits as tf.Tensor2D);
    });
    const values = Array.from(await probabilities.data());
    probabilities.dispose();
    return values
      .map((probability, label) => ({ label, className: label === 0 ? '(background)' : (labels[label - 1] ?? `class ${label}`), probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, count);
  }

  dispose(): void {
    for (const entry of this.loaded.values()) void entry.then((version) => version.state.dispose(), () => undefined);
    this.loaded.clear();
  }
}
