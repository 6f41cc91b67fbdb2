/**
 * English strings of the Files app's actions (uploads, dialogs, views). Kept apart from i18n.ts
 * so the Files app can grow its strings on its own; i18n.ts merges them into the English table,
 * and other languages translate them like any other key (falling back to English until they do).
 */
export const filesStrings = {
} as const;
