import type { AlertStore } from '../stores/alert-store';
import type { DeliveryRecord } from './outbox.types';

/** Rule id of the alert raised when a message is dead (shown in the alert list beside the Sigma rules' alerts). */
export const DELIVERY_DEAD_RULE = 'sargs-delivery-dead';

/**
 * Raises a high alert in the message's tenant for a message that will not be sent again (its last attempt failed or
 * the receiver refused it for good): a legal notice that did not go out must reach a person while its clock runs.
 * One alert per message (the entity is the message's key); the error stays on the delivery record.
 */
export async function raiseDeadDeliveryAlert(alerts: Pick<AlertStore, 'record'>, rec: DeliveryRecord): Promise<void> {
  await alerts.record(
    [
      {
        hit: {
          ruleId: DELIVERY_DEAD_RULE,
          title: `Delivery failed for good (${rec.channel}): ${rec.subject}`.slice(0, 300),
          level: 'high',
          tags: ['sargs.delivery', `sargs.delivery.${rec.channel}`],
          kind: 'rule',
          count: 1,
          eventIds: [],
          timestamp: new Date().toISOString(),
        },
        tenant: rec.tenant,
        entity: rec.key,
      },
    ],
    0,
  );
}
