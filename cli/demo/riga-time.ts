/** Moved to core/calendar/riga-time.ts (shared with detection); re-exported so demo imports keep working. */
export * from '../../core/calendar/riga-time';
