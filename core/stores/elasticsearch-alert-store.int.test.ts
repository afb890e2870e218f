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

describeWith('elasticsearch')('Elasticsearch alert store indices on a single node', () => {
  it('are green: both expand their replicas to the nodes there are, also when an earlier version made them', async () => {
    const { Client } = await import('@elastic/elasticsearch');
    const c = new Client({ node: TEST_ELASTICSEARCH_URL });
    const prefix = uniqueName('t').toLowerCase().replace(/_/g, '-');
    try {
      // the heads index as an earlier version created it: one replica, which a single node can never assign
      await c.indices.create({ index: `${prefix}-alert-heads`, settings: { index: { number_of_replicas: 1 } }, mappings: { dynamic: false, properties: {} } });
      const store = createElasticsearchAlertStore({ url: TEST_ELASTICSEARCH_URL, prefix });
      await store.init();
      const health = await c.cluster.health({ index: [`${prefix}-alerts`, `${prefix}-alert-heads`], wait_for_status: 'green', timeout: '10s' });
      expect(health.status).toBe('green');
      const settings = await c.indices.getSettings({ index: `${prefix}-alert-heads` });
      expect(Object.values(settings)[0]?.settings?.index?.auto_expand_replicas).toBe('0-1');
      await store.close();
    } finally {
      await c.indices.delete({ index: [`${prefix}-alerts`, `${prefix}-alert-heads`] }).catch(() => undefined);
      await c.close();
    }
  });
});
