import { it } from "vitest";
import { demo, job } from "./__golden__/helpers";
import { translateJob } from "./translate/index";
it("dbg", () => {
  const { catalog } = demo();
  const t = translateJob(catalog, job("INSERT INTO ads_coupon_daily\nSELECT dt, coupon_id, COUNT(*) AS pv,\n  COUNT(DISTINCT user_id) FILTER (WHERE action = 'view') AS uv,\n  COUNT(*) FILTER (WHERE action = 'redeem') AS redeemed,\n  SUM(amount_cents) FILTER (WHERE action = 'redeem') AS gmv_cents\nFROM mix_coupon_events WHERE dt = '${bizdate}' OR __mode = 'stream' GROUP BY dt, coupon_id"), { bizdate: "2024-11-11" });
  process.stdout.write("ERR " + JSON.stringify(t.errors) + "\n" + JSON.stringify(t.local?.errors ?? null) + "\nBATCH " + t.local?.batch?.statements[0]?.select + "\nINC " + JSON.stringify(t.local?.stream?.statements[0]?.incremental) + "\nFLINK " + t.stream?.slice(t.stream.indexOf("-- Job")) + "\nLINEAGE " + JSON.stringify(t.lineage).slice(0, 1500) + "\n");
});
