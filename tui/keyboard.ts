/**
 * Who has the keyboard. The app's own keys (screens, help, quit) give way while a screen holds it — a
 * search being typed, a question waiting for y/n — so a letter typed there is text, not a command.
 */
import { createContext, useContext, useEffect } from 'react';

export interface Keyboard {
  /** False without a terminal that can be put in raw mode: nothing listens then. */
  active: boolean;
  /** Takes the keyboard from the app's keys until the returned function gives it back. */
  hold: () => () => void;
}

export const KeyboardContext = createContext<Keyboard>({ active: true, hold: () => () => {} });

/** Holds the keyboard while `holding`; returns whether keys are listened to at all. */
export function useCapture(holding: boolean): boolean {
  const { active, hold } = useContext(KeyboardContext);
  useEffect(() => (holding ? hold() : undefined), [hold, holding]);
  return active;
}
