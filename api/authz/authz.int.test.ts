import { describeWith, openTestSql } from '../../core/testing/services';
import { runAuthzContract } from './authz.contract';

describeWith('postgres')('Authz on Postgres', () => {
  runAuthzContract(() => openTestSql('postgres'));
});
