/**
 * Text measured in terminal columns, grapheme by grapheme (emoji ZWJ sequences, skin tones, flags, CJK,
 * combining marks), so that a line is cut before the terminal would wrap it. Use `columns` to measure,
 * `truncate` to cut to at most a width (ending with `…`), `fitWidth` to cut or pad to exactly a width.
 */
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Skin tones (emoji modifiers): some terminals (tmux, xterm) draw each as a cell of its own. */
const MODIFIER = /[\u{1F3FB}-\u{1F3FF}]/gu;

/**
 * Columns one grapheme takes: string-width's count, plus two for each skin tone, the widest any common
 * terminal draws it. Where a terminal draws it narrower, a column has a little air; it never wraps.
 */
export function graphemeColumns(grapheme: string): number {
  const base = stringWidth(grapheme);
  if (base === 0) return 0;
  return base + 2 * (grapheme.match(MODIFIER)?.length ?? 0);
}

export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), ({ segment }) => segment);
}

/** Printable ASCII only: one column per character, no need to segment. */
const PLAIN = /^[\x20-\x7e]*$/;

/** Columns `text` takes in a terminal. Line breaks and tabs count as one column each: callers remove them. */
export function columns(text: string): number {
  if (PLAIN.test(text)) return text.length;
  let total = 0;
  for (const { segment } of segmenter.segment(text)) total += graphemeColumns(segment);
  return total;
}

/** One line: line breaks and tabs become spaces, other control characters go (they would move the cursor). */
export function oneLine(text: string): string {
  if (PLAIN.test(text)) return text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
}

/** `text` on one line in at most `width` columns; cut text ends with `…`. */
export function truncate(text: string, width: number): string {
  const line = oneLine(text);
  if (width <= 0) return '';
  if (columns(line) <= width) return line;
  let kept = '';
  let used = 0;
  for (const { segment } of segmenter.segment(line)) {
    const next = graphemeColumns(segment);
    if (used + next > width - 1) break;
    kept += segment;
    used += next;
  }
  return `${kept}…`;
}

/** Exactly `width` columns: cut with `…`, or padded with spaces (on the left when `align` is right). */
export function fitWidth(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const gap = ' '.repeat(Math.max(0, width - columns(cut)));
  return align === 'right' ? gap + cut : cut + gap;
}

/** `text` broken into lines of at most `width` columns, at spaces where it can: for reading a long message whole. */
export function wrapLines(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    let used = 0;
    for (const word of oneLine(paragraph).split(/(?<= )/)) {
      const wordColumns = columns(word);
      if (used + wordColumns <= width) {
        line += word;
        used += wordColumns;
        continue;
      }
      if (line.trim() !== '') lines.push(line.trimEnd());
      line = '';
      used = 0;
      // A word longer than a line is cut into pieces of a line each.
      for (const grapheme of graphemes(word)) {
        const next = graphemeColumns(grapheme);
        if (used + next > width) {
          lines.push(line);
          line = '';
          used = 0;
        }
        line += grapheme;
        used += next;
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}
