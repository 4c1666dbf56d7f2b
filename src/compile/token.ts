/** The markdown-it token type, re-exported so the compiler names it in one place. */
export type { default as Token } from 'markdown-it/lib/token.mjs';
