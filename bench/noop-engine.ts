import type { Engine, EngineJobStatus, PhysicalJobSubmission } from "../server/engines/engine";
import type { EngineRegistry } from "../server/engines/registry";

// FOR THE SCHEDULER BENCHMARK ONLY: an engine that does no work. Every batch run finishes at once with no
// rows, so what `npm run bench:scheduler` measures is Tandem's scheduling (Temporal, the instance and
// partition registry, planning each run) and never DuckDB or Flink. Never used outside bench/.

export class NoopEngine implements Engine {
  readonly kind = "local" as const;
  runs = 0;
  private readonly submitted = new Map<string, PhysicalJobSubmission>();

  registry(): EngineRegistry {
    return { kind: this.kind, engine: () => this, close: () => Promise.resolve() };
  }

  submit(submission: PhysicalJobSubmission): Promise<{ id: string }> {
    const id = `noop-${++this.runs}`;
    this.submitted.set(id, submission);
    return Promise.resolve({ id });
  }

  wait(id: string): Promise<EngineJobStatus> {
    const s = this.submitted.get(id);
    this.submitted.delete(id);
    const now = new Date().toISOString();
    return Promise.resolve({ id, engine: this.kind, job: s?.job ?? "", side: "batch", state: "finished", startedAt: now, endedAt: now, metrics: { rowsIn: 0, rowsOut: 0 } });
  }

  status(id: string): Promise<EngineJobStatus> {
    return this.wait(id);
  }

  cancel(): Promise<void> { return Promise.resolve(); }
  stopWithSavepoint(): Promise<{ savepoint: string }> { return Promise.reject(new Error("the no-op engine runs batch jobs only")); }
  resume(): Promise<{ id: string }> { return Promise.reject(new Error("the no-op engine runs batch jobs only")); }
  close(): Promise<void> { return Promise.resolve(); }
}
