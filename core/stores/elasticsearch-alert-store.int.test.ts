import { describeWith, TEST_ELASTICSEARCH_URL, uniqueName } from '../testing/services';
import { runAlertStoreContract } from './alert-store.contract';
import { createElasticsearchAlertStore } from './elasticsearch-alert-store';

describeWith('elasticsearch')('Elasticsearch alert store (real single-node Elasticsearch)', () => {
  runAlertStoreContract(async () => {
    const prefix = uniqueName('t').toLowerCase().replace(/_/g, '-');
    const store = createElasticsearchAlertStore({ url: TEST_ELASTICSEARCH_URL, prefix });
    return {
      store,
      cleanup: async () => {
        const { Client } = await import('@elastic/elasticsearch');
        const c = new Client({ node: TEST_ELASTICSEARCH_URL });
        await c.indices.delete({ index: [`${prefix}-alerts`, `${prefix}-alert-heads`] }).catch(() => undefined);
        await c.close();
        await store.close();
      },
    };
  });
});
