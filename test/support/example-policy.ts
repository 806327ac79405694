/**
 * Edits of the example policy (policies/acme-books.yaml) that tests share. The example declares
 * `seats:` (limit 20, USD 11/month); a test that needs other seat settings, or none, removes
 * that block first, so YAML never sees the key twice.
 */
const SEATS_BLOCK = /\n(?:#[^\n]*\n)*seats:\n(?: {2}[^\n]*\n)+/;

export function withoutSeats(yaml: string): string {
  const edited = yaml.replace(SEATS_BLOCK, '\n');
  if (edited === yaml) throw new Error('the example policy has no seats: block to remove');
  return edited;
}
