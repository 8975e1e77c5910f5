// What the ingress reports about each rpc, without knowing how it is measured. The call guard
// asks for one recorder per method when it wraps the service, so a call only indexes into it.

export interface RpcRecorder {
  /** A unary call was answered with gRPC status `code` after `elapsedMs`. */
  finished(code: number, elapsedMs: number): void;
  /** A stream was accepted (code 0) or refused with `code`; streams have no meaningful latency. */
  opened(code: number): void;
}

export interface RpcObserver {
  forMethod(method: string): RpcRecorder;
}

const IGNORE: RpcRecorder = { finished: () => undefined, opened: () => undefined };

export const NO_RPC_OBSERVER: RpcObserver = { forMethod: () => IGNORE };
