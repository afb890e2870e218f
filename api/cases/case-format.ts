const rigaFormat = new Intl.DateTimeFormat('lv-LV', {
  timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** An instant as `DD.MM.YYYY HH:MM` Riga time (reminder texts). */
export function formatRiga(iso: string | Date): string {
  const p: Record<string, string> = {};
  for (const part of rigaFormat.formatToParts(new Date(iso))) p[part.type] = part.value;
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}
