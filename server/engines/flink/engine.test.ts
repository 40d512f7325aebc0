import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeFlink } from "./fake-gateway";
import { FlinkEngine } from "./engine";
import { splitStatements } from "./statements";
import { translateJob } from "../../sql/translate/index";
import { readProjectFile, snapshotFromProjectFile } from "../../project-file/load";
import { DEMO_FILE } from "../testing/helpers";

// The flink adapter against a fake gateway that follows the OpenAPI specs (not a live cluster).

function demoScripts(): { stream: string; batch: string } {
  const f = readProjectFile(DEMO_FILE).file;
  const job = f.jobs.find((j) => j.name === "coupon_daily_stats");
  if (!job) throw new Error("no demo job");
  const t = translateJob(snapshotFromProjectFile(f), job, { bizdate: "2024-11-11", local: false });
  if (!t.stream || !t.batch) throw new Error(`translation failed: ${JSON.stringify(t.errors)}`);
  return { stream: t.stream, batch: t.batch };
}

describe("flink engine (fake SQL Gateway + REST)", () => {
  let fake: FakeFlink;
  let engine: FlinkEngine;
  let scripts: { stream: string; batch: string };
  beforeAll(async () => {
    fake = await new FakeFlink().start();
    engine = new FlinkEngine({ gatewayUrl: fake.gatewayUrl, restUrl: fake.restUrl, pollMs: 5, savepointDir: "s3://bucket/savepoints" });
    scripts = demoScripts();
  });
  afterAll(async () => {
    await engine.close();
    await fake.stop();
  });

  it("splits scripts into the gateway's statements", () => {
    expect(splitStatements("SET 'a' = 'x;y'; -- c;\nCREATE TABLE t (`a;b` INT);\nEXECUTE STATEMENT SET\nBEGIN\nINSERT INTO t SELECT 1;\nINSERT INTO t SELECT 2;\nEND;"))
      .toEqual(["SET 'a' = 'x;y'", "-- c;\nCREATE TABLE t (`a;b` INT)", "EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO t SELECT 1;\nINSERT INTO t SELECT 2;\nEND"]);
  });

  it("submits the stream script in streaming mode, reports status and checkpoints, stops with a savepoint and resumes", async () => {
    const { id } = await engine.submit({ job: "coupon_daily_stats", side: "stream", flinkScript: scripts.stream });
    const open = fake.requests.find((r) => r.server === "gateway" && r.method === "POST" && r.path === "/v4/sessions");
    expect(open?.body).toMatchObject({ properties: { "execution.runtime-mode": "streaming" }, sessionName: "tandem:coupon_daily_stats:stream" });
    const executed = fake.requests.filter((r) => r.path.endsWith("/statements")).map((r) => (r.body as { statement: string }).statement);
    expect(executed.length).toBe(splitStatements(scripts.stream).length);
    expect(executed.some((s) => s.includes("CREATE TABLE"))).toBe(true);
    expect(fake.requests.some((r) => /\/operations\/[^/]+\/result\/0\?rowFormat=JSON$/.test(r.path))).toBe(true);
    const job = [...fake.jobs.values()].at(-1);
    if (!job) throw new Error("no job on the fake");
    expect(job.runtimeMode).toBe("streaming");
    expect(job.name).toBe("tandem:coupon_daily_stats:stream");
    fake.setRecords(job.jid, 1000, 40);

    const st = await engine.status(id);
    expect(st).toMatchObject({ state: "running", engineJobId: job.jid, metrics: { rowsIn: 1000, rowsOut: 40 } });
    expect(st.metrics.lastCheckpoint?.id).toBe("1");

    const { savepoint } = await engine.stopWithSavepoint(id);
    expect(savepoint).toMatch(/^s3:\/\/bucket\/savepoints\/savepoint-/);
    const stop = fake.requests.find((r) => r.method === "POST" && r.path === `/v1/jobs/${job.jid}/stop`);
    expect(stop?.body).toEqual({ targetDirectory: "s3://bucket/savepoints", drain: false });
    expect((await engine.status(id)).state).toBe("stopped");

    const resumed = await engine.resume({ job: "coupon_daily_stats", side: "stream", flinkScript: scripts.stream }, savepoint);
    const again = [...fake.jobs.values()].at(-1);
    expect(again?.sessionProperties["execution.savepoint.path"]).toBe(savepoint);
    await engine.cancel(resumed.id);
    expect(fake.requests.some((r) => r.method === "PATCH" && r.path === `/v1/jobs/${again?.jid ?? ""}?mode=cancel`)).toBe(true);
    expect((await engine.status(resumed.id)).state).toBe("cancelled");
  });

  it("submits the batch script in batch mode and waits for it to finish", async () => {
    const { id } = await engine.submit({ job: "coupon_daily_stats", side: "batch", bizdate: "2024-11-11", flinkScript: scripts.batch });
    const job = [...fake.jobs.values()].at(-1);
    expect(job?.runtimeMode).toBe("batch");
    expect(job?.statement).toMatch(/INSERT OVERWRITE/);
    const done = await engine.wait(id);
    expect(done.state).toBe("finished");
  });

  it("reports a failing statement with the gateway's cause", async () => {
    const bad = scripts.stream.replace(/CREATE TABLE ads_coupon_daily_rt/, "CREATE TABLE other_table");
    await expect(engine.submit({ job: "coupon_daily_stats", side: "stream", flinkScript: bad }))
      .rejects.toThrow(/Object 'ads_coupon_daily_rt' not found/);
  });

  it("fails stop-with-savepoint without a directory with Flink's reason", async () => {
    const e2 = new FlinkEngine({ gatewayUrl: fake.gatewayUrl, restUrl: fake.restUrl, pollMs: 5 });
    const { id } = await e2.submit({ job: "coupon_daily_stats", side: "stream", flinkScript: scripts.stream });
    await expect(e2.stopWithSavepoint(id)).rejects.toThrow(/No savepoint directory configured/);
    await e2.close();
  });
});
