// Ending a server stream with an error status. grpc-js sends a stream's status from its
// 'finish' path; destroy(err) skips that path, so the client would wait for its deadline
// instead of seeing the status. Emitting 'error' makes grpc-js record the status and end the
// stream properly.
import type { ServerDuplexStream, ServerErrorResponse } from '@grpc/grpc-js';

export function endStreamWithError(stream: ServerDuplexStream<unknown, unknown>, err: ServerErrorResponse): void {
  if (stream.destroyed || stream.writableEnded) {
    stream.destroy();
    return;
  }
  stream.emit('error', err);
}
