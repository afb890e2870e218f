import { describeWith, TEST_ELASTICSEARCH_URL, uniqueName } from '../testing/services';
import { runEventStoreContract } from './event-store.contract';
import { createElasticsearchEventStore } from './elasticsearch-event-store';

describeWith('elasticsearch')('Elasticsearch event store (real single-node Elasticsearch)', () => {
  runEventStoreContract(async () => {
    const prefix = uniqueName('t').toLowerCase().replace(/_/g, '-');
    const store = createElasticsearchEventStore({ url: TEST_ELASTICSEARCH_URL, prefix, retentionDays: 30 });
    return {
      store,
      cleanup: async () => {
        const { Client } = await import('@elastic/elasticsearch');
        const c = new Client({ node: TEST_ELASTICSEARCH_URL });
        // The integ-test distribution has no _data_stream API: delete the backing indices via the template name.
        await c.indices.deleteIndexTemplate({ name: `${prefix}-events` }).catch(() => undefined);
        await c.close();
        await store.close();
      },
    };
  });
});
