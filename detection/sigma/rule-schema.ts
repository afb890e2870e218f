/**
 * zod schemas of Sigma rules (https://sigmahq.io/docs/basics/rules.html, SigmaHQ sigma-specification v2 JSON
 * schema), Sigma correlation rules (https://sigmahq.io/docs/meta/correlations.html) and the Sargs `tests`
 * extension. Unknown top-level keys pass (other Sigma tools add their own); the detection body is checked by the
 * compiler, which knows the modifiers.
 */
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}[-/](0[1-9]|1[0-2])[-/](0[1-9]|[12]\d|3[01])$/;
/** Sigma tags are lowercase `namespace.value` (attack.t1078, attack.initial-access, nis2.art21, gdpr.art32). */
const TAG = /^[a-z0-9_-]+\.[a-z0-9_.-]+$/;
/** Correlation timespans: a number and s, m, h or d (Sigma correlation spec "timespan"). */
export const TIMESPAN = /^(\d+)([smhd])$/;

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;

const text = z.string().trim().min(1);
const dateField = z.string().regex(DATE, 'expected a date YYYY-MM-DD or YYYY/MM/DD');
const plainObject = z.record(z.unknown());

/** Fields every rule document carries (base rules of correlation files too). */
const common = {
  title: text.max(256),
  id: z.string().regex(UUID, 'id must be a UUID'),
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'name must be an identifier (letters, digits, _ . -)').optional(),
  status: z.enum(STATUSES).optional(),
  description: z.string().optional(),
  references: z.array(z.string()).optional(),
  author: z.string().optional(),
  date: dateField.optional(),
  modified: dateField.optional(),
  tags: z.array(z.string().regex(TAG, 'tags are lowercase namespace.value')).optional(),
  falsepositives: z.union([z.string(), z.array(z.string())]).optional(),
  level: z.enum(LEVELS).optional(),
};

/** House fields a rule must have when it stands alone (SigmaHQ rule conventions). */
const house = {
  status: z.enum(STATUSES),
  description: text,
  author: text,
  date: dateField,
  level: z.enum(LEVELS),
};

const logsource = z
  .object({ category: z.string().optional(), product: z.string().optional(), service: z.string().optional(), definition: z.string().optional() })
  .passthrough()
  .refine((l) => l.category || l.product || l.service, 'logsource needs a category, product or service');

const detection = plainObject.refine((d) => 'condition' in d, { message: 'detection needs a condition', path: ['condition'] });

/** The watch list a rule's test events run against (`sargs.watchlist`): pseudonyms, never person codes. */
const watchlistFixture = z
  .array(z.object({ list: text, person: z.string().regex(/^pk_[0-9a-f]{32}$/, 'person must be a pseudonym pk_… (never a person code)'), user: z.string().optional() }).strict())
  .optional();

/** A detection rule inside a correlation file: house fields optional, tests optional. */
export const baseRuleSchema = z
  .object({
    ...common,
    logsource,
    detection,
    fields: z.array(z.string()).optional(),
    tests: z.object({ match: z.array(plainObject).min(1), no_match: z.array(plainObject).min(1), watchlist: z.lazy(() => watchlistFixture) }).optional(),
  })
  .passthrough();

/** A stand-alone detection rule: house fields and ≥ 1 match and ≥ 1 no_match test event required. */
export const ruleSchema = baseRuleSchema.extend({
  ...house,
  tests: z.object(
    {
      match: z.array(plainObject).min(1, 'tests.match needs at least one event'),
      no_match: z.array(plainObject).min(1, 'tests.no_match needs at least one event'),
      watchlist: z.lazy(() => watchlistFixture),
    },
    { required_error: 'every rule needs tests: match and no_match events' },
  ),
});

const countCondition = z
  .object({ gt: z.number().optional(), gte: z.number().optional(), lt: z.number().optional(), lte: z.number().optional(), eq: z.number().optional(), field: z.string().optional() })
  .strict()
  .refine((c) => ['gt', 'gte', 'lt', 'lte', 'eq'].some((k) => k in c), 'condition needs gt, gte, lt, lte or eq');

const sequence = z.object({ events: z.array(plainObject).min(1) });

