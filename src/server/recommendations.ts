import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/** An item in DynamoDB attribute-value form, exactly as GetItem returns it and the seed shows it. */
export type AttributeItem = Record<string, AttributeValue>;

export const MEDIA_TYPES = ['Book', 'Movie', 'Song'] as const;

/** What the seed serves when the recommendation service fails and failure-response is `static`. */
export const STATIC_ITEM: AttributeItem = {
  MediaType: { S: 'Book' },
  ItemId: { N: '0' },
  Title: { S: '404 Not Found: A Coloring Book' },
  Creator: { S: 'The Oatmeal' },
};

export class RecommendationMissingError extends Error {
  constructor(table: string, key: AttributeItem) {
    super(`No item ${JSON.stringify(key)} in table ${table}`);
    this.name = 'RecommendationMissingError';
  }
}

export class TableParameterMissingError extends Error {
  constructor() {
    super('The table parameter has never been read');
    this.name = 'TableParameterMissingError';
  }
}

/** A random key among the nine seeded items: MediaType Book|Movie|Song, ItemId 1..3. */
export function randomKey(random: () => number): AttributeItem {
  const mediaType = MEDIA_TYPES[Math.floor(random() * MEDIA_TYPES.length)] ?? 'Book';
  const itemId = 1 + Math.floor(random() * 3);
  return { MediaType: { S: mediaType }, ItemId: { N: String(itemId) } };
}

/**
 * One GetItem on the table the parameter names. Any failure (no table name yet, ResourceNotFound,
 * AccessDenied, a timeout, no such item) rejects: the caller decides between the static item and 502.
 */
export async function readRecommendation(
  dynamodb: DynamoDBClient,
  table: string | undefined,
  key: AttributeItem,
  timeoutMs: number,
): Promise<AttributeItem> {
  if (table === undefined) throw new TableParameterMissingError();
  const output = await dynamodb.send(new GetItemCommand({ TableName: table, Key: key }), {
    abortSignal: AbortSignal.timeout(timeoutMs),
  });
  if (output.Item === undefined) throw new RecommendationMissingError(table, key);
  return output.Item;
}
