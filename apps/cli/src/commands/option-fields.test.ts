import { GrpcStatus, ServiceError } from '@inception/rpc';
import { describe, expect, it } from 'vitest';
import { renameFieldsToOptions, withOptionNames, type OptionFields } from './option-fields.js';

const FIELDS: OptionFields = {
  '--image-size': ['config.image_size', 'image_size'],
  '--aux-logits': ['config.aux_logits'],
  '--batch-norm-decay': ['config.batch_norm_decay'],
  '--seed': ['split.seed'],
  '--dataset': ['split'],
};

describe('renameFieldsToOptions', () => {
  it.each([
    ['config.image_size 60 is below the minimum 75', '--image-size 60 is below the minimum 75'],
    ['config.aux_logits needs image_size ≥ 107, got 75', '--aux-logits needs --image-size ≥ 107, got 75'],
    ['config.batchNormDecay must be in (0, 1), got 1.5', '--batch-norm-decay must be in (0, 1), got 1.5'],
    ['split.seed must be a whole number', '--seed must be a whole number'],
    ['the split applies to splits, not to split.other', 'the --dataset applies to splits, not to split.other'],
    ['ends with config.image_size.', 'ends with --image-size.'],
    ['no field here', 'no field here'],
  ])('rewrites "%s"', (message, expected) => {
    expect(renameFieldsToOptions(message, FIELDS)).toBe(expected);
  });
});

describe('withOptionNames', () => {
  it('renames fields of INVALID_ARGUMENT', async () => {
    const action = withOptionNames(FIELDS, async () => {
      throw ServiceError.invalidArgument('config.image_size 60 is below the minimum 75');
    });

    const error = (await action().catch((caught: unknown) => caught)) as ServiceError;

    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toBe('--image-size 60 is below the minimum 75');
  });

  it('renames fields of FAILED_PRECONDITION', async () => {
    const action = withOptionNames({ '--force': ['force'] }, async () => {
      throw ServiceError.failedPrecondition('alias "production" of "flowers" is protected (at version 1); pass force to move it');
    });

    const error = (await action().catch((caught: unknown) => caught)) as ServiceError;

    expect(error.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(error.message).toBe('alias "production" of "flowers" is protected (at version 1); pass --force to move it');
  });

  it('keeps other errors as they are', async () => {
    const notFound = ServiceError.notFound('config.image_size of job "x" not found');
    const action = withOptionNames(FIELDS, async () => {
      throw notFound;
    });

    await expect(action()).rejects.toBe(notFound);
  });
});
