import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { ShardingService, WriteShardRequestSchema, WriteShardResponseSchema, type WriteShardResponse } from '@inception/proto';
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, DEFAULT_MAX_SEND_MESSAGE_BYTES, GrpcStatus, methodPath, serviceErrorFromGrpc, type ServiceError } from '@inception/rpc';

const WRITE_SHARD_PATH = methodPath(ShardingService.method.writeShard);

export interface WriteShardCall {
  response: WriteShardResponse;
  /** Address of the replica that sent the response, e.g. "127.0.0.1:50052". */
  replica: string;
}

/** Failure of one WriteShard call, with the address of the replica it reached when that is known. */
export class WriteShardCallError extends Error {
  override readonly name = 'WriteShardCallError';

  constructor(
    readonly error: ServiceError,
    readonly replica: string | undefined,
  ) {
    super(replica ? `${replica}: ${error.message}` : error.message, { cause: error });
  }
}

interface ReplicaState {
  address: string;
  client?: grpc.Client;
  /** Calls sent straight to this replica that have not ended. */
  directCallsInFlight: number;
  /** False after a call to it could not connect, until a call to it succeeds. */
  reachable: boolean;
}

/**
 * Addresses that an `ipv4:` or `ipv6:` target lists, e.g. "ipv4:127.0.0.1:5001,127.0.0.1:5002";
 * empty for names that are resolved later, such as "dns:///sharding:50052". Addresses without a
 * port are left out, because they cannot be dialled on their own.
 */
export function listedAddresses(target: string): string[] {
  const match = /^(ipv4|ipv6):(.*)$/.exec(target);
  if (!match) return [];
  return match[2]!
    .split(',')
    .map((address) => address.trim())
    .filter((address) => (match[1] === 'ipv4' ? /^[^:]+:\d+$/.test(address) : /^\[.+\]:\d+$/.test(address)));
}

export interface WorkerChannelOptions {
  /** Channel credentials, e.g. TLS (default insecure). */
  credentials?: grpc.ChannelCredentials;
  /** Bearer token sent on every call as "authorization: Bearer <token>". */
  token?: string;
}

/**
 * WriteShard calls to the sharding replicas behind one gRPC target. A first attempt goes over a
 * round_robin channel across everything the target resolves to. A retry, which names the
 * replicas that failed the unit, goes straight to another replica: one listed by the target or
 * seen in earlier responses, that did not fail to connect last time and has the fewest direct
 * calls in flight. When there is no such replica, the retry goes over the round_robin channel.
 *
 * The channel's own retries are off: they would hide which replica failed an attempt, and the
 * unit's retry loop retries UNAVAILABLE and DEADLINE_EXCEEDED itself.
 */
export class WorkerChannel {
  private readonly roundRobin: grpc.Client;
  private readonly replicas = new Map<string, ReplicaState>();
  private readonly credentials: grpc.ChannelCredentials;
  private nextTieBreak = 0;

  constructor(
    readonly target: string,
    private readonly options: WorkerChannelOptions = {},
  ) {
    this.credentials = options.credentials ?? grpc.credentials.createInsecure();
    this.roundRobin = new grpc.Client(target, this.credentials, {
      ...WorkerChannel.channelOptions(),
      'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    });
    for (const address of listedAddresses(target)) this.replicaState(address);
  }

  /** Sends one WriteShard call that must end by `deadlineMs`, to a replica outside `avoidReplicas` when one is known. */
  async writeShard(request: MessageInitShape<typeof WriteShardRequestSchema>, options: { deadlineMs: number; avoidReplicas: ReadonlySet<string>; signal?: AbortSignal }): Promise<WriteShardCall> {
    const direct = options.avoidReplicas.size > 0 ? this.pickReplica(options.avoidReplicas) : undefined;
    if (direct) direct.directCallsInFlight += 1;
    try {
      const call = await this.call(direct ? this.directClient(direct) : this.roundRobin, direct?.address, request, options);
      this.replicaState(call.replica).reachable = true;
      return call;
    } catch (error) {
      if (error instanceof WriteShardCallError && error.replica && error.error.code === GrpcStatus.UNAVAILABLE) {
        this.replicaState(error.replica).reachable = false;
      }
      throw error;
    } finally {
      if (direct) direct.directCallsInFlight -= 1;
    }
  }

  close(): void {
    this.roundRobin.close();
    for (const replica of this.replicas.values()) replica.client?.close();
  }

  private static channelOptions(): grpc.ChannelOptions {
    return {
      'grpc.max_receive_message_length': DEFAULT_MAX_SEND_MESSAGE_BYTES,
      'grpc.max_send_message_length': DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
      'grpc.enable_retries': 0,
    };
  }

  private replicaState(address: string): ReplicaState {
    let state = this.replicas.get(address);
    if (!state) {
      state = { address, directCallsInFlight: 0, reachable: true };
      this.replicas.set(address, state);
    }
    return state;
  }

  private directClient(replica: ReplicaState): grpc.Client {
    replica.client ??= new grpc.Client(replica.address, this.credentials, WorkerChannel.channelOptions());
    return replica.client;
  }

  private pickReplica(avoid: ReadonlySet<string>): ReplicaState | undefined {
    const candidates = [...this.replicas.values()].filter((replica) => replica.reachable && !avoid.has(replica.address));
    if (candidates.length === 0) return undefined;
    const fewest = Math.min(...candidates.map((replica) => replica.directCallsInFlight));
    const least = candidates.filter((replica) => replica.directCallsInFlight === fewest);
    this.nextTieBreak = (this.nextTieBreak + 1) % least.length;
    return least[this.nextTieBreak];
  }

  private call(client: grpc.Client, directAddress: string | undefined, request: MessageInitShape<typeof WriteShardRequestSchema>, options: { deadlineMs: number; signal?: AbortSignal }): Promise<WriteShardCall> {
    return new Promise((resolve, reject) => {
      const serialize = (message: MessageInitShape<typeof WriteShardRequestSchema>) => Buffer.from(toBinary(WriteShardRequestSchema, create(WriteShardRequestSchema, message)));
      const deserialize = (bytes: Buffer) => fromBinary(WriteShardResponseSchema, bytes);
      const deadline = Number.isFinite(options.deadlineMs) ? new Date(options.deadlineMs) : Infinity;
      const metadata = new grpc.Metadata();
      if (this.options.token) metadata.set('authorization', `Bearer ${this.options.token}`);
      const call = client.makeUnaryRequest(WRITE_SHARD_PATH, serialize, deserialize, request, metadata, { deadline }, (error, response) => {
        options.signal?.removeEventListener('abort', cancel);
        const replica = directAddress ?? replicaOf(call.getPeer());
        if (error) reject(new WriteShardCallError(serviceErrorFromGrpc(error, WRITE_SHARD_PATH), replica));
        else resolve({ response: response!, replica: replica ?? 'unknown' });
      });
      const cancel = () => call.cancel();
      if (options.signal?.aborted) cancel();
      else options.signal?.addEventListener('abort', cancel, { once: true });
    });
  }
}

/**
 * Returns the replica address in a call's peer, "host:port" or "[v6 address]:port". When the
 * call never reached a replica, grpc-js returns "unknown" or the channel's target instead.
 */
function replicaOf(peer: string): string | undefined {
  return /^(\[[^\]]+\]|[^:/[\]]+):\d+$/.test(peer) ? peer : undefined;
}
