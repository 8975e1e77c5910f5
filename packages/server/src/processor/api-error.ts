// A caller's mistake, reported with a gRPC status. Anything else thrown by a handler is a bug.
//
// The numbers are gRPC's status codes; the processor does not import the gRPC library so that it
// stays a pure module with no I/O anywhere in its import graph.
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export class ApiError extends Error {
  readonly code: Code;
  constructor(code: Code, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

export const invalidArgument = (message: string): ApiError => new ApiError(Code.INVALID_ARGUMENT, message);
export const notFound = (message: string): ApiError => new ApiError(Code.NOT_FOUND, message);
export const alreadyExists = (message: string): ApiError => new ApiError(Code.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string): ApiError => new ApiError(Code.FAILED_PRECONDITION, message);
export const resourceExhausted = (message: string): ApiError => new ApiError(Code.RESOURCE_EXHAUSTED, message);
