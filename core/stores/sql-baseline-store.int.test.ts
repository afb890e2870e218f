import { describeWith, openTestSql } from '../testing/services';
import { runBaselineStoreContract } from './baseline-store.contract';
import { createSqlBaselineStore } from './sql-baseline-store';

describe('SQL baseline store on PGlite (embedded)', () => {
  runBaselineStoreContract(async () => {
    const { sql, drop } = await openTestSql('pglite');
    return { store: createSqlBaselineStore(sql), again: () => createSqlBaselineStore(sql), cleanup: drop };
  });
});

describeWith('postgres')('SQL baseline store on Postgres', () => {
  runBaselineStoreContract(async () => {
    const { sql, drop } = await openTestSql('postgres');
    return { store: createSqlBaselineStore(sql), again: () => createSqlBaselineStore(sql), cleanup: drop };
  });
});
