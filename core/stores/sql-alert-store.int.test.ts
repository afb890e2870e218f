import { describeWith, openTestSql } from '../testing/services';
import { runAlertStoreContract } from './alert-store.contract';
import { createSqlAlertStore } from './sql-alert-store';

describe('SQL alert store on PGlite (embedded)', () => {
  runAlertStoreContract(async () => {
    const { sql, drop } = await openTestSql('pglite');
    return { store: createSqlAlertStore(sql), cleanup: drop };
  });
});

describeWith('postgres')('SQL alert store on Postgres', () => {
  runAlertStoreContract(async () => {
    const { sql, drop } = await openTestSql('postgres');
    return { store: createSqlAlertStore(sql), cleanup: drop };
  });
});
