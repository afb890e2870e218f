import { describeWith, openTestSql } from '../testing/services';
import { runEventStoreContract } from './event-store.contract';
import { createSqlEventStore } from './sql-event-store';

describe('SQL event store on PGlite (embedded)', () => {
  runEventStoreContract(async () => {
    const { sql, drop } = await openTestSql('pglite');
    return { store: createSqlEventStore(sql), cleanup: drop };
  });
});

describeWith('postgres')('SQL event store on Postgres', () => {
  runEventStoreContract(async () => {
    const { sql, drop } = await openTestSql('postgres');
    return { store: createSqlEventStore(sql), cleanup: drop };
  });
});
