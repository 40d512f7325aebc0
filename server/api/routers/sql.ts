import { CompletionInput, completeSql, lineageOfSql, SqlSourceInput, TranslateInput, translateSql, validateSql } from "../../sql/service";
import { FormatSqlInput, formatSql } from "../../sql/format";
import { projectAction, router } from "../trpc";

// Thin: the SQL layer is read-only; every procedure loads the project's catalog and calls server/sql.
export const sqlRouter = router({
  validate: projectAction("catalog.read").input(SqlSourceInput).query(({ ctx, input }) => validateSql(ctx, input)),
  translate: projectAction("catalog.read").input(TranslateInput).query(({ ctx, input }) => translateSql(ctx, input)),
  lineage: projectAction("catalog.read").input(SqlSourceInput).query(({ ctx, input }) => lineageOfSql(ctx, input)),
  // A mutation so a large draft travels in the body; it changes nothing on the server.
  format: projectAction("catalog.read").input(FormatSqlInput).mutation(({ input }) => formatSql(input)),
  completions: projectAction("catalog.read").input(CompletionInput).query(({ ctx, input }) => completeSql(ctx, input)),
});
