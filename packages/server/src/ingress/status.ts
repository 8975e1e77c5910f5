// Turning failures into gRPC statuses. A caller's mistake (ApiError) keeps its code and message;
// anything else is a bug: logged with its stack, answered INTERNAL without internals.
import { Metadata, status, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall } from '@grpc/grpc-js';
import { ApiError, Code } from '../processor/api-error.ts';
import type { Logger } from '../logging.ts';
import { trailersFor } from './retry-later.ts';

// The message travels as the grpc-message trailer. Messages quote request values, and a trailer of
// hundreds of kilobytes breaks the client's whole HTTP/2 connection (header-list limits), so
// they are cut to a size any client accepts.
const MAX_STATUS_MESSAGE_CHARS = 2_000;

function boundedMessage(message: string): string {
  return message.length <= MAX_STATUS_MESSAGE_CHARS ? message : `${message.slice(0, MAX_STATUS_MESSAGE_CHARS)}… (message cut)`;
}

export function toServiceError(err: unknown, log: Logger, method: string): ServerErrorResponse {
  if (err instanceof ApiError) {
    const message = boundedMessage(err.message);
    const e: ServerErrorResponse = Object.assign(new Error(message), { code: err.code as number as status, details: message, metadata: trailersFor(err) });
    return e;
  }
  log.error({ err, method }, 'unexpected error while serving a call');
  return Object.assign(new Error('An unexpected internal error occurred; the server log has the details.'), {
    code: status.INTERNAL,
    details: 'An unexpected internal error occurred; the server log has the details.',
    metadata: new Metadata(),
  });
}

/** Adapts an async function to grpc-js's unary callback style. */
export function unary<Req, Res>(
  method: string,
  log: Logger,
  fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err, log, method)),
    );
  };
}

export const unavailable = (message: string): ApiError => new ApiError(Code.UNAVAILABLE, message);
