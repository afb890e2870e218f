/** Riga time (core/calendar/riga-time.ts) and the working-day calendar (core/calendar/working-days.ts), re-exported for the demo. */
export * from '../../core/calendar/riga-time';
export { isLatvianWorkingDay } from '../../core/calendar/working-days';
