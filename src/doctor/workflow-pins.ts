/**
 * The action line that sets rolecall up in a workflow: `- uses: OWNER/REPO@SHA # vX.Y.Z` in an
 * access repository, `- uses: ./` in rolecall's own. Everything else a template `uses:` is a
 * third-party action (checkout, upload-artifact), pinned by the template itself.
 */

export interface ActionLine {
  /** `rolecall-dev/rolecall@<sha>`, or `./`. */
  ref: string;
  /** The trailing comment (`v0.1.0`), or `null`. */
  label: string | null;
}

const USES = /^\s*(?:-\s+)?uses:\s*(\S+)(?:\s+#\s*(.*?))?\s*$/;

/** Every `uses:` line of a workflow, in order. */
export function usesLines(text: string): ActionLine[] {
  return text.split('\n').flatMap((line) => {
    const match = USES.exec(line);
    return match ? [{ ref: match[1] as string, label: match[2] ?? null }] : [];
  });
}

/** The action path without its ref: `actions/checkout@abc` → `actions/checkout`. */
function actionOf(ref: string): string {
  const at = ref.indexOf('@');
  return at < 0 ? ref : ref.slice(0, at);
}

/**
 * The lines of `text` that set rolecall up: every `uses:` whose action is none of the
 * template's third-party actions.
 */
export function rolecallLines(text: string, template: string): ActionLine[] {
  const thirdParty = new Set(
    usesLines(template)
      .filter((line) => line.ref !== './')
      .map((line) => actionOf(line.ref)),
  );
  return usesLines(text).filter((line) => !thirdParty.has(actionOf(line.ref)));
}

/** `OWNER/REPO@<40 hex>`: a commit, which no one can move. */
export function commitOf(ref: string): string | null {
  return /^[^@\s]+@([0-9a-f]{40})$/.exec(ref)?.[1] ?? null;
}

/** The version a label names: `v0.1.0`, `rolecall v0.1.0` → `0.1.0`. */
export function versionOf(label: string | null): string | null {
  return /\bv(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\b/.exec(label ?? '')?.[1] ?? null;
}
