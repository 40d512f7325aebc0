import path from "node:path";
import { readProjectFile, snapshotFromProjectFile } from "../../server/project-file/load";
import { DEMO_PROJECT_FILE } from "../../server/demo/seed";
import { addDaysIso, generateLive, writeDimCoupon, writeHistoryPartition, writeTopicDay } from "../../server/demo/generator";
import { bindTable } from "../../server/engines/local/bind";
import { resolvePath } from "../../server/engines/local/sources";
import { dataDir } from "../../server/env";
import type { GenerateOptions } from "../commands/demo";

// `tandem demo generate`: the demo's data where the demo catalog says it lives (under the data dir):
// --days N writes N daily Parquet partitions of history (yesterday backwards) and the coupon dimension;
// --with-topic also appends those days' events to the topic in the stream's shape (same event ids and
// values), so the stream job and a day's batch instance compute the same numbers for the day;
// --rate N appends live events to the topic at N events/s until Ctrl-C (or --duration seconds).

/** `tandem demo generate`: history partitions and/or live events where the demo catalog says. */
export async function generateDemo(opts: GenerateOptions): Promise<void> {
  if (opts.withTopic && !opts.days) {
    process.stderr.write("--with-topic needs --days <n>: it writes those history days to the topic too\n");
    process.exitCode = 2;
    return;
  }
  if (!opts.rate && !opts.days) {
    process.stderr.write("nothing to do: give --rate <events/s> and/or --days <n>\n");
    process.exitCode = 2;
    return;
  }
  const dir = dataDir();
  const engineEnv = { baseDir: path.dirname(dir), dataDir: dir };
  const catalog = snapshotFromProjectFile(readProjectFile(DEMO_PROJECT_FILE).file);
  const where = (table: string) => resolvePath(bindTable(catalog, table).options.path ?? "", engineEnv);
  const seed = Number(opts.seed);
  if (opts.days) {
    const days = Number(opts.days);
    const count = Number(opts.eventsPerDay);
    const today = new Date().toISOString().slice(0, 10);
    await writeDimCoupon(where("dim_coupon"));
    for (let d = 1; d <= days; d++) {
      const day = addDaysIso(today, -d);
      const started = Date.now();
      const file = await writeHistoryPartition(where("ods_coupon_events_di"), { day, count, seed });
      process.stdout.write(`wrote ${count} events for dt=${day} to ${file} (${Date.now() - started} ms)\n`);
      if (opts.withTopic) {
        // Replaces the day's topic file, so rerunning does not count the day's events twice on the stream side.
        const topicFile = await writeTopicDay(where("ods_coupon_events_rt"), { day, count, seed });
        process.stdout.write(`wrote the same ${count} events for ${day} to ${topicFile}\n`);
      }
    }
  }
  if (opts.rate) {
    const rate = Number(opts.rate);
    if (!(rate > 0)) throw new Error(`--rate must be a positive number of events per second, got '${opts.rate}'`);
    const topic = where("ods_coupon_events_rt");
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const timer = opts.duration ? setTimeout(stop, Number(opts.duration) * 1000) : undefined;
    process.stderr.write(`appending ${rate} events/s to ${topic}; Ctrl-C stops\n`);
    let last = 0;
    const written = await generateLive({
      topicDir: topic, rate, seed, signal: abort.signal,
      onTick: (n) => {
        if (n - last >= rate * 5) {
          process.stderr.write(`  ${n} events\n`);
          last = n;
        }
      },
    });
    if (timer) clearTimeout(timer);
    process.stdout.write(`wrote ${written} live events to ${topic}\n`);
  }
}
