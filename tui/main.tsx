/**
 * `npm run tui`. Honours NO_COLOR (https://no-color.org) — the colour library reads only FORCE_COLOR,
 * and reads it once, when loaded — so the setting is translated before the UI is imported.
 */
if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
await import('./start.tsx');
