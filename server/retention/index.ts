export { pruneHistory, type Pruned, type RetentionOptions } from "./prune";
