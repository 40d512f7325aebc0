// Worker process of the Temporal benchmark: the fixtures' workflows and activities on one task queue.
// Usage: tsx bench/temporal-worker.ts <address> <taskQueue>
import { fileURLToPath } from "node:url";
import { NativeConnection, Runtime, Worker } from "@temporalio/worker";
import * as activities from "../workflows/test/fixtures/activities";

const [address = "127.0.0.1:7233", taskQueue = "bench"] = process.argv.slice(2);
Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  taskQueue,
  workflowsPath: fileURLToPath(new URL("../workflows/test/fixtures/workflows.ts", import.meta.url)),
  activities,
});
process.on("SIGTERM", () => worker.shutdown());
process.stdout.write("worker ready\n");
await worker.run();
process.exit(0);
