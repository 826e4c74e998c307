// Types of the parts of @roboflow/tfrecords 1.0.4 that the benchmark calls. The package names a
// declaration file that it does not ship.
declare module '@roboflow/tfrecords' {
  import type { Transform } from 'node:stream';

  export enum FeatureType {
    String = 0,
    Binary = 1,
    Int64 = 2,
    Float = 3,
  }

  export class TFRecordsBuilder {
    /** Frames each written record buffer as a TFRecord. */
    static transformStream(highWaterMark?: number): Transform;
    addFeature(key: string, type: FeatureType, value: string | number | Uint8Array): void;
    /** Serializes the added features as one Example. */
    build(): Buffer;
  }
}
