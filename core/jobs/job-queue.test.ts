import { AppError } from '../errors';
import { backoffDelayMs, checkAddArguments, errorMessage } from './job-queue';

describe('backoffDelayMs', () => {
  it('waits backoffMs · 2^(n-1) after the n-th failed run', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(250, n))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelayMs(0, 3)).toBe(0);
  });
});

describe('checkAddArguments', () => {
  it('accepts the ordinary options', () => {
    expect(() => checkAddArguments('access-reports', 'build', { jobId: 'report:r-1', delayMs: 0, attempts: 5, backoffMs: 100 })).not.toThrow();
  });

  it.each([
    ['queue', 'has space', 'n', {}],
    ['queue', '', 'n', {}],
    ['name', 'q', '', {}],
    ['jobId', 'q', 'n', { jobId: '123' }],
    ['jobId', 'q', 'n', { jobId: ':x' }],
    ['jobId', 'q', 'n', { jobId: 'a b' }],
    ['delayMs', 'q', 'n', { delayMs: -5 }],
    ['delayMs', 'q', 'n', { delayMs: Number.NaN }],
    ['backoffMs', 'q', 'n', { backoffMs: -1 }],
    ['attempts', 'q', 'n', { attempts: 0 }],
    ['attempts', 'q', 'n', { attempts: 1.5 }],
  ])('rejects a bad %s', (field, queue, name, opts) => {
    let caught: unknown;
    try {
      checkAddArguments(queue, name, opts);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ status: 400, code: 'invalid_job', details: { field } });
  });
});

describe('errorMessage', () => {
  it('keeps the message and bounds its length', () => {
    expect(errorMessage(new Error('refused'))).toBe('refused');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(new Error('x'.repeat(5000)))).toHaveLength(2001);
  });
});
