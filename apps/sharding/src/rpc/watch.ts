import type { MessageInitShape } from '@bufbuild/protobuf';
import type { WatchShardingResponseSchema } from '@inception/proto';
import type { ShardSetProgress } from '../domain/progress.js';
import { progressMessage, shardMessage } from './convert.js';

type WatchResponse = MessageInitShape<typeof WatchShardingResponseSchema>;

/**
 * Sends the set's progress now and after every change until the set ends or `signal` aborts.
 * Changes that happen while a message is being sent are folded into the next message, so a
 * slow client gets fewer messages, each with every shard published since its last one.
 */
export async function streamProgress(progress: ShardSetProgress, send: (response: WatchResponse) => Promise<void>, signal: AbortSignal): Promise<void> {
  let changed = true;
  let wake: (() => void) | undefined;
  const unsubscribe = progress.subscribe(() => {
    changed = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });

  let shardsSent = 0;
  try {
    while (!signal.aborted) {
      if (!changed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      changed = false;
      const snapshot = progress.snapshot();
      const finishedShards = progress.finishedShards.slice(shardsSent);
      shardsSent += finishedShards.length;
      await send({ progress: progressMessage(snapshot), finishedShards: finishedShards.map(shardMessage) });
      if (snapshot.state !== 'running') return;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}
