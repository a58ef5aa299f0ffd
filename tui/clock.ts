/**
 * The time lists measure "3 min ago" from: the end of the current minute, so it changes (and the list is
 * redrawn) once a minute; an instant of this minute is "<1 min ago".
 */
import { useEffect, useState } from 'react';

const MINUTE = 60_000;
const endOfMinute = () => Math.ceil(Date.now() / MINUTE) * MINUTE;

export function useNow(): number {
  const [now, setNow] = useState(endOfMinute);
  useEffect(() => {
    // Checked every few seconds; React redraws only when the minute moved on.
    const timer = setInterval(() => setNow(endOfMinute()), 5_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
