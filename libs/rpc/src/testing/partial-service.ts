import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { GrpcStatus, ServiceError } from '../errors.js';
import { implement, type ServiceHandlers, type ServiceRegistration } from '../handlers.js';

/**
 * Registers the given handlers of a service for a test; every other method fails with
 * UNIMPLEMENTED, so tests keep compiling when the service gains methods.
 */
export function implementSome<S extends GenServiceMethods>(service: GenService<S>, handlers: Partial<ServiceHandlers<S>>): ServiceRegistration {
  const all: Record<string, unknown> = {};
  for (const method of service.methods) {
    all[method.localName] =
      (handlers as Record<string, unknown>)[method.localName] ??
      (async () => {
        throw new ServiceError(GrpcStatus.UNIMPLEMENTED, `${method.name} is not implemented in this test`);
      });
  }
  return implement(service, all as ServiceHandlers<S>);
}
