/**
 * The verifier annotation of a plan line: an HTML comment, invisible when the markdown is
 * rendered (`- [ ] Tests pass <!-- verify: command \`npm test\` -->`). The compiler records its
 * body on the criterion (so an edit shows in the diff); `check` parses it into a verifier.
 */
const ANNOTATION = /<!--\s*verify:\s*([\s\S]*?)\s*-->/u;

/**
 * The body of the verifier annotation in a line of markdown, if any.
 * @example findAnnotation('- Tests pass <!-- verify: command `npm test` -->'); // 'command `npm test`'
 */
export function findAnnotation(line: string): string | undefined {
  return ANNOTATION.exec(line)?.[1];
}
