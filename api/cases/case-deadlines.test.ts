import { createWorkingCalendar } from '../../core/calendar/working-days';
import { answerDueAt, checkExtension, deadlineState, processorSupportDueAt, reminderTimes } from './case-deadlines';
import { loadCasePolicy, parseCasePolicy, reminderRecipients } from './case-policy';

const cal = createWorkingCalendar();
const d = (s: string) => new Date(s);

describe('answer and processor deadlines', () => {
  it('answer: 1 month, extended: 1 + m months from receipt', () => {
    expect(answerDueAt(cal, d('2026-11-10T09:00:00Z')).toISOString()).toBe('2026-12-10T21:59:59.999Z');
    expect(answerDueAt(cal, d('2026-11-10T09:00:00Z'), 2).toISOString()).toBe('2027-02-10T21:59:59.999Z');
  });
  it('processor support: 5 Latvian working days after the day of the request', () => {
    // Friday 19 Jun 2026: 22 (1), 23-24 Jun holidays, 25 (2), 26 (3), 29 (4), 30 (5).
    expect(processorSupportDueAt(cal, d('2026-06-19T07:00:00Z')).toISOString()).toBe('2026-06-30T20:59:59.999Z');
  });
});

describe('extension (GDPR Art. 12(3))', () => {
  const c = { status: 'open', receivedAt: d('2026-01-31T09:00:00Z'), originalDueAt: d('2026-03-02T21:59:59.999Z'), extended: false };
  const ok = { months: 2, reason: 'Complex and numerous requests', noticeAt: d('2026-02-10T09:00:00Z'), noticeMethod: 'e-mail' };
  const now = d('2026-02-15T09:00:00Z');
  const refused = (over: Partial<typeof c>, ext: Partial<typeof ok>) => {
    try {
      checkExtension({ ...c, ...over }, { ...ok, ...ext }, now);
    } catch (e) {
      return { status: (e as { status: number }).status, ...(e as { details: object }).details };
    }
    return undefined;
  };
  it('accepts reasons and a notice within the first month', () => expect(refused({}, {})).toBeUndefined());
  it('a notice on the last day of the first month (23:00 Riga, 2 March) is in time, recorded a day later', () =>
    expect(() => checkExtension(c, { ...ok, noticeAt: d('2026-03-02T21:00:00Z') }, d('2026-03-03T09:00:00Z'))).not.toThrow());
  it.each([
    ['closed case', { status: 'closed' }, {}, { status: 409, field: 'status' }],
    ['extended already', { extended: true }, {}, { status: 409, field: 'months' }],
    ['3 months', {}, { months: 3 }, { status: 400, field: 'months', reason: 'out_of_range' }],
    ['0 months', {}, { months: 0 }, { status: 400, field: 'months' }],
    ['no reason', {}, { reason: '' }, { status: 400, field: 'reason', reason: 'missing_reason' }],
    ['no notice method', {}, { noticeMethod: undefined }, { status: 400, field: 'noticeMethod' }],
    ['notice before receipt', {}, { noticeAt: d('2026-01-30T09:00:00Z') }, { field: 'noticeAt', reason: 'before_receipt' }],
    ['notice in the future', {}, { noticeAt: d('2026-02-20T09:00:00Z') }, { field: 'noticeAt', reason: 'in_future' }],
  ])('refuses: %s', (_n, over, ext, want) => expect(refused(over as never, ext as never)).toMatchObject(want));
  it('refuses a notice given after the first month, whenever it is recorded', () => {
    const late = { noticeAt: d('2026-03-02T22:00:00Z') };
    const r = (() => {
      try {
        checkExtension(c, { ...ok, ...late }, d('2026-03-05T09:00:00Z'));
      } catch (e) {
        return (e as { details: object }).details;
      }
    })();
    expect(r).toMatchObject({ field: 'noticeAt', reason: 'notice_after_first_month', dueAt: '2026-03-02T21:59:59.999Z' });
    // The same notice time is accepted when it lies within the month (last minute of 2 March, Riga).
    expect(() => checkExtension(c, { ...ok, noticeAt: d('2026-03-02T21:59:00Z') }, d('2026-03-05T09:00:00Z'))).not.toThrow();
  });
});

