// An AWS Lambda handler for a DynamoDB stream event source, unchanged from
// what would be deployed: it gets {Records: [...]} and throws to have the
// batch retried. This one keeps a search index of the items in memory and
// logs each change.
export const index = new Map();

export const handler = async (event) => {
  for (const record of event.Records) {
    const key = JSON.stringify(record.dynamodb.Keys);
    if (record.eventName === 'REMOVE') {
      index.delete(key);
    } else {
      index.set(key, record.dynamodb.NewImage);
    }
    const who = record.userIdentity?.type === 'Service' ? ' (TTL)' : '';
    console.log(`${record.eventName}${who} ${key} seq=${record.dynamodb.SequenceNumber}`);
  }
  return { batchItemFailures: [] };
};
