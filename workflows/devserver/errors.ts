import { status as Status } from "@grpc/grpc-js";

// Errors the service answers with, carrying the gRPC status the real Temporal server uses for the case.

export class RpcError extends Error {
  constructor(
    readonly code: Status,
    message: string,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

export const invalidArgument = (message: string) => new RpcError(Status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new RpcError(Status.NOT_FOUND, message);
export const alreadyExists = (message: string) => new RpcError(Status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string) => new RpcError(Status.FAILED_PRECONDITION, message);
export const unimplemented = (message: string) => new RpcError(Status.UNIMPLEMENTED, message);
export const deadlineExceeded = (message: string) => new RpcError(Status.DEADLINE_EXCEEDED, message);
export const unavailable = (message: string) => new RpcError(Status.UNAVAILABLE, message);

export { Status };
