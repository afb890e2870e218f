import { openTestSql } from '../../core/testing/services';
import { runAuthzContract } from './authz.contract';

describe('Authz on PGlite (embedded)', () => {
  runAuthzContract(() => openTestSql('pglite'));
});
