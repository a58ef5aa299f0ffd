/**
 * The keyboard: every key is handled, in order, whenever it arrives. One listener splits each read into
 * keys (`jjjj` in one read is four keys; a pasted term with its Enter is the term, then Enter) and queues
 * them; each key goes to the layers that want keys, top first (a modal prompt, then the screen, then the
 * app), and the next key waits until what the last one did is on screen. A layer that is not `ready` (its
 * list still loading) holds the queue, so a key pressed meanwhile applies to the list once it is there.
 * Ctrl-C is Ink's own and quits at once, whatever waits.
 *
 * Use: `useKeys(handler, { layer, active, ready, help })`; the handler returns false to pass a key on.
 */
import { type Key, useInput, useStdin } from 'ink';
import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';

/** One key: `input` is one grapheme of text, or '' for a named key (arrows, Enter, Esc…) in `key`. */
export interface KeyPress {
  input: string;
  key: Key;
}

/** A key and what it does, for the footer and the `?` overlay. */
export interface KeyHelp {
  keys: string;
  what: string;
}

/** Who gets a key first: a modal (prompt, question, overlay) before its screen, the screen before the app. */
export type KeyLayer = 'app' | 'screen' | 'modal';
const RANK: Record<KeyLayer, number> = { app: 0, screen: 1, modal: 2 };

export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The keys of one character read on its own. */
function characterKey(character: string): KeyPress {
  if (character === '\r' || character === '\n') return { input: '', key: { ...NO_KEY, return: true } };
  if (character === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
  if (character === '\u007f' || character === '\b') return { input: '', key: { ...NO_KEY, backspace: true } };
  if (character === '\u001b') return { input: '', key: { ...NO_KEY, escape: true } };
  const code = character.codePointAt(0) ?? 0;
  if (character.length === 1 && code < 0x20)
    return { input: String.fromCharCode(code + 0x60), key: { ...NO_KEY, ctrl: true } };
  return { input: character, key: { ...NO_KEY, shift: /^[A-Z]$/.test(character) } };
}

/** One read from the terminal, as Ink hands it over, split into the keys it holds. */
export function splitKeys(input: string, key: Key): KeyPress[] {
  // Two Esc in one read come as Alt-Esc, which no screen uses: they are two Esc.
  if (key.escape && key.meta) {
    const esc = { input: '', key: { ...NO_KEY, escape: true } };
    return [esc, esc];
  }
  const parts = Array.from(segmenter.segment(input), ({ segment }) => segment);
  if (parts.length <= 1) {
    // Ink parsed a single key itself; only a lone control character is left to name.
    if (input.length === 1 && !key.ctrl && (input.codePointAt(0) ?? 32) < 0x20) return [characterKey(input)];
    return [{ input, key }];
  }
  // "\r\n" is one grapheme: split such pairs so each is a key.
  return parts.flatMap((part) => (part === '\r\n' ? ['\r'] : [part])).map(characterKey);
}

interface Layer {
  id: number;
  rank: number;
  handler: (press: KeyPress) => boolean | undefined;
  active: boolean;
  ready: boolean;
  help: KeyHelp[];
}

interface Keyboard {
  register: (layer: Layer) => () => void;
  /** A layer's readiness or help changed: the queue may move on, the footer may change. */
  changed: () => void;
}

const KeyboardContext = createContext<Keyboard | null>(null);
const HelpContext = createContext<KeyHelp[][]>([]);

/** The layers listening now, the one to ask first first. */
function listening(layers: Set<Layer>): Layer[] {
  return [...layers].filter((l) => l.active).sort((a, b) => b.rank - a.rank || b.id - a.id);
}

/** Above the app: reads the terminal and hands keys to the layers, one at a time. */
export function KeyboardProvider({ children }: { children: ReactNode }) {
  const { isRawModeSupported } = useStdin();
  const layers = useRef(new Set<Layer>());
  const queue = useRef<KeyPress[]>([]);
  // Keys handled, and keys whose effects are committed: the next key waits until the two agree. A render
  // for another reason (the footer's help) must not let it through before the last key's is committed.
  const handled = useRef(0);
  const committed = useRef(0);
  const [handledState, setHandled] = useState(0);
  const [help, setHelp] = useState<KeyHelp[][]>([]);

  const drain = useCallback(() => {
    if (handled.current !== committed.current) return;
    const press = queue.current[0];
    if (!press) return;
    const candidates = listening(layers.current);
    // The first layer that is not ready holds every key until it is.
    for (const layer of candidates) {
      if (!layer.ready) return;
      if (layer.handler(press) !== false) break;
    }
    queue.current.shift();
    handled.current += 1;
    setHandled(handled.current);
  }, []);

  // Runs once what a key did is committed, in the same render: the next key sees it.
  useEffect(() => {
    committed.current = handledState;
    drain();
  }, [handledState, drain]);

  const refreshHelp = useCallback(() => {
    const next = listening(layers.current)
      .filter((l) => l.help.length > 0)
      .map((l) => l.help);
    setHelp((current) => (JSON.stringify(current) === JSON.stringify(next) ? current : next));
  }, []);

  const keyboard = useMemo<Keyboard>(
    () => ({
      register(layer) {
        layers.current.add(layer);
        return () => {
          layers.current.delete(layer);
          refreshHelp();
          drain();
        };
      },
      changed() {
        refreshHelp();
        drain();
      },
    }),
    [drain, refreshHelp],
  );

  useInput(
    (input, key) => {
      queue.current.push(...splitKeys(input, key));
      drain();
    },
    { isActive: isRawModeSupported === true },
  );

  return createElement(
    KeyboardContext.Provider,
    { value: keyboard },
    createElement(HelpContext.Provider, { value: help }, children),
  );
}

let nextLayerId = 1;

/**
 * Gives keys to `handler` while `active` (default true). It returns false for a key it does not take, which
 * then goes to the layer below. While `ready` is false, keys wait for it. `help` lists its keys.
 */
export function useKeys(
  handler: (press: KeyPress) => boolean | undefined,
  {
    layer = 'screen',
    active = true,
    ready = true,
    help = [],
  }: { layer?: KeyLayer; active?: boolean; ready?: boolean; help?: KeyHelp[] } = {},
): void {
  const keyboard = useContext(KeyboardContext);
  const [entry] = useState<Layer>(() => ({
    id: nextLayerId++,
    rank: RANK[layer],
    handler,
    active,
    ready,
    help,
  }));
  // The latest render's handler and flags: a key handled after a commit sees that commit's state.
  entry.handler = handler;
  const helpText = JSON.stringify(help);
  useEffect(() => keyboard?.register(entry), [keyboard, entry]);
  useEffect(() => {
    entry.active = active;
    entry.ready = ready;
    entry.help = JSON.parse(helpText) as KeyHelp[];
    keyboard?.changed();
  }, [keyboard, entry, active, ready, helpText]);
}

/** The help of the layers listening now, top first: the footer shows the first, `?` all of them. */
export function useKeyHelp(): KeyHelp[][] {
  return useContext(HelpContext);
}

/** Key tests shared by lists and screens. */
export const isDown = ({ input, key }: KeyPress) => key.downArrow || input === 'j';
export const isUp = ({ input, key }: KeyPress) => key.upArrow || input === 'k';
