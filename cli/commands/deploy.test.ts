import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseVersion } from "./deploy";

describe("tandem deploy --rollback-to", () => {
  it("takes a version number and refuses anything else with one sentence", () => {
    expect(parseVersion("3")).toBe(3);
    expect(parseVersion(" 12 ")).toBe(12);
    for (const bad of ["abc", "0", "-1", "1.5", "", "3x", "1e3"]) {
      expect(() => parseVersion(bad)).toThrow(InvalidArgumentError);
      expect(() => parseVersion(bad)).toThrow(/is not a version number: give one such as 3/);
    }
  });
});
