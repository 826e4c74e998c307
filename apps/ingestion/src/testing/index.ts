export { startIngestionHarness, type IngestionHarness } from './ingestion-harness.js';
export { buildMessyDataset, MESSY_MAX_FILE_BYTES, MESSY_MAX_IMAGE_PIXELS, type MessyDataset } from './messy-dataset.js';
export { copySampleClasses, SAMPLE_CLASSES } from './sample-classes.js';
export { tarArchive, tarEntry, zipArchive } from './archive-writers.js';
export { writePhotoSet, type PhotoSetOptions } from './photo-set.js';
