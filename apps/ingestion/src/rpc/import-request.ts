import { isS3Uri } from '@inception/storage';
import type { ImportDatasetRequest } from '@inception/proto';
import { requireName } from '@inception/rpc';
import { ImportError } from '../domain/errors.js';
import { openSource, type SourceContext } from '../sources/open-source.js';
import { splitPolicyFrom } from './convert.js';
import { labelSourceFrom, validateImportId, type ImportSpec, type OpenedRoots } from './import-runner.js';

function sourceKindOf(location: string): string {
  return isS3Uri(location) ? 's3' : /\.(tgz|tar\.gz|tar|zip)$/i.test(location) ? 'archive' : 'folder';
}

/**
 * Validates an ImportDatasetRequest and describes its import: either `source` with
 * `settings.split`, or `train_source` and `validation_source` without a split. Throws
 * INVALID_ARGUMENT naming the field.
 */
export function importSpecFrom(request: ImportDatasetRequest): { spec: ImportSpec; importId: string } {
  const name = requireName(request.name, 'name');
  const settings = request.settings;
  const importId = validateImportId(settings?.importId ?? '', 'settings.import_id');
  const labels = labelSourceFrom(request.labels, settings?.labelsFile ?? '', 'request');

  if (request.source !== '') {
    if (request.trainSource !== '' || request.validationSource !== '') {
      throw new ImportError('invalid-argument', 'set either source, or train_source and validation_source, not both');
    }
    if (!settings?.split) {
      throw new ImportError('invalid-argument', `settings.split is required with source "${request.source}": give validation_images_per_class or validation_fraction`);
    }
    const split = splitPolicyFrom(settings.split, 'settings.split');
    const location = request.source;
    const open = async (context: SourceContext): Promise<OpenedRoots> => {
      const opened = await openSource(location, 'source', context);
      return { roots: { kind: 'single-root', root: opened.root, split }, source: location, close: opened.close };
    };
    return { spec: { name, labels, sourceKind: sourceKindOf(location), open }, importId };
  }

  if (request.trainSource === '') {
    throw new ImportError('invalid-argument', 'missing required field source, or train_source and validation_source');
  }
  if (request.validationSource === '') {
    throw new ImportError('invalid-argument', `missing required field validation_source (train_source is "${request.trainSource}"); to split one root, send it as source with settings.split`);
  }
  if (settings?.split) {
    throw new ImportError('invalid-argument', 'settings.split applies to source only; train_source and validation_source are already split');
  }
  const { trainSource, validationSource } = request;
  const open = async (context: SourceContext): Promise<OpenedRoots> => {
    const train = await openSource(trainSource, 'train_source', context);
    try {
      const validation = await openSource(validationSource, 'validation_source', context);
      return {
        roots: { kind: 'split-roots', train: train.root, validation: validation.root },
        source: `${trainSource} + ${validationSource}`,
        close: async () => {
          await train.close();
          await validation.close();
        },
      };
    } catch (error) {
      await train.close();
      throw error;
    }
  };
  return { spec: { name, labels, sourceKind: sourceKindOf(trainSource), open }, importId };
}
