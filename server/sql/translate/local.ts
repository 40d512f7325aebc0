import type { CompiledSide } from "../validate";
import type { TranslateContext } from "./common";
export interface LocalScripts { stream: unknown; batch: unknown }
export function buildLocalScripts(_ctx: TranslateContext, _s: CompiledSide, _b: CompiledSide): LocalScripts | null { return null; }
