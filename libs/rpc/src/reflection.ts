import { toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ReflectionService } from '@grpc/reflection';

function collectFiles(file: DescFile, seen: Map<string, DescFile>): void {
  if (seen.has(file.name)) {
    return;
  }
  seen.set(file.name, file);
  for (const dependency of file.dependencies) {
    collectFiles(dependency, seen);
  }
}

/**
 * Builds the server reflection service for protobuf-es descriptors. @grpc/reflection reads
 * serialized FileDescriptorProtos from a proto-loader style package definition, so the
 * descriptors of each service's file and its imports are handed over in that shape.
 */
export function reflectionFor(services: DescService[]): ReflectionService {
  const files = new Map<string, DescFile>();
  for (const service of services) {
    collectFiles(service.file, files);
  }
  const fileDescriptorProtos = [...files.values()].map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)));
  const packageDefinition = Object.fromEntries(
    services.map((service) => [service.typeName, { fileDescriptorProtos, format: 'Protocol Buffer 3 DescriptorProto' }]),
  );
  return new ReflectionService(packageDefinition as never);
}