describe('deadline state', () => {
  const due = d('2026-03-02T21:59:59.999Z');
  it.each([
    ['2026-02-20T00:00:00Z', 'on-track'],
    ['2026-02-24T00:00:00Z', 'due-soon'],
    ['2026-03-02T21:59:59.999Z', 'due-soon'],
    ['2026-03-02T22:00:00Z', 'overdue'],
  ])('open at %s: %s', (now, want) => expect(deadlineState({ status: 'open', answerDueAt: due }, d(now), 7)).toBe(want));
  it('closed: in time up to the last millisecond of the deadline', () => {
    expect(deadlineState({ status: 'closed', answerDueAt: due, closedAt: due }, d('2026-04-01T00:00:00Z'), 7)).toBe('answered-in-time');
    expect(deadlineState({ status: 'closed', answerDueAt: due, closedAt: d('2026-03-02T22:00:00Z') }, d('2026-04-01T00:00:00Z'), 7)).toBe('answered-late');
  });
});

describe('reminder times', () => {
  it('are at 09:00 Riga N calendar days before, across the October DST change', () => {
    // Due Monday 26 Oct 2026 (winter time); 7 days before is Monday 19 Oct (summer time): 09:00 Riga = 06:00Z.
    const t = reminderTimes(d('2026-10-26T21:59:59.999Z'), { daysBefore: [7, 2], overdue: true }, { hour: 9, minute: 0 });
    expect(t.map((x) => `${x.offset} ${x.remindAt.toISOString()}`)).toEqual([
      '7d 2026-10-19T06:00:00.000Z',
      '2d 2026-10-24T06:00:00.000Z',
      'overdue 2026-10-26T22:00:00.000Z',
    ]);
  });
  it('across the March DST change', () => {
    // Due Tuesday 31 Mar 2026 (summer time); 7 days before is Tuesday 24 Mar (winter time): 09:00 Riga = 07:00Z.
    const t = reminderTimes(d('2026-03-31T20:59:59.999Z'), { daysBefore: [7], overdue: false }, { hour: 9, minute: 0 });
    expect(t.map((x) => x.remindAt.toISOString())).toEqual(['2026-03-24T07:00:00.000Z']);
  });
});

describe('policies/cases.yaml', () => {
  it('the shipped file loads', () => {
    const p = loadCasePolicy();
    expect(p.reminders.answer.daysBefore).toEqual([7, 2]);
    expect(p.attachments.contentTypes).toContain('application/pdf');
    expect(reminderRecipients(p, 'riga')).toEqual([]);
  });
  it('refuses a bad file naming the field', () => {
    const base = { reminders: { answer: {}, 'processor-support': {} }, attachments: { maxBytes: 2048, contentTypes: ['application/pdf'] } };
    expect(() => parseCasePolicy({ ...base, reminders: { ...base.reminders, at: '25:00' } })).toThrow(/reminders\.at: must be HH:MM/);
    expect(() => parseCasePolicy({ ...base, attachments: { maxBytes: 10, contentTypes: ['pdf'] } })).toThrow(/attachments\.maxBytes[\s\S]*attachments\.contentTypes\.0/);
    expect(() => parseCasePolicy({ ...base, recipients: { riga: ['not-an-address'] } })).toThrow(/recipients\.riga\.0: must be an e-mail address/);
    expect(reminderRecipients(parseCasePolicy({ ...base, recipients: { riga: ['a@riga.example'], '*': ['z@zz.example', 'a@riga.example'] } }), 'riga')).toEqual(['a@riga.example', 'z@zz.example']);
  });
});
