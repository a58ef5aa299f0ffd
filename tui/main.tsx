/**
 * `npm run tui`. Honours NO_COLOR (https://no-color.org) — the colour library reads only FORCE_COLOR,
 * and reads it once, when loaded — so the setting is translated before the UI is imported. React runs its
 * production build unless NODE_ENV asks otherwise: the development build costs many times the CPU per
 * redraw, and it is read once, when React loads.
 */
if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
process.env.NODE_ENV ??= 'production';
await import('./start.tsx');
