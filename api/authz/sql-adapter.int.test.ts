import { describeWith, openTestSql } from '../../core/testing/services';
import { runSqlAdapterContract } from './sql-adapter.contract';

describeWith('postgres')('casbin SQL adapter on Postgres', () => {
  runSqlAdapterContract(() => openTestSql('postgres'));
});
