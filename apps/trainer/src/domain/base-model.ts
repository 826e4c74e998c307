import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RegistryService, ModelVersion } from '@inception/proto';
import type { RpcClient } from '@inception/rpc';
import type { FileEntry, ObjectStore } from '@inception/storage';
import { CHECKPOINT_FILE_NAMES, decodeTensors, type TrainerCheckpointManifest as CheckpointManifest } from '@inception/checkpoint';

/** A registered model version's checkpoint, loaded for fine-tuning or evaluation. */
export interface BaseModel {
  reference: string;
  version: ModelVersion;
  /** Every stored tensor: variables, RMSProp slots and moving averages; the caller disposes them. */
  tensors: tf.NamedTensorMap;
}

/** Thrown when a base model reference or its files are unusable; the message names them. */
export class BaseModelError extends Error {
  override readonly name = 'BaseModelError';
}

/** Splits "<model>@<version>" into its parts, rejecting anything else. */
export function parseModelReference(reference: string): { model: string; version: number } {
  const match = /^([a-z0-9][a-z0-9_-]{0,62})@([1-9][0-9]*)$/.exec(reference);
  if (!match) throw new BaseModelError(`base model version "${reference}" is invalid: expected <model>@<version>, e.g. flowers@3`);
  return { model: match[1]!, version: Number(match[2]) };
}

export async function getModelVersion(registry: RpcClient<typeof RegistryService.method> | undefined, reference: string): Promise<ModelVersion> {
  if (!registry) throw new BaseModelError(`base model version "${reference}" needs the registry, but REGISTRY_ADDRESS is not set`);
  const { model, version } = parseModelReference(reference);
  const response = await registry.getVersion({ model, version });
  if (!response.version) throw new BaseModelError(`the registry returned no version for ${reference}`);
  return response.version;
}

function fileNamed(version: ModelVersion, name: string, reference: string): FileEntry {
  const file = version.files.find((entry) => path.posix.basename(entry.key) === name);
  if (!file) throw new BaseModelError(`${reference} has no ${name}; it was not made from a trainer checkpoint`);
  return { name, key: file.key, sizeBytes: Number(file.sizeBytes), sha256: file.sha256 };
}

/** Loads a version's tensors, checking every file against the SHA-256 the registry recorded. */
export async function loadBaseModel(store: ObjectStore, registry: RpcClient<typeof RegistryService.method> | undefined, reference: string): Promise<BaseModel> {
  const version = await getModelVersion(registry, reference);
  const manifestFile = fileNamed(version, CHECKPOINT_FILE_NAMES.manifest, reference);
  const tensorsFile = fileNamed(version, CHECKPOINT_FILE_NAMES.tensors, reference);
  const manifest = JSON.parse((await store.getVerified(manifestFile.key, manifestFile)).toString('utf8')) as CheckpointManifest;
  const bytes = await store.getVerified(tensorsFile.key, tensorsFile);
  return { reference, version, tensors: decodeTensors(bytes, manifest.tensors) };
}

const CLASSIFIER_PREFIXES = ['logits/logits/', 'aux_logits/FC/'];

/**
 * Picks the tensors a fine-tune restores, as research/inception does: every model variable
 * (not the optimizer slots or averages), except the two classifier layers when their shapes
 * differ because the class count changed. Any other shape difference is an error.
 */
export function selectFineTuneTensors(targets: ReadonlyArray<{ name: string; variable: tf.Variable }>, tensors: tf.NamedTensorMap, reference: string): { selected: tf.NamedTensorMap; skippedClassifier: string[] } {
  const selected: tf.NamedTensorMap = {};
  const skippedClassifier: string[] = [];
  for (const { name, variable } of targets) {
    const tensor = tensors[name];
    if (!tensor) throw new BaseModelError(`${reference} lacks variable ${name}`);
    const sameShape = tensor.shape.length === variable.shape.length && tensor.shape.every((size, index) => size === variable.shape[index]);
    if (sameShape) {
      selected[name] = tensor;
    } else if (CLASSIFIER_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      skippedClassifier.push(name);
    } else {
      throw new BaseModelError(`${reference}: variable ${name} has shape [${tensor.shape}] but the model needs [${variable.shape}]; use the base model's image size and depth settings`);
    }
  }
  return { selected, skippedClassifier };
}
