import { openTestSql } from '../../core/testing/services';
import { runSqlAdapterContract } from './sql-adapter.contract';

describe('casbin SQL adapter on PGlite (embedded)', () => {
  runSqlAdapterContract(() => openTestSql('pglite'));
});
