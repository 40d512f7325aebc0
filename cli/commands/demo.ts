import type { Command } from "commander";

// `tandem demo`: the options here; the work in cli/actions/demo.ts, loaded only when the command runs.

export interface GenerateOptions {
  rate?: string;
  days?: string;
  withTopic?: boolean;
  eventsPerDay: string;
  duration?: string;
  seed: string;
}

export function registerDemo(program: Command): void {
  const demo = program.command("demo").description("Demo data of the Double 11 campaign");
  demo
    .command("generate")
    .description("Write demo events: live to the topic (--rate) and/or daily history partitions (--days)")
    .option("--rate <n>", "live events per second appended to the topic")
    .option("--days <n>", "daily history partitions to write, ending yesterday (UTC)")
    .option("--with-topic", "also append each history day's events to the topic (stream shape), so the stream and batch sides see the same day")
    .option("--events-per-day <n>", "events in each history partition", "200000")
    .option("--duration <seconds>", "stop the live generator after this many seconds")
    .option("--seed <n>", "random seed", "11")
    .action(async (opts: GenerateOptions) => {
      await (await import("../actions/demo")).generateDemo(opts);
    });
}
