/**
 * The IR's version, apart from the Zod schema so that code needing only the number (the
 * compiler) does not load Zod at start-up.
 */

/** Version of the IR shape; bump when a stored plan can no longer be read as-is. */
export const IR_VERSION = 1;
