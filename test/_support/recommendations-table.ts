/**
 * The recommendation table as the seed defines it (spec "Recommendation service"): MediaType and ItemId,
 * on demand, holding `resources/recommendations.json`, made with the SDK against any DynamoDB endpoint
 * (dynalite, the local cloud).
 */
import { BatchWriteItemCommand, CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  RECOMMENDATIONS,
  RECOMMENDATIONS_ATTRIBUTE_DEFINITIONS,
  RECOMMENDATIONS_KEY_SCHEMA,
} from '../../resources/recommendations.ts';

export async function createRecommendationsTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [...RECOMMENDATIONS_KEY_SCHEMA],
      AttributeDefinitions: [...RECOMMENDATIONS_ATTRIBUTE_DEFINITIONS],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Every recommendation, in one BatchWriteItem (at most 25 puts; the seed's set is smaller). */
export async function writeRecommendations(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new BatchWriteItemCommand({
      RequestItems: { [table]: RECOMMENDATIONS.map((Item) => ({ PutRequest: { Item: { ...Item } } })) },
    }),
  );
}
