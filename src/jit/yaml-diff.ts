import { createTwoFilesPatch } from 'diff';

/**
 * A unified diff of one policy file, as `git diff` shows it (`--- a/…`, `+++ b/…`, three lines
 * of context), or `''` when nothing changed. `label` says where the old side came from
 * (`origin/main 1a2b3c4`), shown after the old name.
 */
export function yamlDiff(file: string, before: string, after: string, label?: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, label, undefined, {
    context: 3,
    headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
  });
  return patch.endsWith('\n') ? patch : `${patch}\n`;
}
