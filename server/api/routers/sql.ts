import { CompletionInput, completeSql, lineageOfSql, SqlSourceInput, TranslateInput, translateSql, validateSql } from "../../sql/service";
import { projectAction, router } from "../trpc";

// Thin: the SQL layer is read-only; every procedure loads the project's catalog and calls server/sql.
export const sqlRouter = router({
  validate: projectAction("catalog.read").input(SqlSourceInput).query(({ ctx, input }) => validateSql(ctx, input)),
  translate: projectAction("catalog.read").input(TranslateInput).query(({ ctx, input }) => translateSql(ctx, input)),
  lineage: projectAction("catalog.read").input(SqlSourceInput).query(({ ctx, input }) => lineageOfSql(ctx, input)),
  completions: projectAction("catalog.read").input(CompletionInput).query(({ ctx, input }) => completeSql(ctx, input)),
});
