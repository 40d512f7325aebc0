import { createRequire } from "node:module";
import * as protoLoader from "@grpc/proto-loader";
import type { ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import Long from "long";
import type * as ProtoTypes from "@temporalio/proto";

// The wire contract. grpc-js serves the WorkflowService loaded by proto-loader from the protos that ship
// inside @temporalio/core-bridge (the files the SDK itself was built from); message shapes are typed with
// the protobufjs interfaces of @temporalio/proto (same SDK release), whose enums we also use at runtime.
// int64 fields stay Long objects on both sides (proto-loader's default), so the two views agree.

const require = createRequire(import.meta.url);
type ProtoModule = typeof ProtoTypes;
const protoModule = require("@temporalio/proto") as ProtoModule;

/** Runtime access to enums and message codecs. */
export const temporal = protoModule.temporal;
export type { temporal as pb, google as gpb } from "@temporalio/proto";
export { Long };
export type UntypedImpl = UntypedServiceImplementation;

const PROTO_ROOT = "@temporalio/core-bridge/sdk-core/crates/protos/protos";

export const SERVICE_NAME = "temporal.api.workflowservice.v1.WorkflowService";

let cached: ServiceDefinition | undefined;

/** The WorkflowService definition: one entry per RPC with its path and (de)serializers. */
export function workflowServiceDefinition(): ServiceDefinition {
  if (cached) return cached;
  const bridgeDir = require.resolve("@temporalio/core-bridge/package.json").replace(/package\.json$/, "");
  const root = `${bridgeDir}sdk-core/crates/protos/protos`;
  const pkg = protoLoader.loadSync("temporal/api/workflowservice/v1/service.proto", {
    includeDirs: [`${root}/api_upstream`, `${root}/google`],
    keepCase: false,
    enums: Number,
    bytes: Buffer,
    defaults: false,
    arrays: true,
    oneofs: false,
  });
  const service = pkg[SERVICE_NAME];
  if (!service || !("RespondWorkflowTaskCompleted" in service)) throw new Error(`${SERVICE_NAME} not found in ${PROTO_ROOT}`);
  cached = service;
  return cached;
}

// ---- small converters used everywhere (Long, Duration, Timestamp, Payload) ----

type LongLike = Long | number | string | null | undefined;

export function L(n: number): Long {
  return Long.fromNumber(n);
}

export function num(v: LongLike): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return Number(v);
  return Long.fromValue(v).toNumber();
}

export interface DurationLike {
  seconds?: LongLike;
  nanos?: number | null;
}

/** Milliseconds of a protobuf Duration; 0 when unset. */
export function durMs(d: DurationLike | null | undefined): number {
  if (!d) return 0;
  return num(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

export function dur(ms: number): { seconds: Long; nanos: number } {
  const whole = Math.floor(ms / 1000);
  return { seconds: L(whole), nanos: Math.round((ms - whole * 1000) * 1e6) };
}

export function tsMs(t: DurationLike | null | undefined): number {
  return durMs(t);
}

export function ts(ms: number): { seconds: Long; nanos: number } {
  return dur(ms);
}
