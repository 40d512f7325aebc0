// The one Drizzle schema. Each domain adds its tables in its own file and re-exports them here.
export * from "./catalog";
export * from "./temporal";
export * from "./auth";
export * from "./audit";
export * from "./deployments";
export * from "./runs";
export * from "./alerts";
export * from "./quality";
export * from "./streams";
export * from "./metrics";
export * from "./dashboards";
