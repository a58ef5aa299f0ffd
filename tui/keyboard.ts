/**
 * Who has the keyboard. The app's own keys (screens, help, quit) give way while a screen captures it — a
 * search being typed, a question waiting for y/n — so a letter typed there is text, not a command.
 */
import { createContext, useContext, useEffect } from 'react';

export interface Keyboard {
  /** False without a terminal that can be put in raw mode: nothing listens then. */
  active: boolean;
  capture: (captured: boolean) => void;
}

export const KeyboardContext = createContext<Keyboard>({ active: true, capture: () => {} });

/** Takes the keyboard from the app's keys while `captured` holds. */
export function useCapture(captured: boolean): boolean {
  const keyboard = useContext(KeyboardContext);
  const { capture } = keyboard;
  useEffect(() => {
    capture(captured);
    return () => capture(false);
  }, [capture, captured]);
  return keyboard.active;
}