/** A correlation rule; its tests are sequences of events. */
export const correlationSchema = z
  .object({
    ...common,
    ...house,
    correlation: z
      .object({
        type: z.enum(['event_count', 'value_count', 'temporal', 'temporal_ordered']),
        rules: z.array(text).min(1),
        'group-by': z.array(text).optional(),
        timespan: z.string().regex(TIMESPAN, 'timespan is a number and s, m, h or d (e.g. 10m)'),
        condition: countCondition.optional(),
        field: z.string().optional(),
        aliases: z.record(z.record(z.string())).optional(),
        generate: z.boolean().optional(),
      })
      .strict(),
    tests: z.object(
      {
        match: z.array(sequence).min(1, 'tests.match needs at least one sequence'),
        no_match: z.array(sequence).min(1, 'tests.no_match needs at least one sequence'),
      },
      { required_error: 'every correlation needs tests: match and no_match sequences ({ events: [...] })' },
    ),
  })
  .passthrough();

export type BaseRuleDoc = z.infer<typeof baseRuleSchema>;
export type CorrelationDoc = z.infer<typeof correlationSchema>;

/**
 * A series of test events (Sargs extension for anomaly tests): `count` copies of `event`, `spacing` apart, starting
 * at `start`; the burst repeated `repeat` times, `period` apart. Each copy gets its own @timestamp and event.id.
 */
const series = z
  .object({
    event: plainObject,
    start: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'start must be an ISO time'),
    count: z.number().int().min(1).max(10_000).default(1),
    spacing: z.string().regex(TIMESPAN, 'spacing is a number and s, m, h or d').default('1m'),
    repeat: z.number().int().min(1).max(1000).default(1),
    period: z.string().regex(TIMESPAN, 'period is a number and s, m, h or d').default('1d'),
    weekdays: z.boolean().default(false),
  })
  .strict();

const anomalySequence = z
  .object({ events: z.array(plainObject).optional(), series: z.array(series).optional() })
  .strict()
  .refine((s) => (s.events?.length ?? 0) + (s.series?.length ?? 0) > 0, 'a test sequence needs events or series');

/** A Sargs anomaly rule: a per-entity baseline over the events of its base rules (rules/README.md). */
export const anomalySchema = z
  .object({
    ...common,
    ...house,
    'x-sargs-anomaly': z
      .object({
        type: z.enum(['count', 'dormant']),
        rules: z.array(text).min(1),
        'group-by': z.array(text).min(1, 'an anomaly baseline is per entity: group-by needs a field'),
        bucket: z.string().regex(TIMESPAN, 'bucket is a number and s, m, h or d (e.g. 1h)').optional(),
        learning: z.string().regex(TIMESPAN, 'learning is a number and s, m, h or d (e.g. 14d)').optional(),
        'min-buckets': z.number().int().min(2).optional(),
        bound: z
          .object({ stddev: z.number().positive().optional(), ratio: z.number().positive().optional(), 'min-count': z.number().int().min(1) })
          .strict()
          .refine((b) => b.stddev !== undefined || b.ratio !== undefined, 'bound needs stddev or ratio (or both)')
          .optional(),
        inactive: z.string().regex(TIMESPAN, 'inactive is a number and s, m, h or d (e.g. 90d)').optional(),
      })
      .strict()
      .superRefine((a, ctx) => {
        if (a.type === 'count' && !a.bucket) ctx.addIssue({ code: 'custom', path: ['bucket'], message: 'a count anomaly needs a bucket (e.g. 1h)' });
        if (a.type === 'count' && !a.bound) ctx.addIssue({ code: 'custom', path: ['bound'], message: 'a count anomaly needs a bound (stddev and/or ratio, min-count)' });
        if (a.type === 'dormant' && !a.inactive) ctx.addIssue({ code: 'custom', path: ['inactive'], message: 'a dormant anomaly needs inactive (e.g. 90d)' });
      }),
    tests: z.object(
      {
        match: z.array(anomalySequence).min(1, 'tests.match needs at least one sequence'),
        no_match: z.array(anomalySequence).min(1, 'tests.no_match needs at least one sequence'),
      },
      { required_error: 'every anomaly rule needs tests: match and no_match sequences (events or series)' },
    ),
  })
  .passthrough();

export type AnomalyDoc = z.infer<typeof anomalySchema>;
export type SeriesDoc = z.infer<typeof series>;
