import { describe, expect, it } from "vitest";
import { allowedActions, INSTANCE_STATES, InvalidTransitionError, transition, type InstanceAction } from "./states";

describe("batch instance states", () => {
  it("runs the normal path and a rerun", () => {
    let s = transition("waiting", "queue");
    s = transition(s, "start");
    s = transition(s, "succeed");
    expect(s).toBe("succeeded");
    expect(transition(s, "rerun")).toBe("waiting");
  });

  it("refuses every impossible transition with a sentence, and allows exactly the listed ones", () => {
    const actions: InstanceAction[] = ["queue", "start", "succeed", "fail", "skip", "cancel", "rerun"];
    for (const from of INSTANCE_STATES) {
      for (const action of actions) {
        if (allowedActions(from).includes(action)) expect(() => transition(from, action)).not.toThrow();
        else expect(() => transition(from, action)).toThrow(InvalidTransitionError);
      }
    }
    expect(() => transition("running", "rerun")).toThrow(/only a finished instance .* cancel it first/);
    expect(() => transition("succeeded", "start")).toThrow(/already succeeded; rerun it/);
    expect(() => transition("waiting", "succeed")).toThrow(/waiting cannot succeed \(it can queue, fail, skip, cancel\)/);
  });
});
