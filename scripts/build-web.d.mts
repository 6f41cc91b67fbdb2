/** Whether web/dist is missing or older than a source. */
export function webBuildIsStale(): boolean;
/** Runs `vite build` for web/ (when stale, with ifStale); returns its exit status (0 = built or fresh). */
export function buildWeb(options?: { ifStale?: boolean; quiet?: boolean }): number;
