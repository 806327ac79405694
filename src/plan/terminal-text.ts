/**
 * Text for a terminal, one way for every renderer (the plan's, drift's): colours that are on or
 * off as the CLI decides (TTY and no `NO_COLOR`; a renderer never looks), and data from
 * FreshBooks or a policy made harmless before it is printed.
 */
export type Paint = (text: string) => string;

export interface Palette {
  green: Paint;
  yellow: Paint;
  red: Paint;
  bold: Paint;
  dim: Paint;
  alarm: Paint;
}

export const plain: Paint = (text) => text;

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const PLAIN: Palette = {
  green: plain,
  yellow: plain,
  red: plain,
  bold: plain,
  dim: plain,
  alarm: plain,
};

const COLOURED: Palette = {
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  red: sgr(31, 39),
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  alarm: (text) => `\u001b[1;31m${text}\u001b[22;39m`,
};

export function paletteFor(color: boolean): Palette {
  return color ? COLOURED : PLAIN;
}

// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: shown as
// U+FFFD rather than interpreted by the terminal, so a business name, an unknown role or an API
// message cannot smuggle escape sequences or break a line.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, '\ufffd');
}
